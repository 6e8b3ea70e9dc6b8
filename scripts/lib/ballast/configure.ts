import type { Signer } from "ethers";

import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import type { IVolatilityOracle } from "../../../typechain-types/contracts/VolatilityOracle.js";
import type { Ballast } from "./deploy.js";
import { DEFAULT_TIERS, defaultCollateralConfig, defaultFeedConfig, defaultMarketConfig, wad } from "./params.js";

export interface MarketSetup {
  /** Market id, shared by the engine and the module. */
  id: bigint;
  /** Chainlink proxy of the base asset in USD. */
  feed: string;
  /** Reference Uniswap V3 pool of base against a USD stablecoin. */
  pool: string;
  baseIsToken0: boolean;
  /** Module parameters beyond the defaults (`defaultMarketConfig`). */
  config?: Partial<IRiskTypes.MarketConfigStruct>;
  /** Engine liquidation bonus (default 1 %). */
  liquidationBonus?: bigint;
  /** Volatility estimator of the feed beyond the defaults. */
  volatility?: Partial<IVolatilityOracle.FeedConfigStruct>;
}

export interface CollateralSetup {
  asset: string;
  /** Chainlink proxy of the asset in USD. */
  feed: string;
  config?: Partial<IRiskTypes.CollateralConfigStruct>;
  volatility?: Partial<IVolatilityOracle.FeedConfigStruct>;
}

export interface BallastSetup {
  markets: MarketSetup[];
  collaterals: CollateralSetup[];
  tiers?: readonly { tier: number; maxLeverage: bigint }[];
}

/**
 * Governance bring-up: grants the module's and the oracle's roles to `admin`, configures a volatility
 * estimator for every feed involved, lists tiers, collaterals and markets in both the module and the
 * reference engine (with the same maintenance margin). `admin` must hold the default admin role of both
 * contracts and own the engine.
 */
export async function configureBallast(ballast: Ballast, admin: Signer, setup: BallastSetup): Promise<void> {
  const { riskModule, volatilityOracle, engine } = ballast;
  const address = await admin.getAddress();
  const module = riskModule.connect(admin);
  const oracle = volatilityOracle.connect(admin);
  for (const role of [await module.RISK_ADMIN_ROLE(), await module.RISK_ORACLE_ROLE(), await module.GUARDIAN_ROLE()]) {
    await (await module.grantRole(role, address)).wait();
  }
  await (await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), address)).wait();

  const feeds = new Map<string, Partial<IVolatilityOracle.FeedConfigStruct>>();
  for (const m of setup.markets) feeds.set(m.feed, { ...feeds.get(m.feed), ...m.volatility });
  for (const c of setup.collaterals) feeds.set(c.feed, { ...feeds.get(c.feed), ...c.volatility });
  for (const [feed, overrides] of feeds) {
    await (await oracle.configureFeed(feed, defaultFeedConfig(overrides))).wait();
  }

  for (const { tier, maxLeverage } of setup.tiers ?? DEFAULT_TIERS) {
    await (await module.configureTier(tier, maxLeverage)).wait();
  }
  for (const c of setup.collaterals) {
    await (await module.configureCollateral(c.asset, defaultCollateralConfig(c.feed, c.config))).wait();
    await (await engine.connect(admin).listCollateral(c.asset, { feed: c.feed })).wait();
  }
  for (const m of setup.markets) {
    const config = defaultMarketConfig(m.feed, m.pool, m.baseIsToken0, m.config);
    await (await module.configureMarket(m.id, config)).wait();
    await (
      await engine.connect(admin).listMarket(m.id, {
        feed: m.feed,
        maintenanceMargin: config.maintenanceMargin,
        liquidationBonus: m.liquidationBonus ?? wad(0.01),
      })
    ).wait();
  }
}

/**
 * Brings the oracles' state up: pokes every feed (the first poke only sets the reference, so call this
 * after at least two rounds of each feed) and refreshes each market's depth twice, in two blocks (a depth
 * reading counts only once a reading from another block confirms it).
 */
export async function warmUp(ballast: Ballast, feeds: readonly string[], markets: readonly bigint[]): Promise<void> {
  for (const feed of feeds) await (await ballast.volatilityOracle.poke(feed)).wait();
  for (let i = 0; i < 2; i++) {
    for (const market of markets) await (await ballast.riskModule.refreshDepth(market)).wait();
  }
}
