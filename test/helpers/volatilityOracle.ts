import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type { VolatilityOracle } from "../../typechain-types/index.js";
import type { IVolatilityOracle } from "../../typechain-types/contracts/VolatilityOracle.js";

export const DEFAULT_FEED_CONFIG: IVolatilityOracle.FeedConfigStruct = {
  tauUp: 3_600,
  tauDown: 86_400,
  maxAge: 7_200,
  maxRoundsPerPoke: 50,
  sigmaMin: 10n ** 17n, // 10 %
  sigmaMax: 5n * 10n ** 18n, // 500 %
  impliedFeed: "0x0000000000000000000000000000000000000000",
  impliedWeight: 0,
};

/** Deploys the oracle with the first signer as default admin (1-day transfer delay) and risk admin. */
export async function deployVolatilityOracle(ethers: HardhatEthers): Promise<VolatilityOracle> {
  const [admin] = await ethers.getSigners();
  const oracle = await ethers.deployContract("VolatilityOracle", [86_400, admin!.address]);
  await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin!.address);
  return oracle;
}
