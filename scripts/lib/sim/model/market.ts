/**
 * The model engine's market: configuration and the state every policy's run starts from (the pool, the feeds'
 * last rounds, the volatility estimators, Ballast's depth state), built either from a chain the EVM engine set
 * up (`fromChain`: the same starting point, for parity) or without one (`synthetic`: the replica's set-up,
 * `deploySystem`, replayed in TypeScript). `world(policy)` gives each run its own copy.
 */
import type { BigNumberish } from "ethers";

import { DEFAULT_TIERS, defaultCollateralConfig, defaultFeedConfig, defaultMarketConfig } from "../../ballast/params.js";
import { USDC_WETH } from "../../environment.js";
import { ETH_MARKET, type System } from "../../system.js";
import { generateProfile, priceFromSqrtPriceX96, type TickSnapshot } from "../../uniswap/index.js";
import { ModelPool, type Observation } from "../../uniswap/modelPool.js";
import type { PolicyName } from "../policies.js";
import { tierValues } from "../policies.js";
import { type CollateralParams, type MarketParams, ModelBallast, type WindowState } from "./ballast.js";
import { type DepthConfig, type DepthState, EMPTY_DEPTH } from "./depth.js";
import { ModelEngine } from "./engine.js";
import { ModelFeed } from "./feed.js";
import { ModelLeverageCap } from "./leverageCap.js";
import { ModelVolatility, type VolatilityConfig } from "./volatility.js";
import { ModelWorld } from "./world.js";

const QUOTE = "usdc";
const BASE = "weth";
/** The engine's liquidation bonus of every listing the simulator makes (`configureBallast`, `baselinePolicy`). */
const LIQUIDATION_BONUS = 0.01;
const WAD = 1e18;
const fraction = (v: BigNumberish) => Number(BigInt(v)) / WAD;

/** A collateral's configuration in natural units (without its feed). */
export interface CollateralSetup {
  maxPriceAge: number;
  baseHaircut: number;
  volZ: number;
  volHorizon: number;
  tier: number;
}

/** Everything fixed for a run: the market's and collaterals' parameters, the estimators', the tiers. */
export interface ModelConfig {
  params: MarketParams;
  volatility: VolatilityConfig;
  collateralVolatility: VolatilityConfig;
  usdc: CollateralSetup;
  weth: CollateralSetup;
  /** Leverage of each collateral tier. */
  tiers: ReadonlyMap<number, number>;
}

/** The state every run starts from. */
export interface ModelStart {
  pool: ModelPool;
  feed: ModelFeed;
  collateralFeed: ModelFeed;
  volatility: ModelVolatility;
  collateralVolatility: ModelVolatility;
  depth: DepthState;
  window: WindowState;
  time: number;
  block: number;
  /** The base price the pool starts at. */
  startPrice: number;
}

/** `IRiskTypes.MarketConfig` (WAD and seconds, as the contract and `defaultMarketConfig` hold it) in natural units. */
export function marketParamsOf(c: {
  maxPriceAge: BigNumberish;
  horizon: BigNumberish;
  depthMaxAge: BigNumberish;
  maintenanceMargin: BigNumberish;
  z: BigNumberish;
  gap: BigNumberish;
  kappa: BigNumberish;
  kappaOI: BigNumberish;
  sigmaTarget: BigNumberish;
  maxDeviation: BigNumberish;
  tauTrigger: BigNumberish;
  tauTarget: BigNumberish;
  oiCapLong: BigNumberish;
  oiCapShort: BigNumberish;
  twapWindow: BigNumberish;
  maxWalkSteps: BigNumberish;
  maxSlippage: BigNumberish;
  rho: BigNumberish;
  deleverageWindow: BigNumberish;
  depthRisePerHour: BigNumberish;
  keeperFeeRate: BigNumberish;
  keeperFeeMax: BigNumberish;
}): MarketParams {
  const seconds = (v: BigNumberish) => Number(v);
  return {
    maxPriceAge: seconds(c.maxPriceAge),
    horizon: seconds(c.horizon),
    depthMaxAge: seconds(c.depthMaxAge),
    maintenanceMargin: fraction(c.maintenanceMargin),
    z: fraction(c.z),
    gap: fraction(c.gap),
    kappa: fraction(c.kappa),
    kappaOI: fraction(c.kappaOI),
    sigmaTarget: fraction(c.sigmaTarget),
    maxDeviation: fraction(c.maxDeviation),
    tauTrigger: fraction(c.tauTrigger),
    tauTarget: fraction(c.tauTarget),
    oiCapLong: fraction(c.oiCapLong),
    oiCapShort: fraction(c.oiCapShort),
    twapWindow: seconds(c.twapWindow),
    maxWalkSteps: seconds(c.maxWalkSteps),
    maxSlippage: fraction(c.maxSlippage),
    rho: fraction(c.rho),
    deleverageWindow: seconds(c.deleverageWindow),
    depthRisePerHour: fraction(c.depthRisePerHour),
    keeperFeeRate: fraction(c.keeperFeeRate),
    keeperFeeMax: fraction(c.keeperFeeMax),
  };
}

