/**
 * The module's depth state in the model engine: `DepthLogic.refresh` over a `ModelPool`, with `PoolReader`'s
 * TWAP read, tick walks (each with its budget of `maxWalkSteps` bitmap words and initialized ticks: the walk from
 * the spot tick to the TWAP tick fails, and the refresh with it, when it runs out; a walk down or up yields the depth
 * reached so far), the confirmation period of a rise and `DepthMath` in floating point (RISK-MODEL.md section 5).
 * Amounts in USD.
 */
import { MAX_TICK, MIN_TICK } from "../../uniswap/math.js";
import type { ModelPool } from "../../uniswap/modelPool.js";

/** `IRiskTypes.DepthState` in natural units. */
export interface DepthState {
  down: number;
  up: number;
  walkDown: number;
  walkUp: number;
  readDown: number;
  readUp: number;
  twapPrice: number;
  updatedAt: number;
  readSince: number;
}

/** The market configuration the refresh reads. */
export interface DepthConfig {
  baseIsToken0: boolean;
  baseDecimals: number;
  quoteDecimals: number;
  twapWindow: number;
  maxWalkSteps: number;
  maxSlippage: number;
  depthRisePerHour: number;
}

export const EMPTY_DEPTH: Readonly<DepthState> = {
  down: 0,
  up: 0,
  walkDown: 0,
  walkUp: 0,
  readDown: 0,
  readUp: 0,
  twapPrice: 0,
  updatedAt: 0,
  readSince: 0,
};

/** Why a refresh failed (the contract reverts: the state is unchanged). */
export class DepthRefreshError extends Error {
  override readonly name = "DepthRefreshError";
}

/** `DepthMath`'s `0.5 * ln(1.0001)`. */
const HALF_LN_TICK_BASE = 0.5 * Math.log(1.0001);
const MAX_EXPONENT = 41;
/** `sqrtQuotePerBaseDown` subtracts one part in 1e9 (and a wei). */
const SAFETY = 1 - 1e-9;

/** `DepthMath.sqrtQuotePerBaseDown`: sqrt(raw quote per raw base) at `tick`. */
export function sqrtQuotePerBase(tick: number, baseIsToken0: boolean): number {
  const exponent = (baseIsToken0 ? tick : -tick) * HALF_LN_TICK_BASE;
  if (Math.abs(tick * HALF_LN_TICK_BASE) > MAX_EXPONENT) throw new DepthRefreshError(`TickOutOfDomain(${tick})`);
  return Math.exp(exponent) * SAFETY;
}

/** `DepthMath.basePrice`: the base price (quote per base, human units) of `g`. */
export function basePrice(g: number, baseDecimals: number, quoteDecimals: number): number {
  return g * g * 10 ** (baseDecimals - quoteDecimals);
}

