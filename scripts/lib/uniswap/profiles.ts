import { Random } from "../random.js";
import { getSqrtRatioAtTick, getTickAtSqrtRatio, type Orientation, sqrtPriceX96FromPrice, usableTickRange } from "./math.js";
import type { TickSnapshot } from "./tickSnapshot.js";

/** Shapes of generated liquidity. */
export type ProfileKind = "concentrated" | "wide" | "gapped" | "one-sided";

export interface ProfileOptions {
  /** Default "concentrated". */
  kind?: ProfileKind;
  /** Base price in quote per base, human units (e.g. 3000 USD per ETH). */
  spotPrice: number;
  baseIsToken0: boolean;
  token0Decimals: number;
  token1Decimals: number;
  fee: number;
  tickSpacing: number;
  /**
   * Sum of the liquidity of all generated positions (before gaps and sides are cut away). Default: 10^9 whole
   * quote tokens divided by g = sqrt(raw quote per raw base), about 1.8e19 for USDC/WETH at 3000, the order of
   * the mainnet 0.05 % pool's active liquidity.
   */
  totalLiquidity?: bigint;
  /** Seed of the position generator; default 1. */
  seed?: number;
}

interface Range {
  lower: number;
  upper: number;
  /** Relative weight of the position's liquidity. */
  weight: number;
}

/** Ticks (not spacings) of the heavy current range: ~30, like the mainnet 0.05 % pool's busiest range. */
const HEAVY_RANGE_TICKS = 30;
/** Distance from the edge of the current range to a hole, and the hole's width, in ticks (gapped kind). */
const GAP_OFFSET_TICKS = 60;
const GAP_WIDTH_TICKS = 300;

/**
 * A synthetic but realistic tick snapshot around a spot price, made of random positions (seeded):
 * - "concentrated" (default, like real pools): 55 % of the liquidity in one ~30-tick range holding the price
 *   (about two thirds of the active liquidity), 33 % in 40 positions centred within a few hundred ticks, 9 % in
 *   8 wide positions, 3 % full range;
 * - "wide": 24 positions thousands of ticks wide spread over ±5000 ticks, plus 10 % full range;
 * - "gapped": the concentrated profile with a hole of zero liquidity on each side of the current range
 *   (starting 60 ticks beyond its edges, 300 ticks wide), so a move of ~1 % crosses a stretch with no depth;
 * - "one-sided": the concentrated profile cut to the side of the spot where the BASE price is higher: no
 *   active liquidity, selling base into the pool meets none, buying base meets all of it.
 * Positions are aggregated into ticks (`liquidityNet`, `liquidityGross`) exactly as a pool would hold them.
 */
export function generateProfile(opts: ProfileOptions): TickSnapshot {
  const { spotPrice, baseIsToken0, token0Decimals, token1Decimals, fee, tickSpacing } = opts;
  const kind = opts.kind ?? "concentrated";
  if (!Number.isInteger(tickSpacing) || tickSpacing < 1) throw new RangeError(`tickSpacing must be a positive integer, got ${tickSpacing}`);
  const orientation: Orientation = { baseIsToken0, token0Decimals, token1Decimals };
  const sqrtPriceX96 = sqrtPriceX96FromPrice(spotPrice, orientation);
  const currentTick = getTickAtSqrtRatio(sqrtPriceX96);
  const total = opts.totalLiquidity ?? defaultTotalLiquidity(sqrtPriceX96, orientation);
  if (total <= 0n) throw new RangeError("totalLiquidity must be positive");

  const random = new Random(opts.seed ?? 1);
  const bounds = usableTickRange(tickSpacing);
  const align = (tick: number): number => Math.min(bounds.max, Math.max(bounds.min, Math.floor(tick / tickSpacing) * tickSpacing));
  const range = (lower: number, upper: number, weight: number): Range => {
    const lo = align(lower);
    const hi = Math.max(align(upper), lo + tickSpacing);
    return hi > bounds.max ? { lower: bounds.max - tickSpacing, upper: bounds.max, weight } : { lower: lo, upper: hi, weight };
  };

  const base = align(currentTick);
  const heavyWidth = Math.max(1, Math.round(HEAVY_RANGE_TICKS / tickSpacing)) * tickSpacing;
  // The heavy range holds the current tick: lower <= currentTick < upper.
  const heavyLower = base - Math.floor(heavyWidth / tickSpacing / 2) * tickSpacing;
  const heavy: Range = { lower: heavyLower, upper: heavyLower + heavyWidth, weight: 0.55 };

  let ranges: Range[] = [];
  if (kind === "wide") {
    for (let i = 0; i < 24; i++) {
      const centre = currentTick + 5_000 * (2 * random.next() - 1);
      const half = random.uniform(1_000, 10_000);
      ranges.push(range(centre - half, centre + half, 0.9 / 24));
    }
    ranges.push({ lower: bounds.min, upper: bounds.max, weight: 0.1 });
  } else {
    ranges.push(heavy);
    for (let i = 0; i < 40; i++) {
      const centre = currentTick + 150 * random.gaussian();
      const half = Math.max(tickSpacing, Math.exp(Math.log(60) + 0.8 * random.gaussian()));
      ranges.push(range(centre - half, centre + half, 0.33 / 40));
    }
    for (let i = 0; i < 8; i++) {
      const centre = currentTick + 800 * random.gaussian();
      const half = random.uniform(1_000, 8_000);
      ranges.push(range(centre - half, centre + half, 0.09 / 8));
    }
    ranges.push({ lower: bounds.min, upper: bounds.max, weight: 0.03 });
  }

  if (kind === "gapped") {
    // Holes of at least one tick spacing, and never reaching into the current range.
    const belowUpper = Math.min(align(heavy.lower - GAP_OFFSET_TICKS), heavy.lower - tickSpacing);
    const aboveLower = Math.max(align(heavy.upper + GAP_OFFSET_TICKS), heavy.upper + tickSpacing);
    const below = { lower: Math.min(align(belowUpper - GAP_WIDTH_TICKS), belowUpper - tickSpacing), upper: belowUpper };
    const above = { lower: aboveLower, upper: Math.max(align(aboveLower + GAP_WIDTH_TICKS), aboveLower + tickSpacing) };
    ranges = cut(cut(ranges, below), above);
  } else if (kind === "one-sided") {
    // The base price rises with the tick when base is token0, falls with it when base is token1. Active
    // positions need lower <= currentTick < upper, so keep [base + spacing, ∞) or (-∞, base].
    ranges = baseIsToken0 ? cut(ranges, { lower: bounds.min, upper: base + tickSpacing }) : cut(ranges, { lower: base, upper: bounds.max });
  }

  return aggregate(ranges, total, {
    token0: baseIsToken0 ? "BASE" : "QUOTE",
    token1: baseIsToken0 ? "QUOTE" : "BASE",
    token0Decimals,
    token1Decimals,
    fee,
    tickSpacing,
    currentTick,
    sqrtPriceX96,
  });
}

