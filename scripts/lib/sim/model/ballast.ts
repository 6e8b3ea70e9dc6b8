/**
 * Ballast's risk module in the model engine, for one market: the account rule itself is the shared TypeScript
 * mirror (`scripts/lib/rule/account.ts`, kept equal to the contracts by the differential tests); this file
 * only feeds it the module's inputs as each action's checks read them (RISK-MODEL.md section 6), and holds the
 * state the module keeps: the depth state (`DepthLogic`), the rolling deleverage window (`DeleverageLogic`),
 * one deleverage per position per block (`KeeperLogic`).
 */
import { ownVolHaircut } from "../../riskMath.js";
import {
  type AccountInputs,
  accountStatus,
  type AccountStatus,
  type CollateralInputs,
  evaluate,
  judge,
  type Judgement,
  type MarketInputs,
  positionIn,
  PriceSource,
  type RuleInputs,
  cap as ruleCap,
} from "../../rule/account.js";
import type { ModelPool } from "../../uniswap/modelPool.js";
import { type DepthConfig, EMPTY_DEPTH, type DepthState, liveTwapPrice, refreshDepth } from "./depth.js";
import { type EngineEffects, type ModelEngine, TradeRefused } from "./engine.js";
import { type ModelFeed, ReadLevel } from "./feed.js";
import type { ModelVolatility } from "./volatility.js";

/** The module's math accepts volatility up to 10 (`RiskMath.MAX_SIGMA`) and horizons up to 7 days. */
const MAX_SIGMA = 10;
const MAX_HORIZON = 7 * 86_400;
/** The market id the model's one market has (the system's ETH market). */
export const MODEL_MARKET = 1n;

/** `IRiskTypes.MarketConfig` in natural units (the fields the rule and the module's state use). */
export interface MarketParams {
  maxPriceAge: number;
  horizon: number;
  depthMaxAge: number;
  maintenanceMargin: number;
  z: number;
  gap: number;
  kappa: number;
  kappaOI: number;
  sigmaTarget: number;
  maxDeviation: number;
  tauTrigger: number;
  tauTarget: number;
  oiCapLong: number;
  oiCapShort: number;
  twapWindow: number;
  maxWalkSteps: number;
  maxSlippage: number;
  rho: number;
  deleverageWindow: number;
  depthRisePerHour: number;
  keeperFeeRate: number;
  keeperFeeMax: number;
}

/** `IRiskTypes.CollateralConfig` in natural units, with its tier's leverage and where its volatility comes from. */
export interface CollateralParams {
  feed: ModelFeed;
  volatility: ModelVolatility | undefined;
  decimals: number;
  maxPriceAge: number;
  baseHaircut: number;
  volZ: number;
  volHorizon: number;
  leverage: number;
}

/** The leaky bucket of `DeleverageLogic` (level and last update). */
export interface WindowState {
  level: number;
  updatedAt: number;
}

/** What a deleverage did: the notional removed, the window's capacity before it, the engine's effects. */
export interface DeleverageResult {
  notional: number;
  capacity: number;
  effects: EngineEffects;
}

type Checks = "increase" | "deleverage";

export class ModelBallast {
  depth: DepthState = { ...EMPTY_DEPTH };
  window: WindowState = { level: 0, updatedAt: 0 };
  private lastDeleverage = new Map<number, number>();

  constructor(
    readonly params: MarketParams,
    readonly depthConfig: DepthConfig,
    readonly feed: ModelFeed,
    readonly volatility: ModelVolatility,
    readonly collaterals: ReadonlyMap<string, CollateralParams>,
    readonly engine: ModelEngine,
    readonly pool: () => ModelPool,
  ) {}

  /** A copy on another engine and pool (the state is copied; configuration and feeds are shared). */
  clone(engine: ModelEngine, pool: () => ModelPool): ModelBallast {
    const copy = new ModelBallast(this.params, this.depthConfig, this.feed, this.volatility, this.collaterals, engine, pool);
    copy.depth = { ...this.depth };
    copy.window = { ...this.window };
    copy.lastDeleverage = new Map(this.lastDeleverage);
    return copy;
  }

  /** `refreshDepth` at time `now`; false (state unchanged) when the contract would revert. */
  refreshDepth(now: number): boolean {
    try {
      this.depth = refreshDepth(this.depth, this.pool(), this.depthConfig, now);
      return true;
    } catch {
      return false;
    }
  }

