/**
 * Compiling the contracts and generating the TypeChain types on demand, once per process: every command
 * that needs artifacts calls this before it imports anything generated.
 */
import { existsSync } from "node:fs";

let built: Promise<void> | undefined;

/** Runs Hardhat's build (contracts only, no Solidity tests) once; `note` hears of a first, slow compile. */
export function ensureBuilt(note?: (line: string) => void): Promise<void> {
  built ??= (async () => {
    const { default: hre } = await import("hardhat");
    if (!existsSync(hre.config.paths.artifacts)) note?.("compiling the contracts (first run after a clean install: about a minute)...\n");
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  })();
  return built;
}
