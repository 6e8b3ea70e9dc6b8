import { network } from "hardhat";

import { deploySystem, type System, type SystemOptions } from "../../scripts/lib/system.js";

/**
 * One in-process chain per test file, and a fixture that deploys the whole system once and restores the
 * chain to that snapshot for every test that asks for it.
 */
export async function systemFixture(options: SystemOptions = {}) {
  const connection = await network.create();
  const deploy = async (): Promise<System> => deploySystem(connection, options);
  return { connection, load: () => connection.networkHelpers.loadFixture(deploy) };
}