  /** `validateIncrease` after the engine applied the trade; throws `TradeRefused` naming the failed check. */
  validateIncrease(account: number, now: number): void {
    const inputs = this.inputs(now, "increase");
    const snapshot = this.snapshot(account);
    const evaluation = evaluate(snapshot, inputs);
    if (!evaluation.ok) throw new TradeRefused(evaluation.reason);
    const a = evaluation.account;
    for (const p of a.positions) {
      const c = ruleCap(a, p, inputs);
      if (p.notional > c.cap) throw new TradeRefused(`CapExceeded(${c.cap}, ${p.notional})`);
    }
    if (a.freeEquity < 0) throw new TradeRefused("FreeEquityNegative");
  }

  /** `positionRisk(account, market)`: the position judged as a deleverage judges it (its cap for a trader). */
  positionRisk(account: number, now: number): Judgement {
    const inputs = this.inputs(now, "deleverage");
    const snapshot = this.snapshot(account);
    const evaluation = evaluate(snapshot, inputs);
    if (!evaluation.ok) throw new TradeRefused(`MarketUnpriced: ${evaluation.reason}`);
    const p = positionIn(evaluation.account, MODEL_MARKET, inputs);
    if (p === undefined) throw new TradeRefused("MarketUnpriced");
    return judge(snapshot, inputs, evaluation.account, p);
  }

  /** `accountStatus`; undefined for an account the module cannot evaluate (`OracleInvalid`). */
  accountStatus(account: number, now: number): AccountStatus | undefined {
    const status = accountStatus(this.snapshot(account), this.inputs(now, "deleverage"));
    return "unknown" in status ? undefined : status;
  }

  /** `deleverageCapacity`: what the window still allows now, and its capacity `rho * D(s_max)`. */
  windowRemaining(now: number): { remaining: number; capacity: number } {
    const capacity = Math.min(this.depth.down, this.depth.up) * this.params.rho;
    const bucket = capacity / 2;
    const drained = (bucket * (now - this.window.updatedAt)) / this.params.deleverageWindow;
    const level = Math.max(0, this.window.level - drained);
    return { remaining: Math.max(0, bucket - level), capacity };
  }

  /** `deleverage(account, market)` in block `block`; throws `TradeRefused` when the contract reverts. */
  deleverage(account: number, now: number, block: number): DeleverageResult {
    if (this.lastDeleverage.get(account) === block) throw new TradeRefused("AlreadyDeleveraged");
    const judged = this.positionRisk(account, now);
    if (judged.deleverageNotional === 0) throw new TradeRefused("NothingToDeleverage");
    const { remaining, capacity } = this.windowRemaining(now);
    if (remaining === 0 || (remaining < judged.deleverageNotional && remaining < capacity / 200))
      throw new TradeRefused("DeleverageWindowExhausted");
    const notional = Math.min(judged.deleverageNotional, remaining);
    const size = Math.abs(this.engine.accounts[account]!.position.size);
    const sizeDelta = Math.min(notional / judged.price, size);
    const fee = Math.min(notional * this.params.keeperFeeRate, this.params.keeperFeeMax);
    const effects = this.engine.reducePosition(account, sizeDelta, fee);
    this.lastDeleverage.set(account, block);
    this.window = { level: capacity / 2 - remaining + notional, updatedAt: now };
    return { notional, capacity, effects };
  }

  /** The engine's snapshot of an account, as the rule reads it. */
  snapshot(account: number): AccountInputs {
    const a = this.engine.accounts[account]!;
    return {
      collateral: [...a.balances].map(([asset, amount]) => ({ asset, amount })),
      positions: a.position.size === 0 ? [] : [{ market: MODEL_MARKET, size: a.position.size, entryPrice: a.position.entryPrice }],
      adjustments: a.ledger,
      books: new Map(),
    };
  }

