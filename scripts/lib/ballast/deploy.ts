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
  /** Ignition's deployment id (its record under `deploy/deployments/<id>` on a non-simulated network). */
  deploymentId?: string,
): Promise<Ballast> {
  const deployed = await connection.ignition.deploy(BallastModule, {
    parameters: { Ballast: { ...parameters }, VolatilityOracle: { ...parameters } },
    ...(deploymentId === undefined ? {} : { deploymentId }),
  });
  const { ethers } = connection;
  return {
    volatilityOracle: await ethers.getContractAt("VolatilityOracle", await deployed.volatilityOracle.getAddress()),
    engine: await ethers.getContractAt("ReferenceMarginEngine", await deployed.engine.getAddress()),
    riskModule: await ethers.getContractAt("RiskModule", await deployed.riskModule.getAddress()),
    riskLens: await ethers.getContractAt("RiskLens", await deployed.riskLens.getAddress()),
  };
}

/** The linked logic libraries of `RiskModule`, by the names its bytecode links them under. */
export const RISK_MODULE_LIBRARIES = ["ValidationLogic", "KeeperLogic", "DepthLogic", "GovernanceLogic"] as const;

/**
 * Deploys `RiskModule`'s logic libraries without Ignition (for a second module next to a deployed system) and
 * returns their addresses by name. Their functions are internal to the module (their ABIs carry Solidity
 * types that ethers does not parse), so each is deployed from its bytecode alone.
 */
export async function deployRiskModuleLibraries(connection: NetworkConnection): Promise<Record<string, string>> {
  const { ethers } = connection;
  const [deployer] = await ethers.getSigners();
  const libraries: Record<string, string> = {};
  for (const name of RISK_MODULE_LIBRARIES) {
    const { bytecode } = await ethers.getContractFactory(name);
    const factory = new ethers.ContractFactory([], bytecode, deployer);
    const library = await factory.deploy();
    await library.waitForDeployment();
    libraries[name] = await library.getAddress();
  }
  return libraries;
}
