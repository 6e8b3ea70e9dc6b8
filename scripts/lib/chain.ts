import hre from "hardhat";

import { ensureBuilt } from "./build.js";

/**
 * A fresh chain with the project compiled (once per process, serialized with other processes' builds: see
 * `scripts/lib/build.ts`): the in-process simulated network by default, or a named network of
 * `hardhat.config.ts` (e.g. `mainnetFork`).
 */
export async function inProcessChain(network?: string) {
  await ensureBuilt();
  return network === undefined ? hre.network.create() : hre.network.create(network);
}

export type Chain = Awaited<ReturnType<typeof inProcessChain>>;
