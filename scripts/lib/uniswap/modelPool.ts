/**
 * A Uniswap V3 pool in TypeScript for the simulator's model engine: the price, the active liquidity, the
 * initialized ticks (`liquidityNet`) and the oracle's observation ring, with exact ports of the pool's
 * exact-input swap loop (`UniswapV3Pool.swap`), `TickBitmap.nextInitializedTickWithinOneWord` and `Oracle`
 * (`write`, `observe` with its interpolation). Bit for bit what the pool computes, for the operations the
 * simulator uses: arbitrage to a price, selling or buying an amount, and TWAP reads. Fees are collected by
 * nobody (no fee growth is tracked: it changes no price or liquidity).
 */
import { getSqrtRatioAtTick, getTickAtSqrtRatio, MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK } from "./math.js";
import { computeSwapStepExactIn } from "./swapMath.js";
import type { TickSnapshot } from "./tickSnapshot.js";
import { initialSqrtPrice, segmentsOf } from "./liquidity.js";

/** One slot of the pool's observation ring (`Oracle.Observation`). */
export interface Observation {
  blockTimestamp: number;
  tickCumulative: bigint;
  secondsPerLiquidityCumulativeX128: bigint;
  initialized: boolean;
}

/** The pool state a model pool is built from (a snapshot's liquidity, or a chain's pool read back). */
export interface ModelPoolState {
  fee: number;
  tickSpacing: number;
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Every initialized tick and its `liquidityNet`. */
  ticks: ReadonlyMap<number, bigint>;
  observations: readonly Observation[];
  observationIndex: number;
  observationCardinality: number;
  observationCardinalityNext: number;
}

const UINT160 = 2n ** 160n;
/** What `increaseObservationCardinalityNext` writes into a slot it prepares. */
const PREPARED_SLOT: Observation = { blockTimestamp: 1, tickCumulative: 0n, secondsPerLiquidityCumulativeX128: 0n, initialized: false };

/** The pool's signed token deltas of a swap (positive = paid into the pool). */
export interface ModelSwap {
  amount0: bigint;
  amount1: bigint;
}

export class ModelPool {
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  readonly fee: number;
  readonly tickSpacing: number;
  private readonly net: Map<number, bigint>;
  /** Initialized ticks, compressed (tick / spacing), ascending. */
  private readonly compressed: number[];
  private readonly observations: Observation[];
  private observationIndex: number;
  private observationCardinality: number;
  private observationCardinalityNext: number;

  constructor(state: ModelPoolState) {
    this.fee = state.fee;
    this.tickSpacing = state.tickSpacing;
    this.sqrtPriceX96 = state.sqrtPriceX96;
    this.tick = state.tick;
    this.liquidity = state.liquidity;
    this.net = new Map(state.ticks);
    this.compressed = [...state.ticks.keys()].map((t) => t / state.tickSpacing).sort((a, b) => a - b);
    this.observations = state.observations.map((o) => ({ ...o }));
    // Slots the pool prepared for a larger ring hold a placeholder (`increaseObservationCardinalityNext`).
    while (this.observations.length < state.observationCardinalityNext) this.observations.push({ ...PREPARED_SLOT });
    this.observationIndex = state.observationIndex;
    this.observationCardinality = state.observationCardinality;
    this.observationCardinalityNext = state.observationCardinalityNext;
  }

  /**
   * A pool seeded from a snapshot as `seedPool` seeds the replica (one position per constant-liquidity
   * segment), initialized at `time` with an oracle of `cardinality` slots and no history before `time`.
   */
  static fromSnapshot(snapshot: TickSnapshot, time: number, cardinality = 100): ModelPool {
    const ticks = new Map<number, bigint>();
    for (const s of segmentsOf(snapshot)) {
      ticks.set(s.tickLower, (ticks.get(s.tickLower) ?? 0n) + s.liquidity);
      ticks.set(s.tickUpper, (ticks.get(s.tickUpper) ?? 0n) - s.liquidity);
    }
    const sqrtPriceX96 = initialSqrtPrice(snapshot);
    const tick = getTickAtSqrtRatio(sqrtPriceX96);
    let liquidity = 0n;
    for (const [t, n] of ticks) if (t <= tick) liquidity += n;
    return new ModelPool({
      fee: snapshot.fee,
      tickSpacing: snapshot.tickSpacing,
      sqrtPriceX96,
      tick,
      liquidity,
      ticks,
      observations: [{ blockTimestamp: time, tickCumulative: 0n, secondsPerLiquidityCumulativeX128: 0n, initialized: true }],
      observationIndex: 0,
      observationCardinality: 1,
      observationCardinalityNext: cardinality,
    });
  }

  clone(): ModelPool {
    return new ModelPool(this.state());
  }

