/**
 * The account rule of RISK-MODEL.md section 3 in floating point: the one evaluation of an account that the
 * module computes in `contracts/logic/EvaluationLogic.sol`, `CapLogic.sol`, `BookLogic.sol` and
 * `DeleverageLogic.sol`, for the keeper's prefilter, the simulator and the reports. The contracts round in the
 * protocol's favour in WAD; `test/integration/keeper/ruleDifferential.test.ts` keeps the two equal (relative
 * 1e-9) on accounts holding options books and perpetuals across several markets.
 *
 * Units are natural: amounts in USD, sizes in base units, ratios as fractions.
 */
import { adverseMove, adverseMoveShort, Bound, deleverageAmount, minOfBounds, positionCap, stressedMove } from "../riskMath.js";
import { addGreeks, type Greeks, holdsGreeks, maxTrade, NO_GREEKS, worstLoss } from "./grid.js";

export { Bound } from "../riskMath.js";
export type { Greeks } from "./grid.js";

/** Where a position's price came from (`IRiskTypes.PriceSource`). */
export enum PriceSource {
  Chainlink = 0,
  StoredTwap = 1,
  LiveTwap = 2,
}

/** `IRiskTypes.Status`. */
export enum Status {
  Healthy = 0,
  OverCap = 1,
  OracleInvalid = 2,
}

/** A market as a deleverage-level evaluation sees it at one block. */
export interface MarketInputs {
  /** The price the evaluation uses: the fresh Chainlink round, or else the live pool TWAP; undefined: neither. */
  price: number | undefined;
  source: PriceSource;
  /** The stored pool TWAP when fresh (at most `depthMaxAge` old); undefined otherwise. */
  storedTwap: number | undefined;
  /** Effective annualized volatility (clamped to the math's domain, 10). */
  sigma: number;
  horizon: number;
  z: number;
  /** Floor of the stressed log-move (`MarketConfig.gap`; zero: none). */
  gap: number;
  m: number;
  kappa: number;
  kappaOI: number;
  sigmaTarget: number;
  maxDeviation: number;
  tauTrigger: number;
  tauTarget: number;
  oiCapLong: number;
  oiCapShort: number;
  depthDown: number;
  depthUp: number;
  /** Open interest per side, base units. */
  oiLong: number;
  oiShort: number;
  /** Greeks sizing, when the market has it. */
  greeks: { volShock: number; buffer: number } | undefined;
}

/** A collateral asset at one block; `price` undefined (or `haircut` 1) when it counts for nothing. */
export interface CollateralInputs {
  price: number | undefined;
  decimals: number;
  /** The haircut applied (own-volatility part included; widened over the round's age when stale). */
  haircut: number;
  leverage: number;
}

/** An account's snapshot from the engine, and its options books per market with Greeks sizing. */
export interface AccountInputs {
  collateral: readonly { asset: string; amount: bigint }[];
  positions: readonly { market: bigint; size: number; entryPrice: number }[];
  adjustments: number;
  books: ReadonlyMap<bigint, Greeks>;
}

export interface RuleInputs {
  markets: ReadonlyMap<bigint, MarketInputs>;
  collaterals: ReadonlyMap<string, CollateralInputs>;
}

export interface PositionEval {
  market: bigint;
  size: number;
  price: number;
  source: PriceSource;
  notional: number;
  x: number;
  /** The market's requirement: `N * (m + x)`, or its book's under Greeks sizing. */
  requirement: number;
  /** Index of its book in `AccountEval.books`, or -1. */
  book: number;
}

export interface BookEval {
  market: bigint;
  options: Greeks;
  perpSize: number;
  spot: number;
  xMax: number;
  volShock: number;
  worstLoss: number;
  optionsLoss: number;
  maintenance: number;
  requirement: number;
}

export interface AccountEval {
  equity: number;
  collateralValue: number;
  tierCapacity: number;
  notional: number;
  requirement: number;
  buffer: number;
  freeEquity: number;
  positions: PositionEval[];
  books: BookEval[];
}

export type Evaluation = { ok: true; account: AccountEval } | { ok: false; reason: string };

/** A price for one market instead of the evaluation's own (the fresh stored TWAP where it diverges). */
export interface PriceOverride {
  market: bigint;
  price: number;
}

