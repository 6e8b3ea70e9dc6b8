import hre from "hardhat";

import { ensureBuilt } from "./build.js";
import { useDeterministicClock } from "./clock.js";

/**
 * The simulator's chain settings (phase mining, `scripts/lib/sim/evm/world.ts`): the transactions of a phase are
 * mined one per block, all at the phase's time. With equal timestamps allowed, a transaction's gas estimate
 * (made on a pending block at the last block's time) can miss an oracle write its mined block (a second later)
 * does: estimates get a 1.5x margin.
 */
export const SIMULATION_CHAIN = { allowBlocksWithSameTimestamp: true, gasMultiplier: 1.5 };

/**
 * A fresh chain with the project compiled (once per process, serialized with other processes' builds: see
 * `scripts/lib/build.ts`): the in-process simulated network by default, or a named network of
 * `hardhat.config.ts` (e.g. `mainnetFork`); `override` adjusts the in-process network (e.g. `SIMULATION_CHAIN`).
 */
export async function inProcessChain(network?: string, override?: typeof SIMULATION_CHAIN) {
  await ensureBuilt();
  if (network !== undefined) return hre.network.create(network);
  return override === undefined ? hre.network.create() : hre.network.create({ override });
}

export type Chain = Awaited<ReturnType<typeof inProcessChain>>;

/**
 * The simulator's chain: `SIMULATION_CHAIN` settings and the deterministic clock (phase mining times every step's
 * blocks, the clock the rest: the deployment, the baselines' calibration), so that no block time comes from the
 * wall clock and a rerun gives the same figures to the last digit.
 */
export async function simulationChain(): Promise<Chain> {
  const chain = await inProcessChain(undefined, SIMULATION_CHAIN);
  useDeterministicClock(chain);
  return chain;
}
