import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { defaultFeedConfig, defaultMarketConfig } from "../../scripts/lib/ballast/params.js";
import { CHAINLINK } from "../../scripts/lib/chainlink/mainnet.js";
import { MAINNET } from "../../scripts/lib/uniswap/addresses.js";
import BallastModule from "./Ballast.js";

/**
 * Lists one market in Ballast (deploying Ballast first when this deployment has not yet, `Ballast.ts`): the
 * feed's volatility estimator in the volatility oracle, the market's configuration in the risk module and its
 * listing in the reference engine. Every parameter has the default of `scripts/lib/ballast/params.ts`, so a
 * parameters file written by `npm run calibrate` (its `BallastMarket` entry) is accepted as is:
 *
 *     npx hardhat ignition deploy deploy/modules/Market.ts --parameters reports/calibrate/params.json
 *
 * Deployment parameters: `market` (id, default 1), `feed` (default the ETH/USD proxy), `pool` (default the
 * USDC/WETH 0.05 % pool), `baseIsToken0` (default false), `liquidationBonus` (WAD, default 1 %). Market
 * parameters (`horizon`, `z`, `gap`, `kappa`, ...): the fields of `IRiskTypes.MarketConfig`; estimator
 * parameters: `tauUp`, `tauDown`, `volMaxAge`, `maxRoundsPerPoke`, `sigmaMin`, `sigmaMax`. The deploying
 * account must hold the default admin role of both contracts (it grants itself their risk admin roles) and own
 * the reference engine, as after `Ballast.ts` with the default `admin`.
 */
export default buildModule("BallastMarket", (m) => {
  const { volatilityOracle, riskModule, engine } = m.useModule(BallastModule);
  const deployer = m.getAccount(0);
  const market = m.getParameter("market", 1);
  const feed = m.getParameter("feed", CHAINLINK.ethUsd);
  const pool = m.getParameter("pool", MAINNET.usdcWeth500);
  const baseIsToken0 = m.getParameter("baseIsToken0", false);
  const d = defaultMarketConfig(CHAINLINK.ethUsd, MAINNET.usdcWeth500, false);
  const v = defaultFeedConfig();
  const wad = (name: string, fallback: unknown) => m.getParameter<bigint>(name, BigInt(fallback as bigint));
  const int = (name: string, fallback: unknown) => m.getParameter<number>(name, Number(fallback));

  const config = {
    feed,
    maxPriceAge: int("maxPriceAge", d.maxPriceAge),
    horizon: int("horizon", d.horizon),
    depthMaxAge: int("depthMaxAge", d.depthMaxAge),
    maintenanceMargin: wad("maintenanceMargin", d.maintenanceMargin),
    z: wad("z", d.z),
    kappa: wad("kappa", d.kappa),
    kappaOI: wad("kappaOI", d.kappaOI),
    sigmaTarget: wad("sigmaTarget", d.sigmaTarget),
    maxDeviation: wad("maxDeviation", d.maxDeviation),
    tauTrigger: wad("tauTrigger", d.tauTrigger),
    tauTarget: wad("tauTarget", d.tauTarget),
    oiCapLong: wad("oiCapLong", d.oiCapLong),
    oiCapShort: wad("oiCapShort", d.oiCapShort),
    pool,
    baseIsToken0,
    twapWindow: int("twapWindow", d.twapWindow),
    maxWalkSteps: int("maxWalkSteps", d.maxWalkSteps),
    maxSlippage: wad("maxSlippage", d.maxSlippage),
    rho: wad("rho", d.rho),
    deleverageWindow: int("deleverageWindow", d.deleverageWindow),
    depthRisePerHour: wad("depthRisePerHour", d.depthRisePerHour),
    keeperFeeRate: wad("keeperFeeRate", d.keeperFeeRate),
    keeperFeeMax: wad("keeperFeeMax", d.keeperFeeMax),
    gap: wad("gap", d.gap),
  };
  const estimator = {
    tauUp: int("tauUp", v.tauUp),
    tauDown: int("tauDown", v.tauDown),
    maxAge: int("volMaxAge", v.maxAge),
    maxRoundsPerPoke: int("maxRoundsPerPoke", v.maxRoundsPerPoke),
    sigmaMin: wad("sigmaMin", v.sigmaMin),
    sigmaMax: wad("sigmaMax", v.sigmaMax),
    impliedFeed: "0x0000000000000000000000000000000000000000",
    impliedWeight: 0n,
  };

  const moduleAdmin = m.call(riskModule, "grantRole", [m.staticCall(riskModule, "RISK_ADMIN_ROLE"), deployer], {
    id: "grantModuleRiskAdmin",
  });
  const oracleAdmin = m.call(volatilityOracle, "grantRole", [m.staticCall(volatilityOracle, "RISK_ADMIN_ROLE"), deployer], {
    id: "grantOracleRiskAdmin",
  });
  const configureFeed = m.call(volatilityOracle, "configureFeed", [feed, estimator], { after: [oracleAdmin] });
  m.call(riskModule, "configureMarket", [market, config], { after: [moduleAdmin, configureFeed] });
  m.call(engine, "listMarket", [
    market,
    { feed, maintenanceMargin: config.maintenanceMargin, liquidationBonus: wad("liquidationBonus", 10n ** 16n) },
  ]);
  return { volatilityOracle, riskModule, engine };
});
