import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import VolatilityOracleModule from "./VolatilityOracle.js";

/**
 * Deploys Ballast with its reference margin engine: the volatility oracle, the risk module (with its three
 * linked logic libraries) bound to the engine, and the batch lens. Parameters: `admin` (default: the
 * deploying account) becomes the module's default admin; `adminDelay` (seconds, default two days) delays
 * default-admin transfers. The deploying account owns the reference engine (it lists markets and binds the
 * module; hand it over with the engine's two-step `transferOwnership`). Markets, collaterals and roles are configured after
 * deployment (`scripts/lib/ballast/configure.ts`): configuration is governance, not deployment.
 */
export default buildModule("Ballast", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 2 * 86_400);
  const { volatilityOracle } = m.useModule(VolatilityOracleModule);

  const deployer = m.getAccount(0);
  const engine = m.contract("ReferenceMarginEngine", [deployer]);
  const validationLogic = m.library("ValidationLogic");
  const keeperLogic = m.library("KeeperLogic");
  const depthLogic = m.library("DepthLogic");
  const governanceLogic = m.library("GovernanceLogic");
  const riskModule = m.contract("RiskModule", [engine, volatilityOracle, adminDelay, admin], {
    libraries: { ValidationLogic: validationLogic, KeeperLogic: keeperLogic, DepthLogic: depthLogic, GovernanceLogic: governanceLogic },
  });
  m.call(engine, "setRiskModule", [riskModule], { from: deployer });
  const riskLens = m.contract("RiskLens");
  return { volatilityOracle, engine, riskModule, riskLens };
});