/** `IVolatilityOracle.FeedConfig` in natural units. */
export function volatilityConfigOf(c: {
  tauUp: BigNumberish;
  tauDown: BigNumberish;
  maxAge: BigNumberish;
  maxRoundsPerPoke: BigNumberish;
  sigmaMin: BigNumberish;
  sigmaMax: BigNumberish;
}): VolatilityConfig {
  return {
    tauUp: Number(c.tauUp),
    tauDown: Number(c.tauDown),
    maxAge: Number(c.maxAge),
    maxRoundsPerPoke: Number(c.maxRoundsPerPoke),
    sigmaMin: fraction(c.sigmaMin),
    sigmaMax: fraction(c.sigmaMax),
  };
}

function collateralSetupOf(c: {
  maxPriceAge: BigNumberish;
  tier: BigNumberish;
  baseHaircut: BigNumberish;
  volZ: BigNumberish;
  volHorizon: BigNumberish;
}): CollateralSetup {
  return {
    maxPriceAge: Number(c.maxPriceAge),
    tier: Number(c.tier),
    baseHaircut: fraction(c.baseHaircut),
    volZ: fraction(c.volZ),
    volHorizon: Number(c.volHorizon),
  };
}

/** Overrides of the defaults, as `deploySystem`'s `market`, `collaterals` and the feeds' estimator take them. */
export interface ModelOverrides {
  market?: Parameters<typeof defaultMarketConfig>[3];
  weth?: Parameters<typeof defaultCollateralConfig>[1];
  volatility?: Parameters<typeof defaultFeedConfig>[0];
  /** The base asset's collateral haircut (a parameters file's `baseCollateralHaircut`), applied to WETH. */
  baseCollateral?: { baseHaircut: bigint };
}

/** The configuration `deploySystem` gives the ETH market, its collaterals and their feeds (with overrides). */
export function defaultModelConfig(overrides: ModelOverrides = {}): ModelConfig {
  const zero = "0x0000000000000000000000000000000000000000";
  const market = defaultMarketConfig(zero, zero, false, overrides.market);
  return {
    params: marketParamsOf(market),
    volatility: volatilityConfigOf(defaultFeedConfig(overrides.volatility)),
    collateralVolatility: volatilityConfigOf(defaultFeedConfig()),
    usdc: collateralSetupOf(defaultCollateralConfig(zero)),
    weth: collateralSetupOf(
      defaultCollateralConfig(zero, {
        tier: 1,
        baseHaircut: 5n * 10n ** 16n,
        volZ: 3n * 10n ** 18n,
        volHorizon: 3_600,
        ...overrides.weth,
        ...(overrides.baseCollateral === undefined ? {} : { baseHaircut: overrides.baseCollateral.baseHaircut }),
      }),
    ),
    tiers: new Map(DEFAULT_TIERS.map((t) => [t.tier, fraction(t.maxLeverage)])),
  };
}

export class ModelMarket {
  constructor(
    readonly config: ModelConfig,
    readonly start: ModelStart,
  ) {}

  /** The depth refresh's configuration of the market. */
  get depthConfig(): DepthConfig {
    const p = this.config.params;
    return {
      baseIsToken0: USDC_WETH.baseIsToken0,
      baseDecimals: USDC_WETH.token1Decimals,
      quoteDecimals: USDC_WETH.token0Decimals,
      twapWindow: p.twapWindow,
      maxWalkSteps: p.maxWalkSteps,
      maxSlippage: p.maxSlippage,
      depthRisePerHour: p.depthRisePerHour,
    };
  }

