/**
 * Exact ports of the Uniswap V3 math the replica needs (v3-core 1.0.1 `TickMath`, `SqrtPriceMath`), on bigints,
 * and float conversions between pool prices and human prices of a base token in a quote token.
 */

export const MIN_TICK = -887_272;
export const MAX_TICK = 887_272;
export const MIN_SQRT_RATIO = 4_295_128_739n;
export const MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342n;
export const Q96 = 2n ** 96n;
const UINT256_MAX = 2n ** 256n - 1n;

/** Which pool token is the base (the priced asset) and the tokens' decimals. */
export interface Orientation {
  baseIsToken0: boolean;
  token0Decimals: number;
  token1Decimals: number;
}

const TICK_FACTORS: readonly [number, bigint][] = [
  [0x2, 0xfff97272373d413259a46990580e213an],
  [0x4, 0xfff2e50f5f656932ef12357cf3c7fdccn],
  [0x8, 0xffe5caca7e10e4e61c3624eaa0941cd0n],
  [0x10, 0xffcb9843d60f6159c9db58835c926644n],
  [0x20, 0xff973b41fa98c081472e6896dfb254c0n],
  [0x40, 0xff2ea16466c96a3843ec78b326b52861n],
  [0x80, 0xfe5dee046a99a2a811c461f1969c3053n],
  [0x100, 0xfcbe86c7900a88aedcffc83b479aa3a4n],
  [0x200, 0xf987a7253ac413176f2b074cf7815e54n],
  [0x400, 0xf3392b0822b70005940c7a398e4b70f3n],
  [0x800, 0xe7159475a2c29b7443b29c7fa6e889d9n],
  [0x1000, 0xd097f3bdfd2022b8845ad8f792aa5825n],
  [0x2000, 0xa9f746462d870fdf8a65dc1f90e061e5n],
  [0x4000, 0x70d869a156d2a1b890bb3df62baf32f7n],
  [0x8000, 0x31be135f97d08fd981231505542fcfa6n],
  [0x10000, 0x9aa508b5b7a84e1c677de54f3e99bc9n],
  [0x20000, 0x5d6af8dedb81196699c329225ee604n],
  [0x40000, 0x2216e584f5fa1ea926041bedfe98n],
  [0x80000, 0x48a170391f7dc42444e8fa2n],
];

/** `TickMath.getSqrtRatioAtTick`: sqrt(1.0001^tick) as a Q64.96, bit for bit as the pool computes it. */
export function getSqrtRatioAtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK) throw new RangeError(`tick ${tick} out of range`);
  const absTick = Math.abs(tick);
  let ratio = (absTick & 0x1) !== 0 ? 0xfffcb933bd6fad37aa2d162d1a594001n : 0x100000000000000000000000000000000n;
  for (const [bit, factor] of TICK_FACTORS) {
    if ((absTick & bit) !== 0) ratio = (ratio * factor) >> 128n;
  }
  if (tick > 0) ratio = UINT256_MAX / ratio;
  return (ratio >> 32n) + (ratio % (1n << 32n) === 0n ? 0n : 1n);
}

/** `TickMath.getTickAtSqrtRatio`: the greatest tick whose sqrt ratio is at most `sqrtPriceX96`. */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) throw new RangeError(`sqrtPriceX96 ${sqrtPriceX96} out of range`);
  // A float estimate (within a tick or two), then the exact answer by `getSqrtRatioAtTick` around it.
  const ratio = Number(sqrtPriceX96) / 2 ** 96;
  let tick = Math.min(MAX_TICK - 1, Math.max(MIN_TICK, Math.floor((2 * Math.log(ratio)) / Math.log(1.0001))));
  while (tick > MIN_TICK && getSqrtRatioAtTick(tick) > sqrtPriceX96) tick--;
  while (tick < MAX_TICK - 1 && getSqrtRatioAtTick(tick + 1) <= sqrtPriceX96) tick++;
  return tick;
}

function mulDivRoundingUp(a: bigint, b: bigint, denominator: bigint): bigint {
  const product = a * b;
  return product / denominator + (product % denominator === 0n ? 0n : 1n);
}

/** `SqrtPriceMath.getAmount0Delta`: token0 for `liquidity` between two sqrt prices. */
export function getAmount0Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const [lower, upper] = sqrtA > sqrtB ? [sqrtB, sqrtA] : [sqrtA, sqrtB];
  const numerator1 = liquidity << 96n;
  const numerator2 = upper - lower;
  if (roundUp) {
    const q = mulDivRoundingUp(numerator1, numerator2, upper);
    return q / lower + (q % lower === 0n ? 0n : 1n);
  }
  return (numerator1 * numerator2) / upper / lower;
}

/** `SqrtPriceMath.getAmount1Delta`: token1 for `liquidity` between two sqrt prices. */
export function getAmount1Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const difference = sqrtA > sqrtB ? sqrtA - sqrtB : sqrtB - sqrtA;
  return roundUp ? mulDivRoundingUp(liquidity, difference, Q96) : (liquidity * difference) / Q96;
}