  state(): ModelPoolState {
    return {
      fee: this.fee,
      tickSpacing: this.tickSpacing,
      sqrtPriceX96: this.sqrtPriceX96,
      tick: this.tick,
      liquidity: this.liquidity,
      ticks: this.net,
      observations: this.observations,
      observationIndex: this.observationIndex,
      observationCardinality: this.observationCardinality,
      observationCardinalityNext: this.observationCardinalityNext,
    };
  }

  /** `ticks(tick).liquidityNet` (zero for an uninitialized tick). */
  liquidityNet(tick: number): bigint {
    return this.net.get(tick) ?? 0n;
  }

  /**
   * `TickBitmap.nextInitializedTickWithinOneWord`: the next initialized tick at or below `tick` (`lte`) or
   * above it, within the 256-tick-spacing word of the start, else the word's boundary (not initialized).
   */
  nextInitializedTickWithinOneWord(tick: number, lte: boolean): { next: number; initialized: boolean } {
    const spacing = this.tickSpacing;
    let compressed = Math.trunc(tick / spacing);
    if (tick < 0 && tick % spacing !== 0) compressed--;
    if (lte) {
      const wordStart = compressed - mod256(compressed);
      const found = this.largestAtMost(compressed);
      if (found !== undefined && found >= wordStart) return { next: found * spacing, initialized: true };
      return { next: wordStart * spacing, initialized: false };
    }
    const start = compressed + 1;
    const wordEnd = start + (255 - mod256(start));
    const found = this.smallestAtLeast(start);
    if (found !== undefined && found <= wordEnd) return { next: found * spacing, initialized: true };
    return { next: wordEnd * spacing, initialized: false };
  }

  /**
   * The pool's swap loop for an exact input of `amountIn` (token0 when `zeroForOne`) down (up) to
   * `sqrtPriceLimitX96`, at block time `time`: writes an oracle observation when the tick changes (once per
   * block), crosses initialized ticks, updates price, tick and liquidity. Returns the pool's deltas.
   */
  swapExactIn(zeroForOne: boolean, amountIn: bigint, sqrtPriceLimitX96: bigint, time: number): ModelSwap {
    if (amountIn <= 0n) throw new RangeError("amountIn must be positive");
    const limitOk = zeroForOne
      ? sqrtPriceLimitX96 < this.sqrtPriceX96 && sqrtPriceLimitX96 > MIN_SQRT_RATIO
      : sqrtPriceLimitX96 > this.sqrtPriceX96 && sqrtPriceLimitX96 < MAX_SQRT_RATIO;
    if (!limitOk) throw new RangeError("SPL: the price limit is on the wrong side of the price");
    const startTick = this.tick;
    const liquidityStart = this.liquidity;
    const fee = BigInt(this.fee);
    let remaining = amountIn;
    let calculated = 0n;
    let sqrtPrice = this.sqrtPriceX96;
    let tick = this.tick;
    let liquidity = this.liquidity;
    while (remaining !== 0n && sqrtPrice !== sqrtPriceLimitX96) {
      const start = sqrtPrice;
      let { next, initialized } = this.nextInitializedTickWithinOneWord(tick, zeroForOne);
      if (next < MIN_TICK) next = MIN_TICK;
      else if (next > MAX_TICK) next = MAX_TICK;
      const sqrtNext = getSqrtRatioAtTick(next);
      const target = (zeroForOne ? sqrtNext < sqrtPriceLimitX96 : sqrtNext > sqrtPriceLimitX96) ? sqrtPriceLimitX96 : sqrtNext;
      const step = computeSwapStepExactIn(sqrtPrice, target, liquidity, remaining, fee);
      sqrtPrice = step.sqrtRatioNextX96;
      remaining -= step.amountIn + step.feeAmount;
      calculated -= step.amountOut;
      if (sqrtPrice === sqrtNext) {
        if (initialized) {
          const net = this.liquidityNet(next);
          liquidity = addDelta(liquidity, zeroForOne ? -net : net);
        }
        tick = zeroForOne ? next - 1 : next;
      } else if (sqrtPrice !== start) {
        tick = getTickAtSqrtRatio(sqrtPrice);
      }
    }
    if (tick !== startTick) this.write(time, startTick, liquidityStart);
    this.sqrtPriceX96 = sqrtPrice;
    this.tick = tick;
    this.liquidity = liquidity;
    const specified = amountIn - remaining;
    return zeroForOne ? { amount0: specified, amount1: calculated } : { amount0: calculated, amount1: specified };
  }

  /** `Oracle.observe`: the cumulatives `secondsAgos` before `time` (reverts `OLD` beyond the ring). */
  observe(time: number, secondsAgos: readonly number[]): { tickCumulatives: bigint[]; secondsPerLiquidityCumulativeX128s: bigint[] } {
    const tickCumulatives: bigint[] = [];
    const secondsPerLiquidityCumulativeX128s: bigint[] = [];
    for (const ago of secondsAgos) {
      const o = this.observeSingle(time, ago);
      tickCumulatives.push(o.tickCumulative);
      secondsPerLiquidityCumulativeX128s.push(o.secondsPerLiquidityCumulativeX128);
    }
    return { tickCumulatives, secondsPerLiquidityCumulativeX128s };
  }

