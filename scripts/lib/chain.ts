import hre from "hardhat";

/**
 * A fresh chain with the project compiled: the in-process simulated network by default, or a named network
 * of `hardhat.config.ts` (e.g. `mainnetFork`).
 */
export async function inProcessChain(network?: string) {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  return network === undefined ? hre.network.create() : hre.network.create(network);
}

export type Chain = Awaited<ReturnType<typeof inProcessChain>>;