  /** A fresh copy of the starting state for one policy's run (`leverage` sizes a baseline). */
  world(policy: PolicyName, leverage = 1): ModelWorld {
    const s = this.start;
    const pool = s.pool.clone();
    const feed = s.feed.clone();
    const collateralFeed = s.collateralFeed.clone();
    const volatility = s.volatility.clone();
    const collateralVolatility = s.collateralVolatility.clone();
    const engine = new ModelEngine(
      feed,
      this.config.params.maintenanceMargin,
      LIQUIDATION_BONUS,
      new Map([
        [QUOTE, { asset: QUOTE, feed: collateralFeed, decimals: 6 }],
        [BASE, { asset: BASE, feed, decimals: 18 }],
      ]),
      BASE,
    );
    const collateral = (setup: CollateralSetup, f: ModelFeed, v: ModelVolatility, decimals: number): CollateralParams => ({
      feed: f,
      volatility: v,
      decimals,
      maxPriceAge: setup.maxPriceAge,
      baseHaircut: setup.baseHaircut,
      volZ: setup.volZ,
      volHorizon: setup.volHorizon,
      leverage: this.config.tiers.get(setup.tier) ?? 0,
    });
    let hook: ConstructorParameters<typeof ModelWorld>[0]["hook"];
    if (policy === "ballast") {
      const module = new ModelBallast(
        this.config.params,
        this.depthConfig,
        feed,
        volatility,
        new Map([
          [QUOTE, collateral(this.config.usdc, collateralFeed, collateralVolatility, 6)],
          [BASE, collateral(this.config.weth, feed, volatility, 18)],
        ]),
        engine,
        () => pool,
      );
      module.depth = { ...s.depth };
      module.window = { ...s.window };
      hook = { kind: "ballast", module };
    } else {
      hook = { kind: "baseline", cap: new ModelLeverageCap(engine, tierValues(policy, leverage)) };
    }
    return new ModelWorld({
      policy,
      pool,
      orientation: USDC_WETH,
      feed,
      collateralFeed,
      volatility,
      collateralVolatility,
      engine,
      hook,
      quoteAsset: QUOTE,
      baseAsset: BASE,
      time: s.time,
      block: s.block,
    });
  }

  /**
   * The market of a chain the EVM engine set up (`deploySystem`): its configuration, and its state at the
   * latest block (the pool with its observation ring and the ticks of `profile`, the feeds' latest rounds, the
   * estimators, the depth state). Throws when the chain is not at a point the model can start from (a
   * deleverage window in use, rounds not yet folded).
   */
  static async fromChain(system: System, profile: TickSnapshot): Promise<ModelMarket> {
    const { riskModule, volatilityOracle } = system.ballast;
    const provider = system.connection.ethers.provider;
    const pool = system.environment.pool;
    const usdc = await system.environment.usdc.getAddress();
    const weth = await system.environment.weth.getAddress();
    const [marketConfig, usdcConfig, wethConfig] = await Promise.all([
      riskModule.marketConfig(ETH_MARKET),
      riskModule.collateralConfig(usdc),
      riskModule.collateralConfig(weth),
    ]);
    const tiers = new Map<number, number>();
    for (const tier of new Set([Number(usdcConfig.tier), Number(wethConfig.tier)]))
      tiers.set(tier, fraction(await riskModule.tierLeverage(tier)));
    const config: ModelConfig = {
      params: marketParamsOf(marketConfig),
      volatility: volatilityConfigOf(await volatilityOracle.feedConfig(system.feeds.eth.address)),
      collateralVolatility: volatilityConfigOf(await volatilityOracle.feedConfig(system.feeds.usdc.address)),
      usdc: collateralSetupOf(usdcConfig),
      weth: collateralSetupOf(wethConfig),
      tiers,
    };
    const latest = (await provider.getBlock("latest"))!;
    const feedOf = async (address: string) => {
      const feed = new ModelFeed(8);
      const proxy = system.feeds.eth.address === address ? system.feeds.eth.proxy : system.feeds.usdc.proxy;
      const round = await proxy.latestRoundData();
      feed.rounds.push({ answer: round.answer, updatedAt: Number(round.updatedAt) });
      const state = await volatilityOracle.feedState(address);
      if (state.cursor !== round.roundId) throw new Error(`the volatility oracle has not folded ${address}'s latest round`);
      const volatility = new ModelVolatility(volatilityConfigOf(await volatilityOracle.feedConfig(address)), {
        cursor: 0,
        referencePrice: Number(state.referencePrice),
        referenceTime: Number(state.referenceTime),
        // `VolatilityMath.fold` keeps A (sums of squared WAD log returns) at 1e36 scale and B at WAD seconds.
        a: Number(state.a) / 1e36,
        b: fraction(state.b),
        realizedSigma: fraction(state.realizedSigma),
        folded: state.folded,
      });
      return { feed, volatility };
    };
    const eth = await feedOf(system.feeds.eth.address);
    const stable = await feedOf(system.feeds.usdc.address);
    const d = await riskModule.depthState(ETH_MARKET);
    const [remaining, capacity] = await riskModule.deleverageCapacity(ETH_MARKET);
    if (remaining * 2n !== capacity - (capacity % 2n))
      throw new Error("the deleverage window is in use: the model starts from an idle window");
    const slot0 = (await pool.getFunction("slot0")()) as unknown as {
      sqrtPriceX96: bigint;
      tick: bigint;
      observationIndex: bigint;
      observationCardinality: bigint;
      observationCardinalityNext: bigint;
    };
    const observations: Observation[] = [];
    for (let i = 0; i < Number(slot0.observationCardinalityNext); i++) {
      const o = (await pool.getFunction("observations")(i)) as unknown as [bigint, bigint, bigint, boolean];
      observations.push({ blockTimestamp: Number(o[0]), tickCumulative: o[1], secondsPerLiquidityCumulativeX128: o[2], initialized: o[3] });
    }
    const seeded = ModelPool.fromSnapshot(profile, 0);
    const ticks = new Map<number, bigint>();
    for (const [tick, net] of seeded.state().ticks) {
      const onChain = ((await pool.getFunction("ticks")(tick)) as unknown as [bigint, bigint])[1];
      if (onChain !== net) throw new Error(`the pool's tick ${tick} holds liquidityNet ${onChain}, the profile ${net}`);
      ticks.set(tick, net);
    }
    const modelPool = new ModelPool({
      fee: profile.fee,
      tickSpacing: profile.tickSpacing,
      sqrtPriceX96: slot0.sqrtPriceX96,
      tick: Number(slot0.tick),
      liquidity: (await pool.getFunction("liquidity")()) as bigint,
      ticks,
      observations,
      observationIndex: Number(slot0.observationIndex),
      observationCardinality: Number(slot0.observationCardinality),
      observationCardinalityNext: Number(slot0.observationCardinalityNext),
    });
    return new ModelMarket(config, {
      pool: modelPool,
      feed: eth.feed,
      collateralFeed: stable.feed,
      volatility: eth.volatility,
      collateralVolatility: stable.volatility,
      depth: {
        down: fraction(d.down),
        up: fraction(d.up),
        walkDown: fraction(d.walkDown),
        walkUp: fraction(d.walkUp),
        readDown: fraction(d.readDown),
        readUp: fraction(d.readUp),
        twapPrice: fraction(d.twapPrice),
        updatedAt: Number(d.updatedAt),
        readSince: Number(d.readSince),
      },
      window: { level: 0, updatedAt: 0 },
      time: latest.timestamp,
      block: latest.number,
      startPrice: priceFromSqrtPriceX96(slot0.sqrtPriceX96, USDC_WETH),
    });
  }