/** The one evaluation (`EvaluationLogic.evaluate`). */
export function evaluate(account: AccountInputs, inputs: RuleInputs, override?: PriceOverride): Evaluation {
  const positions: PositionEval[] = [];
  let pnl = account.adjustments;
  for (const p of account.positions) {
    const market = inputs.markets.get(p.market);
    if (market === undefined) return { ok: false, reason: `market ${p.market} not loaded` };
    const priced = priceOf(market, p.market, override);
    if (priced === undefined) return { ok: false, reason: `market ${p.market} unpriced` };
    positions.push(position(market, p.market, p.size, priced.price, priced.source));
    pnl += p.size * (priced.price - p.entryPrice);
  }
  let collateralValue = 0;
  let tierCapacity = 0;
  for (const c of account.collateral) {
    const state = inputs.collaterals.get(c.asset);
    if (state === undefined) return { ok: false, reason: `collateral ${c.asset} not loaded` };
    if (state.price === undefined) continue;
    const adjusted = (Number(c.amount) / 10 ** state.decimals) * state.price * (1 - state.haircut);
    collateralValue += adjusted;
    tierCapacity += adjusted * state.leverage;
  }
  const equity = collateralValue + pnl;
  const books: BookEval[] = [];
  let buffer = 0;
  for (const [id, market] of inputs.markets) {
    if (market.greeks === undefined) continue;
    const options = account.books.get(id) ?? NO_GREEKS;
    const index = positions.findIndex((p) => p.market === id);
    if (!holdsGreeks(options) && index < 0) continue;
    let p: PositionEval;
    if (index >= 0) p = positions[index]!;
    else {
      const priced = priceOf(market, id, override);
      if (priced === undefined) return { ok: false, reason: `market ${id} unpriced` };
      p = position(market, id, 0, priced.price, priced.source);
    }
    const b = book(market, id, options, p.size, p.notional, p.price);
    books.push(b);
    if (index >= 0) positions[index] = { ...p, requirement: b.requirement, book: books.length - 1 };
    // Every book pays the buffer (options, a perpetual, or both): it never jumps when a hedge opens a book.
    buffer = Math.max(buffer, Math.max(0, equity) * market.greeks.buffer);
  }
  const requirement =
    positions.filter((p) => p.book < 0).reduce((sum, p) => sum + p.requirement, 0) + books.reduce((sum, b) => sum + b.requirement, 0);
  const notional = positions.reduce((sum, p) => sum + p.notional, 0);
  return {
    ok: true,
    account: {
      equity,
      collateralValue,
      tierCapacity,
      notional,
      requirement,
      buffer,
      freeEquity: equity - buffer - requirement,
      positions,
      books,
    },
  };
}

/** A position's cap and binding bound (`CapLogic.cap`). */
export function cap(a: AccountEval, p: PositionEval, inputs: RuleInputs): { cap: number; binding: Bound } {
  const market = inputs.markets.get(p.market)!;
  const isLong = p.size > 0;
  const depth = p.size === 0 ? Math.min(market.depthDown, market.depthUp) : isLong ? market.depthDown : market.depthUp;
  const capacity =
    a.equity <= 0 || a.collateralValue === 0
      ? 0
      : a.equity >= a.collateralValue
        ? a.tierCapacity
        : (a.tierCapacity * a.equity) / a.collateralValue;
  const { bounds } = positionCap({
    equity: a.equity,
    otherRequirement: a.requirement - p.requirement + a.buffer,
    sigma: market.sigma,
    horizon: market.horizon,
    z: market.z,
    m: market.m,
    isLong,
    sigmaTarget: market.sigmaTarget,
    depth,
    kappa: market.kappa,
    oiCap: Math.min(isLong ? market.oiCapLong : market.oiCapShort, depth * market.kappaOI),
    oiSide: Math.max((isLong ? market.oiLong : market.oiShort) * p.price, p.notional),
    current: p.notional,
    tierCapacity: Math.max(0, capacity - (a.notional - p.notional)),
    greeksBound: Infinity,
    gap: market.gap,
  });
  if (market.greeks !== undefined) {
    const b = p.book >= 0 ? a.books[p.book]! : book(market, p.market, NO_GREEKS, p.size, p.notional, p.price);
    bounds[Bound.LiquidationDistance - 1] = Infinity;
    bounds[Bound.Greeks - 1] = perpBound(a, p, b, market.m, market.greeks.buffer);
  }
  return minOfBounds(bounds);
}

/** A position judged as `deleverage` judges it (`DeleverageLogic.judge`): larger breach at a fresh diverging TWAP. */
export interface Judgement {
  market: bigint;
  size: number;
  price: number;
  source: PriceSource;
  notional: number;
  cap: number;
  binding: Bound;
  deleverageNotional: number;
}

export function judge(account: AccountInputs, inputs: RuleInputs, a: AccountEval, p: PositionEval): Judgement {
  let result = breach(a, p, inputs);
  const market = inputs.markets.get(p.market)!;
  if (p.source !== PriceSource.Chainlink || market.storedTwap === undefined) return result;
  if (Math.abs(p.price - market.storedTwap) <= market.storedTwap * market.maxDeviation) return result;
  const atTwap = evaluate(account, inputs, { market: p.market, price: market.storedTwap });
  if (!atTwap.ok) return result;
  const alternative = breach(atTwap.account, positionIn(atTwap.account, p.market, inputs)!, inputs);
  if (alternative.deleverageNotional > result.deleverageNotional) result = alternative;
  return result;
}