  /**
   * The rule's inputs at `now` under an action's checks. Under `increase` every read must pass its checks
   * (fresh Chainlink rounds, a fresh depth state whose TWAP agrees with the price, fresh volatility) or the
   * action is refused; under `deleverage` a stale market price falls back to the live pool TWAP and a stale
   * collateral counts at its last price with its own-volatility haircut widened over its age, or for nothing.
   */
  inputs(now: number, checks: Checks): RuleInputs {
    // Reads between two changes of state see the same inputs: cached on everything they depend on.
    const key = `${now}|${checks}|${this.engine.version}|${this.feed.rounds.length}|${this.volatility.state.cursor}|${this.depth.updatedAt}|${this.depth.readSince}|${[
      ...this.collaterals.values(),
    ]
      .map((c) => `${c.feed.rounds.length}:${c.volatility?.state.cursor ?? -1}`)
      .join(",")}`;
    if (this.cache?.key === key) return this.cache.inputs;
    const inputs = this.computeInputs(now, checks);
    this.cache = { key, inputs };
    return inputs;
  }

  private cache: { key: string; inputs: RuleInputs } | undefined;

  private computeInputs(now: number, checks: Checks): RuleInputs {
    const p = this.params;
    const engine = this.engine;
    const vol = this.volatility.volatility(now);
    const fresh = this.feed.read(now, p.maxPriceAge, checks === "increase" ? ReadLevel.Strict : ReadLevel.Fresh);
    let price: number | undefined;
    let source = PriceSource.Chainlink;
    if (checks === "increase") {
      if (!fresh.ok) throw new TradeRefused("PriceInvalid");
      if (this.depth.updatedAt === 0 || now - this.depth.updatedAt > p.depthMaxAge) throw new TradeRefused("DepthStale");
      const twapPrice = this.depth.twapPrice;
      if (twapPrice === 0 || Math.abs(fresh.price! - twapPrice) > twapPrice * p.maxDeviation) throw new TradeRefused("PriceDivergence");
      if (vol.stale) throw new TradeRefused("VolatilityStale");
      price = fresh.price;
    } else if (fresh.ok) {
      price = fresh.price;
    } else {
      price = liveTwapPrice(this.pool(), now, this.depthConfig);
      source = PriceSource.LiveTwap;
    }
    const twapFresh = this.depth.updatedAt !== 0 && this.depth.twapPrice !== 0 && now - this.depth.updatedAt <= p.depthMaxAge;
    const market: MarketInputs = {
      price,
      source,
      storedTwap: twapFresh ? this.depth.twapPrice : undefined,
      sigma: Math.min(vol.sigma, MAX_SIGMA),
      horizon: p.horizon,
      z: p.z,
      gap: p.gap,
      m: p.maintenanceMargin,
      kappa: p.kappa,
      kappaOI: p.kappaOI,
      sigmaTarget: p.sigmaTarget,
      maxDeviation: p.maxDeviation,
      tauTrigger: p.tauTrigger,
      tauTarget: p.tauTarget,
      oiCapLong: p.oiCapLong,
      oiCapShort: p.oiCapShort,
      depthDown: this.depth.down,
      depthUp: this.depth.up,
      oiLong: engine.longSize,
      oiShort: engine.shortSize,
      greeks: undefined,
    };
    const collaterals = new Map<string, CollateralInputs>();
    for (const [asset, c] of this.collaterals) collaterals.set(asset, this.collateral(c, now, checks));
    return { markets: new Map([[MODEL_MARKET, market]]), collaterals };
  }

  private collateral(c: CollateralParams, now: number, checks: Checks): CollateralInputs {
    const reading = c.feed.read(now, c.maxPriceAge, checks === "increase" ? ReadLevel.Strict : ReadLevel.Fresh);
    let horizon = c.volHorizon;
    let price = reading.price;
    if (!reading.ok) {
      if (checks === "increase") throw new TradeRefused("PriceInvalid(collateral)");
      const positiveAndPast = reading.price !== undefined && reading.updatedAt <= now;
      horizon += now - reading.updatedAt;
      if (!positiveAndPast || c.volZ === 0 || horizon > MAX_HORIZON) price = undefined;
    }
    let haircut = c.baseHaircut;
    if (c.volZ !== 0 && price !== undefined) {
      const vol = c.volatility!.volatility(now);
      if (vol.stale && checks === "increase") throw new TradeRefused("VolatilityStale(collateral)");
      haircut = ownVolHaircut(haircut, Math.min(vol.sigma, MAX_SIGMA), horizon, c.volZ);
    }
    return { price, decimals: c.decimals, haircut, leverage: c.leverage };
  }
}
