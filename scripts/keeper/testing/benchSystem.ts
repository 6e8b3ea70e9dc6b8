/**
 * A second risk module over the `SyntheticMarginEngine` test double, on an already deployed system: the
 * same volatility oracle, Chainlink feeds, Uniswap pool and lens, with a module configured like the
 * system's (ETH market, USDC collateral). Used by the keeper's scan benchmark to evaluate tens of thousands
 * of accounts without creating them by transactions.
 */
import { DEFAULT_TIERS, defaultCollateralConfig, defaultMarketConfig, wad } from "../../lib/ballast/params.js";
import { deployRiskModuleLibraries } from "../../lib/ballast/deploy.js";
import { ETH_MARKET, type System } from "../../lib/system.js";

export interface SyntheticModule {
  engine: string;
  module: string;
  lens: string;
}

/** Deploys and configures the synthetic engine and its module; refreshes its depth twice (two blocks). */
export async function deploySyntheticModule(system: System, overCapOneIn = 100): Promise<SyntheticModule> {
  const { ethers } = system.connection;
  const admin = system.admin;
  const adminAddress = await admin.getAddress();
  const usdc = await system.environment.usdc.getAddress();
  const engine = await ethers.deployContract("SyntheticMarginEngine", [usdc, ETH_MARKET, wad(3_000), overCapOneIn]);
  const libraries = await deployRiskModuleLibraries(system.connection);
  const module = await ethers.deployContract(
    "RiskModule",
    [await engine.getAddress(), await system.ballast.volatilityOracle.getAddress(), 2 * 86_400, adminAddress],
    { libraries },
  );
  const riskModule = await ethers.getContractAt("RiskModule", await module.getAddress(), admin);
  for (const role of [await riskModule.RISK_ADMIN_ROLE(), await riskModule.RISK_ORACLE_ROLE()])
    await (await riskModule.grantRole(role, adminAddress)).wait();
  for (const { tier, maxLeverage } of DEFAULT_TIERS) await (await riskModule.configureTier(tier, maxLeverage)).wait();
  await (await riskModule.configureCollateral(usdc, defaultCollateralConfig(system.feeds.usdc.address))).wait();
  await (
    await riskModule.configureMarket(ETH_MARKET, defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false))
  ).wait();
  for (let i = 0; i < 2; i++) await (await riskModule.refreshDepth(ETH_MARKET)).wait();
  return { engine: await engine.getAddress(), module: await module.getAddress(), lens: await system.ballast.riskLens.getAddress() };
}

export { syntheticAccounts } from "./syntheticAccounts.js";