/** `PoolReader.twap`: the TWAP tick and harmonic-mean liquidity over `window` seconds before `now`. */
export function twap(pool: ModelPool, now: number, window: number): { tick: number; meanLiquidity: bigint } {
  let observed;
  try {
    observed = pool.observe(now, [window, 0]);
  } catch (error) {
    throw new DepthRefreshError(`PoolObserveFailed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const delta = observed.tickCumulatives[1]! - observed.tickCumulatives[0]!;
  const span = BigInt(window);
  let tick = delta / span;
  if (delta < 0n && delta % span !== 0n) tick--;
  const perLiquidity = observed.secondsPerLiquidityCumulativeX128s[1]! - observed.secondsPerLiquidityCumulativeX128s[0]!;
  return { tick: Number(tick), meanLiquidity: perLiquidity === 0n ? 0n : (span << 128n) / perLiquidity };
}

/** The pool's TWAP price over `window` read at `now` (`PriceLogic.liveTwap`); undefined when it cannot be read. */
export function liveTwapPrice(pool: ModelPool, now: number, config: DepthConfig): number | undefined {
  try {
    const { tick } = twap(pool, now, config.twapWindow);
    return basePrice(sqrtQuotePerBase(tick, config.baseIsToken0), config.baseDecimals, config.quoteDecimals);
  } catch {
    return undefined;
  }
}

/** A tick walk's step budget (`PoolReader.Walk`). */
class Walk {
  steps = 0;

  constructor(
    readonly pool: ModelPool,
    readonly baseIsToken0: boolean,
    readonly maxSteps: number,
  ) {}

  exhausted(): boolean {
    return this.steps >= this.maxSteps;
  }

  next(tick: number, lte: boolean): { next: number; initialized: boolean } {
    if (this.exhausted()) throw new DepthRefreshError(`WalkTruncated(${this.steps})`);
    this.steps++;
    return this.pool.nextInitializedTickWithinOneWord(tick, lte);
  }
}

function addLiquidity(liquidity: bigint, delta: bigint): bigint {
  return delta < 0n && -delta > liquidity ? 0n : liquidity + delta;
}

/** `PoolReader.liquidityAt`: the in-range liquidity at `toTick`, crossing initialized ticks from `fromTick`. */
function liquidityAt(w: Walk, fromTick: number, liquidity: bigint, toTick: number): bigint {
  let tick = fromTick;
  if (toTick > fromTick) {
    while (tick < toTick) {
      const { next, initialized } = w.next(tick, false);
      if (next > toTick) break;
      if (initialized) liquidity = addLiquidity(liquidity, w.pool.liquidityNet(next));
      tick = next;
    }
  } else {
    while (tick > toTick) {
      const { next, initialized } = w.next(tick, true);
      if (next <= toTick) break;
      if (initialized) liquidity = addLiquidity(liquidity, -w.pool.liquidityNet(next));
      tick = next - 1;
    }
  }
  return liquidity;
}

/** `PoolReader.startAndTarget`. */
function startAndTarget(tick: number, baseIsToken0: boolean, slippage: number, down: boolean): { target: number; start: number } {
  const ticksUp = down !== baseIsToken0;
  const behind = sqrtQuotePerBase(ticksUp ? tick : tick + 1, baseIsToken0);
  const start = sqrtQuotePerBase(ticksUp ? tick + 1 : tick, baseIsToken0);
  return { target: behind * Math.sqrt(down ? 1 - slippage : 1 + slippage), start };
}

function between(liquidity: bigint, g: number, gNext: number, down: boolean): number {
  if (down ? gNext >= g : gNext <= g) return 0;
  return Number(liquidity) * Math.abs(g - gNext);
}

/** `PoolReader.walkDepth`: raw quote to move the base price by `slippage` from `startTick`, walking ticks. */
function walkDepth(w: Walk, startTick: number, liquidity: bigint, slippage: number, down: boolean): number {
  const ticksUp = down !== w.baseIsToken0;
  const { target } = startAndTarget(startTick, w.baseIsToken0, slippage, down);
  let g = startAndTarget(startTick, w.baseIsToken0, slippage, down).start;
  let quote = 0;
  let tick = startTick;
  for (;;) {
    // Out of steps: the depth reached so far.
    if (w.exhausted()) return quote;
    let { next, initialized } = w.next(tick, !ticksUp);
    if (next < MIN_TICK) next = MIN_TICK;
    if (next > MAX_TICK) next = MAX_TICK;
    const gNext = sqrtQuotePerBase(next, w.baseIsToken0);
    if (down ? gNext <= target : gNext >= target) return quote + between(liquidity, g, target, down);
    quote += between(liquidity, g, gNext, down);
    if (next === MIN_TICK || next === MAX_TICK) return quote;
    if (initialized) {
      const net = w.pool.liquidityNet(next);
      liquidity = addLiquidity(liquidity, ticksUp ? net : -net);
    }
    g = gNext;
    tick = ticksUp ? next : next - 1;
  }
}

/** One side of a refresh (`DepthLogic.Side`). */
interface Side {
  walk: number;
  reading: number;
  least: number;
  estimate: number;
}

/**
 * `DepthLogic._smooth`: from zero the reading at once, at most the constant-L estimate; a lower reading at once; a
 * higher one only at the end of a complete confirmation period, towards its lowest reading, by at most `risePerHour`.
 */
function smooth(side: Side, complete: boolean, elapsed: number, risePerHour: number): number {
  if (side.walk === 0) return Math.min(side.reading, side.estimate);
  if (side.reading <= side.walk) return side.reading;
  if (!complete || side.least <= side.walk) return side.walk;
  return Math.min(side.least, side.walk + (side.walk * risePerHour * elapsed) / 3_600);
}

/**
 * `DepthLogic.refresh` at time `now`: the new depth state, or a `DepthRefreshError` (the pool cannot serve the
 * window, or the walk from the spot tick to the TWAP tick needs more steps than allowed) that leaves the state as it
 * was.
 */
export function refreshDepth(state: DepthState, pool: ModelPool, config: DepthConfig, now: number): DepthState {
  const { tick: twapTick, meanLiquidity } = twap(pool, now, config.twapWindow);
  const g = sqrtQuotePerBase(twapTick, config.baseIsToken0);
  const walk = new Walk(pool, config.baseIsToken0, config.maxWalkSteps);
  const liquidity = liquidityAt(walk, pool.tick, pool.liquidity, twapTick);
  const toUsd = 10 ** config.quoteDecimals;
  walk.steps = 0;
  const readDown = walkDepth(walk, twapTick, liquidity, config.maxSlippage, true) / toUsd;
  walk.steps = 0;
  const readUp = walkDepth(walk, twapTick, liquidity, config.maxSlippage, false) / toUsd;
  const first = state.readSince === 0;
  const complete = !first && now >= state.readSince + config.twapWindow;
  const elapsed = now - state.readSince;
  const constant = (down: boolean): number => {
    const { target, start } = startAndTarget(twapTick, config.baseIsToken0, config.maxSlippage, down);
    if (down ? target >= start : target <= start) return 0;
    return (Number(meanLiquidity) * Math.abs(start - target)) / toUsd;
  };
  const downSide = { walk: state.walkDown, reading: readDown, least: Math.min(state.readDown, readDown), estimate: constant(true) };
  const upSide = { walk: state.walkUp, reading: readUp, least: Math.min(state.readUp, readUp), estimate: constant(false) };
  const walkDown = smooth(downSide, complete, elapsed, config.depthRisePerHour);
  const walkUp = smooth(upSide, complete, elapsed, config.depthRisePerHour);
  const restart = first || complete;
  return {
    down: Math.min(walkDown, downSide.estimate),
    up: Math.min(walkUp, upSide.estimate),
    walkDown,
    walkUp,
    readDown: restart ? readDown : downSide.least,
    readUp: restart ? readUp : upSide.least,
    twapPrice: basePrice(g, config.baseDecimals, config.quoteDecimals),
    updatedAt: now,
    readSince: restart ? now : state.readSince,
  };
}