  private observeSingle(time: number, secondsAgo: number): Observation {
    if (secondsAgo === 0) {
      const last = this.observations[this.observationIndex]!;
      return last.blockTimestamp === time ? last : transform(last, time, this.tick, this.liquidity);
    }
    const target = time - secondsAgo;
    const [beforeOrAt, atOrAfter] = this.surrounding(time, target);
    if (target === beforeOrAt.blockTimestamp) return beforeOrAt;
    if (target === atOrAfter.blockTimestamp) return atOrAfter;
    const observationTimeDelta = BigInt(atOrAfter.blockTimestamp - beforeOrAt.blockTimestamp);
    const targetDelta = BigInt(target - beforeOrAt.blockTimestamp);
    // int56 division truncates towards zero, as BigInt division does.
    const tickCumulative =
      beforeOrAt.tickCumulative + ((atOrAfter.tickCumulative - beforeOrAt.tickCumulative) / observationTimeDelta) * targetDelta;
    const spl =
      (beforeOrAt.secondsPerLiquidityCumulativeX128 +
        (((atOrAfter.secondsPerLiquidityCumulativeX128 - beforeOrAt.secondsPerLiquidityCumulativeX128 + UINT160) % UINT160) * targetDelta) /
          observationTimeDelta) %
      UINT160;
    return { blockTimestamp: target, tickCumulative, secondsPerLiquidityCumulativeX128: spl, initialized: true };
  }

  private surrounding(time: number, target: number): [Observation, Observation] {
    let beforeOrAt = this.observations[this.observationIndex]!;
    if (beforeOrAt.blockTimestamp <= target) {
      if (beforeOrAt.blockTimestamp === target) return [beforeOrAt, beforeOrAt];
      return [beforeOrAt, transform(beforeOrAt, target, this.tick, this.liquidity)];
    }
    const oldestIndex = (this.observationIndex + 1) % this.observationCardinality;
    beforeOrAt = this.observations[oldestIndex]?.initialized === true ? this.observations[oldestIndex]! : this.observations[0]!;
    if (!(beforeOrAt.blockTimestamp <= target)) throw new RangeError(`OLD: no observation at ${target} (time ${time})`);
    // Binary search over the ring, oldest first (`Oracle.binarySearch`).
    let l = oldestIndex;
    let r = l + this.observationCardinality - 1;
    for (;;) {
      const i = Math.floor((l + r) / 2);
      const before = this.observations[i % this.observationCardinality]!;
      if (!before.initialized) {
        l = i + 1;
        continue;
      }
      const after = this.observations[(i + 1) % this.observationCardinality]!;
      const targetAtOrAfter = before.blockTimestamp <= target;
      if (targetAtOrAfter && target <= after.blockTimestamp) return [before, after];
      if (!targetAtOrAfter) r = i - 1;
      else l = i + 1;
    }
  }

  /** `Oracle.write`: one observation per block, growing the ring to `observationCardinalityNext` when full. */
  private write(time: number, tick: number, liquidity: bigint): void {
    const last = this.observations[this.observationIndex]!;
    if (last.blockTimestamp === time) return;
    const cardinality =
      this.observationCardinalityNext > this.observationCardinality && this.observationIndex === this.observationCardinality - 1
        ? this.observationCardinalityNext
        : this.observationCardinality;
    const index = (this.observationIndex + 1) % cardinality;
    this.observations[index] = transform(last, time, tick, liquidity);
    this.observationIndex = index;
    this.observationCardinality = cardinality;
  }

  private largestAtMost(value: number): number | undefined {
    const a = this.compressed;
    let lo = 0;
    let hi = a.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! <= value) {
        found = a[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private smallestAtLeast(value: number): number | undefined {
    const a = this.compressed;
    let lo = 0;
    let hi = a.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! >= value) {
        found = a[mid];
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return found;
  }
}

/** `Oracle.transform`: the observation `last` carried to `time` at the given tick and liquidity. */
function transform(last: Observation, time: number, tick: number, liquidity: bigint): Observation {
  const delta = BigInt(time - last.blockTimestamp);
  return {
    blockTimestamp: time,
    tickCumulative: last.tickCumulative + BigInt(tick) * delta,
    secondsPerLiquidityCumulativeX128:
      (last.secondsPerLiquidityCumulativeX128 + (delta << 128n) / (liquidity > 0n ? liquidity : 1n)) % UINT160,
    initialized: true,
  };
}

function addDelta(liquidity: bigint, delta: bigint): bigint {
  const next = liquidity + delta;
  if (next < 0n) throw new RangeError("LS: liquidity below zero");
  return next;
}

function mod256(compressed: number): number {
  return ((compressed % 256) + 256) % 256;
}