/** 10^9 whole quote tokens divided by g = sqrt(raw quote per raw base) at the price. */
function defaultTotalLiquidity(sqrtPriceX96: bigint, o: Orientation): bigint {
  const sqrtRaw = Number(sqrtPriceX96) / 2 ** 96; // sqrt(token1 raw per token0 raw)
  const g = o.baseIsToken0 ? sqrtRaw : 1 / sqrtRaw;
  const quoteDecimals = o.baseIsToken0 ? o.token1Decimals : o.token0Decimals;
  return BigInt(Math.round((1e9 * 10 ** quoteDecimals) / g));
}

/** Removes the interval [hole.lower, hole.upper) from every range, splitting ranges that straddle it. */
function cut(ranges: Range[], hole: { lower: number; upper: number }): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    if (r.upper <= hole.lower || r.lower >= hole.upper) {
      out.push(r);
      continue;
    }
    if (r.lower < hole.lower) out.push({ ...r, upper: hole.lower });
    if (r.upper > hole.upper) out.push({ ...r, lower: hole.upper });
  }
  return out;
}

/** Turns weighted ranges into a snapshot: liquidity per position = weight / Σweight · total, summed per tick. */
function aggregate(ranges: Range[], total: bigint, header: Omit<TickSnapshot, "ticks" | "liquidity" | "pool">): TickSnapshot {
  const weightSum = ranges.reduce((sum, r) => sum + r.weight, 0);
  const PRECISION = 1_000_000_000_000n;
  const ticks = new Map<number, { net: bigint; gross: bigint }>();
  const touch = (tick: number, net: bigint, gross: bigint): void => {
    const entry = ticks.get(tick) ?? { net: 0n, gross: 0n };
    ticks.set(tick, { net: entry.net + net, gross: entry.gross + gross });
  };
  for (const r of ranges) {
    const liquidity = (total * BigInt(Math.round((r.weight / weightSum) * 1e12))) / PRECISION;
    if (liquidity === 0n || r.lower >= r.upper) continue;
    touch(r.lower, liquidity, liquidity);
    touch(r.upper, -liquidity, liquidity);
  }
  const sorted = [...ticks.entries()].sort(([a], [b]) => a - b);
  let liquidity = 0n;
  for (const [tick, { net }] of sorted) if (tick <= header.currentTick) liquidity += net;
  // Sanity: the price and its tick agree (the spot was rounded to a representable sqrt price).
  if (getSqrtRatioAtTick(header.currentTick) > header.sqrtPriceX96) throw new Error("internal: current tick above the price");
  return {
    ...header,
    liquidity,
    ticks: sorted.map(([tick, { net, gross }]) => ({ tick, liquidityNet: net, liquidityGross: gross })),
  };
}
