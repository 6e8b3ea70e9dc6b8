import type { NetworkConnection } from "hardhat/types/network";
import { network } from "hardhat";

import { type Environment, forkRequested, mainnetForkEnvironment } from "../../scripts/lib/environment.js";
import { checkMainnetFork } from "../../scripts/lib/forkCheck.js";

/** The seed of every random scenario: fixed by default, `SCENARIO_SEED` overrides; printed on failure. */
export function scenarioSeed(): number {
  const raw = process.env.SCENARIO_SEED;
  return raw === undefined || raw === "" ? 20_250_312 : Number.parseInt(raw, 10);
}

export const FORK_SKIP_REASON = "mainnet fork mode needs MAINNET_RPC_URL (and optionally FORK_BLOCK); replica mode runs instead";

/** A fresh chain for a scenario in the requested mode, with its environment for the fork. */
export async function scenarioChain(
  mode: "replica" | "mainnet-fork",
): Promise<{ connection: NetworkConnection; environment?: Environment }> {
  if (mode === "replica") return { connection: await network.create() };
  await checkMainnetFork();
  const connection = await network.create("mainnetFork");
  return { connection, environment: await mainnetForkEnvironment(connection) };
}

/** Registers a `before` hook that skips the suite, with its reason, when the mainnet fork is not configured. */
export function skipWithoutFork(context: Mocha.Suite): void {
  context.beforeAll(function () {
    if (!forkRequested()) {
      process.stdout.write(`      (skipped: ${FORK_SKIP_REASON})\n`);
      this.skip();
    }
  });
}

/** Both modes the suite runs each scenario in. */
export const MODES = ["replica", "mainnet-fork"] as const;
