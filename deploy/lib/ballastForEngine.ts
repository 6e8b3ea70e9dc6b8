import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import type { DeploymentFile } from "../../scripts/lib/ballast/deploymentFile.js";

/**
 * Deploys Ballast next to an existing margin engine and configures it from a markets file (docs/INTEGRATION.md,
 * "Deploy next to an existing engine"): the risk module bound to `engine`, with its four logic libraries
 * (`ValidationLogic`, `KeeperLogic`, `DepthLogic`, `GovernanceLogic`) deployed and linked, the lens, the hosted upkeep
 * (`BallastUpkeep`), and, with `newOracle`, a new volatility oracle whose feeds the file configures (else the existing
 * `volatilityOracle`, whose own admin configures its feeds).
 *
 * Ignition parameters (`deploy/integrator/<network>.parameters.json`, module id `BallastForEngine` or
 * `BallastForEngineWithOracle`): `engine` (required), `volatilityOracle` (required without `newOracle`), `admin`
 * (required: the default admin after the two-step transfer this deployment begins), `adminDelay` (seconds, default two
 * days), `riskAdmin`, `guardian`, `riskOracle` (each default the deploying account), `upkeepPageSize` (default 50),
 * `upkeepMaxDeleverages` (default 20).
 *
 * Order: the deploying account is the default admin at first; it takes `RISK_ADMIN_ROLE`, lists the file's tiers,
 * collaterals and markets, gives the roles up (renounces its risk-admin role, then grants `riskAdmin`, `guardian`,
 * `riskOracle`), and begins the default-admin transfer to `admin`, which `admin` accepts after `adminDelay`
 * (`acceptDefaultAdminTransfer`). Binding the engine to the module is the engine's own call (for example
 * `setRiskModule(module)`), and each market needs `refreshDepth` in two blocks before it admits increases.
 */
/** A configuration struct as Ignition takes it (the file's addresses are plain strings). */
const struct = (value: object) => value as Record<string, string | number | bigint | boolean>;

export function ballastForEngine(file: DeploymentFile, options: { newOracle: boolean }) {
  return buildModule(options.newOracle ? "BallastForEngineWithOracle" : "BallastForEngine", (m) => {
    const deployer = m.getAccount(0);
    const engine = m.getParameter<string>("engine");
    const admin = m.getParameter<string>("admin");
    const adminDelay = m.getParameter("adminDelay", 2 * 86_400);
    const riskAdmin = m.getParameter("riskAdmin", deployer);
    const guardian = m.getParameter("guardian", deployer);
    const riskOracle = m.getParameter("riskOracle", deployer);

    const volatilityOracle = options.newOracle
      ? m.contract("VolatilityOracle", [adminDelay, deployer])
      : m.contractAt("VolatilityOracle", m.getParameter<string>("volatilityOracle"));
    const libraries = {
      ValidationLogic: m.library("ValidationLogic"),
      KeeperLogic: m.library("KeeperLogic"),
      DepthLogic: m.library("DepthLogic"),
      GovernanceLogic: m.library("GovernanceLogic"),
    };
    const riskModule = m.contract("RiskModule", [engine, volatilityOracle, adminDelay, deployer], { libraries });
    const riskLens = m.contract("RiskLens");
    const upkeep = m.contract("BallastUpkeep", [
      riskModule,
      riskLens,
      m.getParameter("upkeepPageSize", 50),
      m.getParameter("upkeepMaxDeleverages", 20),
    ]);

    const RISK_ADMIN = m.staticCall(riskModule, "RISK_ADMIN_ROLE", [], 0, { id: "riskAdminRole" });
    const selfAdmin = m.call(riskModule, "grantRole", [RISK_ADMIN, deployer], { id: "grantDeployerRiskAdmin" });
    const tiers = file.tiers.map((t) =>
      m.call(riskModule, "configureTier", [t.tier, t.maxLeverage], { id: `tier${t.tier}`, after: [selfAdmin] }),
    );
    // A collateral's tier must be listed first.
    const configured = [
      ...tiers,
      ...file.collaterals.map((c, i) =>
        m.call(riskModule, "configureCollateral", [c.asset, struct(c.config)], { id: `collateral${i}`, after: [selfAdmin, ...tiers] }),
      ),
      ...file.markets.map((mk) =>
        m.call(riskModule, "configureMarket", [mk.id, struct(mk.config)], { id: `market${mk.id}`, after: [selfAdmin] }),
      ),
    ];

    // Hand over: the deploying account keeps no role once the roles' holders are in place.
    const renounced = m.call(riskModule, "renounceRole", [RISK_ADMIN, deployer], { id: "renounceDeployerRiskAdmin", after: configured });
    const granted = [
      m.call(riskModule, "grantRole", [RISK_ADMIN, riskAdmin], { id: "grantRiskAdmin", after: [renounced] }),
      m.call(riskModule, "grantRole", [m.staticCall(riskModule, "GUARDIAN_ROLE", [], 0, { id: "guardianRole" }), guardian], {
        id: "grantGuardian",
        after: [renounced],
      }),
      m.call(riskModule, "grantRole", [m.staticCall(riskModule, "RISK_ORACLE_ROLE", [], 0, { id: "riskOracleRole" }), riskOracle], {
        id: "grantRiskOracle",
        after: [renounced],
      }),
    ];
    m.call(riskModule, "beginDefaultAdminTransfer", [admin], { id: "transferModuleAdmin", after: granted });

    if (options.newOracle) {
      const ORACLE_ADMIN = m.staticCall(volatilityOracle, "RISK_ADMIN_ROLE", [], 0, { id: "oracleRiskAdminRole" });
      const oracleSelf = m.call(volatilityOracle, "grantRole", [ORACLE_ADMIN, deployer], { id: "grantDeployerOracleAdmin" });
      const feeds = file.feeds.map((f, i) =>
        m.call(volatilityOracle, "configureFeed", [f.feed, struct(f.config)], { id: `feed${i}`, after: [oracleSelf] }),
      );
      const oracleRenounced = m.call(volatilityOracle, "renounceRole", [ORACLE_ADMIN, deployer], {
        id: "renounceDeployerOracleAdmin",
        after: feeds,
      });
      const oracleGranted = m.call(volatilityOracle, "grantRole", [ORACLE_ADMIN, riskAdmin], {
        id: "grantOracleRiskAdmin",
        after: [oracleRenounced],
      });
      m.call(volatilityOracle, "beginDefaultAdminTransfer", [admin], { id: "transferOracleAdmin", after: [oracleGranted] });
    }
    return { volatilityOracle, riskModule, riskLens, upkeep };
  });
}