/**
 * The tokens a mint of `liquidity` on [tickLower, tickUpper) pays into a pool at (`tick`, `sqrtPriceX96`),
 * exactly as `UniswapV3Pool._modifyPosition` computes them (rounded up).
 */
export function mintAmounts(
  pool: { tick: number; sqrtPriceX96: bigint },
  tickLower: number,
  tickUpper: number,
  liquidity: bigint,
): { amount0: bigint; amount1: bigint } {
  const sqrtLower = getSqrtRatioAtTick(tickLower);
  const sqrtUpper = getSqrtRatioAtTick(tickUpper);
  if (pool.tick < tickLower) return { amount0: getAmount0Delta(sqrtLower, sqrtUpper, liquidity, true), amount1: 0n };
  if (pool.tick < tickUpper) {
    return {
      amount0: getAmount0Delta(pool.sqrtPriceX96, sqrtUpper, liquidity, true),
      amount1: getAmount1Delta(sqrtLower, pool.sqrtPriceX96, liquidity, true),
    };
  }
  return { amount0: 0n, amount1: getAmount1Delta(sqrtLower, sqrtUpper, liquidity, true) };
}

/** `Tick.tickSpacingToMaxLiquidityPerTick`: the most liquidity any one tick may reference. */
export function maxLiquidityPerTick(tickSpacing: number): bigint {
  const minTick = Math.trunc(MIN_TICK / tickSpacing) * tickSpacing;
  const maxTick = Math.trunc(MAX_TICK / tickSpacing) * tickSpacing;
  return (2n ** 128n - 1n) / BigInt((maxTick - minTick) / tickSpacing + 1);
}

/** The lowest and highest ticks usable with `tickSpacing`. */
export function usableTickRange(tickSpacing: number): { min: number; max: number } {
  return { min: Math.ceil(MIN_TICK / tickSpacing) * tickSpacing, max: Math.floor(MAX_TICK / tickSpacing) * tickSpacing };
}

/** Integer square root (floor), by Newton's method from a power of two above the root. */
export function isqrt(value: bigint): bigint {
  if (value < 0n) throw new RangeError("square root of a negative number");
  if (value < 2n) return value;
  let x = 1n << BigInt(Math.ceil(value.toString(2).length / 2));
  for (;;) {
    const y = (x + value / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Raw pool price (token1 raw units per token0 raw unit) to the human price of the base in the quote. */
function basePriceFromRaw(rawPrice: number, o: Orientation): number {
  const token0InToken1 = rawPrice * 10 ** (o.token0Decimals - o.token1Decimals);
  return o.baseIsToken0 ? token0InToken1 : 1 / token0InToken1;
}

/** The base price (quote per base, human units) of a pool sqrt price. */
export function priceFromSqrtPriceX96(sqrtPriceX96: bigint, o: Orientation): number {
  const sqrt = Number(sqrtPriceX96) / 2 ** 96;
  return basePriceFromRaw(sqrt * sqrt, o);
}

/** The base price (quote per base, human units) at a tick: 1.0001^tick in raw units. */
export function priceFromTick(tick: number, o: Orientation): number {
  return basePriceFromRaw(1.0001 ** tick, o);
}

/** The pool sqrt price (Q64.96, within the pool's bounds) of a base price in quote per base (human units). */
export function sqrtPriceX96FromPrice(price: number, o: Orientation): bigint {
  if (!(price > 0) || !Number.isFinite(price)) throw new RangeError(`price must be positive and finite, got ${price}`);
  const token0InToken1 = o.baseIsToken0 ? price : 1 / price;
  const raw = token0InToken1 * 10 ** (o.token1Decimals - o.token0Decimals);
  const value = BigInt(Math.round(Math.sqrt(raw) * 2 ** 96));
  if (value < MIN_SQRT_RATIO || value >= MAX_SQRT_RATIO) throw new RangeError(`price ${price} is outside the range a pool can represent`);
  return value;
}

/** The tick of a base price (the tick whose range contains it). */
export function tickFromPrice(price: number, o: Orientation): number {
  return getTickAtSqrtRatio(sqrtPriceX96FromPrice(price, o));
}

/**
 * `sqrtPriceX96 · sqrt(factor)` for a positive `factor` (e.g. 1 − s), rounded down: the sqrt price at which
 * the raw pool price has moved by `factor`. The factor is taken to 18 decimals.
 */
export function scaleSqrtPrice(sqrtPriceX96: bigint, factor: number): bigint {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`factor must be positive and finite, got ${factor}`);
  const scale = 10n ** 18n;
  const numerator = BigInt(Math.round(factor * 1e18));
  const sqrtFactorX96 = isqrt((numerator << 192n) / scale);
  return (sqrtPriceX96 * sqrtFactorX96) >> 96n;
}