  /**
   * The market without a chain: the replica's set-up replayed (`deploySystem`): the pool seeded from `profile`
   * (default: the generated concentrated profile at `ethPrice`) with a constant price for the hours before, a
   * reference round, six rounds ten minutes apart at ±0.13 %, the start price again, every feed folded, and
   * the depth refreshed twice in two blocks.
   */
  static synthetic(options: { config?: ModelConfig; ethPrice?: number; profile?: TickSnapshot; time?: number }): ModelMarket {
    const config = options.config ?? defaultModelConfig();
    const profile =
      options.profile ??
      generateProfile({ kind: "concentrated", spotPrice: options.ethPrice ?? 3_000, ...USDC_WETH, fee: 500, tickSpacing: 10 });
    let time = options.time ?? 1_700_000_000;
    const pool = ModelPool.fromSnapshot(profile, time - 7_200);
    const startPrice = priceFromSqrtPriceX96(pool.sqrtPriceX96, USDC_WETH);
    const feed = new ModelFeed(8);
    const collateralFeed = new ModelFeed(8);
    const volatility = new ModelVolatility(config.volatility);
    const collateralVolatility = new ModelVolatility(config.collateralVolatility);
    const publish = (price: number) => {
      feed.publish(price, time);
      collateralFeed.publish(1, time + 1);
      time += 2;
    };
    publish(startPrice);
    volatility.poke(feed, time);
    collateralVolatility.poke(collateralFeed, time);
    for (let i = 0; i < 6; i++) {
      time += 600;
      publish(startPrice * (1 + (i % 2 === 0 ? 0.0013 : -0.0013)));
    }
    publish(startPrice);
    volatility.poke(feed, time);
    collateralVolatility.poke(collateralFeed, time);
    const market = new ModelMarket(config, {
      pool,
      feed,
      collateralFeed,
      volatility,
      collateralVolatility,
      depth: { ...EMPTY_DEPTH },
      window: { level: 0, updatedAt: 0 },
      time,
      block: 1_000,
      startPrice,
    });
    // Two refreshes in two blocks, as the EVM fixture does (the first applies at once, bounded by the constant-L
    // estimate; the second cannot raise it before a confirmation period has passed).
    const module = market.world("ballast");
    let depth: DepthState = { ...EMPTY_DEPTH };
    for (let block = 1_001; block <= 1_002; block++) {
      time += 1;
      depth = refreshOnce(module, depth, time);
    }
    return new ModelMarket(config, { ...market.start, depth, time, block: 1_002 });
  }
}

/** One depth refresh of a fresh module on the market's pool. */
function refreshOnce(world: ModelWorld, depth: DepthState, time: number): DepthState {
  const module = world.module!;
  module.depth = depth;
  if (!module.refreshDepth(time)) throw new Error("the synthetic market's pool cannot serve its TWAP window");
  return module.depth;
}