/** The account's status under the rule (`IRiskKeeper.accountStatus`); undefined when it cannot be evaluated. */
export interface AccountStatus {
  status: Status;
  equity: number;
  requirement: number;
  buffer: number;
  freeEquity: number;
  worst: Judgement | undefined;
  /** `notional / cap` of the worst position (Infinity for a zero cap). */
  ratio: number;
}

export function accountStatus(account: AccountInputs, inputs: RuleInputs): AccountStatus | { unknown: string } {
  const evaluation = evaluate(account, inputs);
  if (!evaluation.ok) return { unknown: evaluation.reason };
  const a = evaluation.account;
  let worst: Judgement | undefined;
  let ratio = 0;
  let over = false;
  a.positions.forEach((p, i) => {
    const j = judge(account, inputs, a, p);
    const r = j.cap === 0 ? Infinity : j.notional / j.cap;
    const breach = j.deleverageNotional !== 0;
    if (i === 0 || (breach && !over) || (breach === over && r > ratio)) {
      worst = j;
      ratio = r;
      over = over || breach;
    }
  });
  return {
    status: over ? Status.OverCap : Status.Healthy,
    equity: a.equity,
    requirement: a.requirement,
    buffer: a.buffer,
    freeEquity: a.freeEquity,
    worst,
    ratio,
  };
}

/** The position of `a` in `market`, or a new one (size zero) at the market's price. */
export function positionIn(a: AccountEval, market: bigint, inputs: RuleInputs): PositionEval | undefined {
  const held = a.positions.find((p) => p.market === market);
  if (held !== undefined) return held;
  const m = inputs.markets.get(market);
  if (m?.price === undefined) return undefined;
  const p = position(m, market, 0, m.price, m.source);
  return { ...p, book: a.books.findIndex((b) => b.market === market) };
}

function breach(a: AccountEval, p: PositionEval, inputs: RuleInputs): Judgement {
  const market = inputs.markets.get(p.market)!;
  const c = cap(a, p, inputs);
  return {
    market: p.market,
    size: p.size,
    price: p.price,
    source: p.source,
    notional: p.notional,
    cap: c.cap,
    binding: c.binding,
    deleverageNotional: deleverageAmount(p.notional, c.cap, market.tauTrigger, market.tauTarget),
  };
}

function priceOf(market: MarketInputs, id: bigint, override?: PriceOverride): { price: number; source: PriceSource } | undefined {
  if (override !== undefined && override.market === id) return { price: override.price, source: PriceSource.StoredTwap };
  return market.price === undefined ? undefined : { price: market.price, source: market.source };
}

function position(market: MarketInputs, id: bigint, size: number, price: number, source: PriceSource): PositionEval {
  const notional = Math.abs(size) * price;
  // A new position is stressed as a short, the worse direction.
  const x = adverseMove(stressedMove(market.sigma, market.horizon, market.z, market.gap), size > 0);
  return { market: id, size, price, source, notional, x, requirement: notional * (market.m + x), book: -1 };
}

function book(market: MarketInputs, id: bigint, options: Greeks, perpSize: number, perpNotional: number, spot: number): BookEval {
  const greeks = market.greeks!;
  const xMax = adverseMoveShort(stressedMove(market.sigma, market.horizon, market.z, market.gap));
  const total = addGreeks(options, { delta: perpSize, gamma: 0, vega: 0 });
  const worst = worstLoss(total, spot, xMax, greeks.volShock).loss;
  const maintenance = perpNotional * market.m;
  return {
    market: id,
    options,
    perpSize,
    spot,
    xMax,
    volShock: greeks.volShock,
    worstLoss: worst,
    optionsLoss: worstLoss(options, spot, xMax, greeks.volShock).loss,
    maintenance,
    requirement: maintenance + Math.max(0, worst),
  };
}

/** `BookLogic.perpBound`: the largest notional of the perpetual in its direction (or either, for a new one). */
function perpBound(a: AccountEval, p: PositionEval, b: BookEval, m: number, bufferShare: number): number {
  // The buffer of this market counts even for a new position (its book is about to exist).
  const buffer = Math.max(a.buffer, Math.max(0, a.equity) * bufferShare);
  const room = a.equity - buffer - (a.requirement - b.requirement);
  let bound = Infinity;
  for (const direction of [1, -1]) {
    if ((direction > 0 && p.size < 0) || (direction < 0 && p.size > 0)) continue;
    const units = maxTrade(b.options, { delta: direction, gamma: 0, vega: 0 }, m * b.spot, b.spot, b.xMax, b.volShock, room);
    bound = Math.min(bound, units * b.spot);
  }
  return bound;
}
