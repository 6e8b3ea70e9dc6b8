import type { NetworkConnection } from "hardhat/types/network";

import BallastModule from "../../../deploy/modules/Ballast.js";
import type { ReferenceMarginEngine, RiskLens, RiskModule, VolatilityOracle } from "../../../typechain-types/index.js";

/** The deployed Ballast contracts, typed. */
export interface Ballast {
  volatilityOracle: VolatilityOracle;
  engine: ReferenceMarginEngine;
  riskModule: RiskModule;
  riskLens: RiskLens;
}

/** Deploys Ballast through the project's Ignition module (`deploy/modules/Ballast.ts`). */
export async function deployBallast(
  connection: NetworkConnection,
  parameters: { admin?: string; adminDelay?: number } = {},
): Promise<Ballast> {
  const deployed = await connection.ignition.deploy(BallastModule, {
    parameters: { Ballast: { ...parameters }, VolatilityOracle: { ...parameters } },
  });
  const { ethers } = connection;
  return {
    volatilityOracle: await ethers.getContractAt("VolatilityOracle", await deployed.volatilityOracle.getAddress()),
    engine: await ethers.getContractAt("ReferenceMarginEngine", await deployed.engine.getAddress()),
    riskModule: await ethers.getContractAt("RiskModule", await deployed.riskModule.getAddress()),
    riskLens: await ethers.getContractAt("RiskLens", await deployed.riskLens.getAddress()),
  };
}
