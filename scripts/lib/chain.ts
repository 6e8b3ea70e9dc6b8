import hre from "hardhat";

/** A fresh in-process chain (Hardhat's simulated network) with the project compiled. */
export async function inProcessChain() {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  return hre.network.create();
}

export type Chain = Awaited<ReturnType<typeof inProcessChain>>;
