/**
 * Compiling the contracts and generating the TypeChain types on demand, once per process: every command
 * that needs artifacts calls this before it imports anything generated.
 *
 * Builds of one checkout are serialized across processes (a lock directory in Hardhat's cache folder):
 * Hardhat rewrites `cache/compile-cache.json` through one fixed temporary file on every build, even one with
 * nothing to compile, so two builds at once (two commands, or a test spawning a command while another
 * builds) could fail with "compile-cache.json.tmp not found".
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

let built: Promise<void> | undefined;

/** Runs Hardhat's build (contracts only, no Solidity tests) once; `note` hears of a first, slow compile. */
export function ensureBuilt(note?: (line: string) => void): Promise<void> {
  built ??= (async () => {
    const { default: hre } = await import("hardhat");
    await withBuildLock(hre.config.paths.cache, async () => {
      if (!existsSync(hre.config.paths.artifacts)) note?.("compiling the contracts (first run after a clean install: about a minute)...\n");
      await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    });
  })();
  return built;
}

/**
 * Compiles the contracts and the Solidity tests at once: with split test compilation (hardhat.config.ts) they are two
 * builds, each one solcjs process (single-threaded), so on two cores this takes the longer of the two instead of
 * their sum (measured on a clean clone: about 100 s instead of 145 s). Nothing here is final: a build that fails
 * (a compile error, or Hardhat's fixed temporary cache file taken by the other build) is left to the build the
 * caller runs next, which compiles what is missing and reports errors as usual.
 */
export async function buildContractsAndTests(): Promise<void> {
  const { default: hre } = await import("hardhat");
  const build = hre.tasks.getTask("build");
  await withBuildLock(hre.config.paths.cache, async () => {
    await Promise.allSettled([build.run({ noTests: true, quiet: true }), build.run({ noContracts: true, quiet: true })]);
  });
}

/** How long a build may wait for another one before giving up (a cold compile takes about a minute). */
const WAIT_MS = 15 * 60_000;
/** A lock without an owner's pid this old was left by a process that died while taking it. */
const ORPHAN_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `fn` holding the checkout's build lock (`<cache>/ballast-build.lock`); waits while another process holds it. */
export async function withBuildLock<T>(cacheDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(cacheDir, "ballast-build.lock");
  const owner = path.join(lock, "pid");
  await mkdir(cacheDir, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number(await readFile(owner, "utf8").catch(() => ""));
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const stale = pid > 0 ? !alive(pid) : age > ORPHAN_MS;
    if (stale) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another build has held ${lock} for ${WAIT_MS / 60_000} minutes (process ${pid || "unknown"})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    await writeFile(owner, String(process.pid));
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
