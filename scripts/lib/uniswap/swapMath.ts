/**
 * Exact ports of the rest of the Uniswap V3 swap math (v3-core 1.0.1 `SqrtPriceMath` next-price functions and
 * `SwapMath.computeSwapStep`, exact-input only), on bigints, bit for bit as the pool computes them. With
 * `math.ts` (TickMath, the amount deltas) they let the simulator's model engine swap against a pool's ticks
 * without a chain.
 */
import { getAmount0Delta, getAmount1Delta, Q96 } from "./math.js";

const UINT256 = 2n ** 256n;
const UINT160_MAX = 2n ** 160n - 1n;
const FEE_DENOMINATOR = 1_000_000n;

function mulDiv(a: bigint, b: bigint, denominator: bigint): bigint {
  return (a * b) / denominator;
}

function mulDivRoundingUp(a: bigint, b: bigint, denominator: bigint): bigint {
  const product = a * b;
  return product / denominator + (product % denominator === 0n ? 0n : 1n);
}

function divRoundingUp(a: bigint, b: bigint): bigint {
  return a / b + (a % b === 0n ? 0n : 1n);
}

/** `SqrtPriceMath.getNextSqrtPriceFromAmount0RoundingUp` with `add = true` (token0 paid in). */
function nextSqrtPriceFromAmount0Up(sqrtPX96: bigint, liquidity: bigint, amount: bigint): bigint {
  if (amount === 0n) return sqrtPX96;
  const numerator1 = liquidity << 96n;
  const product = amount * sqrtPX96;
  // The contract takes the first form unless `amount * sqrtP` overflows 256 bits (or the sum does).
  if (product < UINT256) {
    const denominator = numerator1 + product;
    if (denominator < UINT256) return mulDivRoundingUp(numerator1, sqrtPX96, denominator);
  }
  return divRoundingUp(numerator1, numerator1 / sqrtPX96 + amount);
}

/** `SqrtPriceMath.getNextSqrtPriceFromAmount1RoundingDown` with `add = true` (token1 paid in). */
function nextSqrtPriceFromAmount1Down(sqrtPX96: bigint, liquidity: bigint, amount: bigint): bigint {
  const quotient = amount <= UINT160_MAX ? (amount << 96n) / liquidity : mulDiv(amount, Q96, liquidity);
  const next = sqrtPX96 + quotient;
  if (next > UINT160_MAX) throw new RangeError("sqrt price overflows 160 bits");
  return next;
}

/** `SqrtPriceMath.getNextSqrtPriceFromInput`. */
export function getNextSqrtPriceFromInput(sqrtPX96: bigint, liquidity: bigint, amountIn: bigint, zeroForOne: boolean): bigint {
  if (sqrtPX96 <= 0n || liquidity <= 0n) throw new RangeError("next sqrt price needs a positive price and liquidity");
  return zeroForOne
    ? nextSqrtPriceFromAmount0Up(sqrtPX96, liquidity, amountIn)
    : nextSqrtPriceFromAmount1Down(sqrtPX96, liquidity, amountIn);
}

/** One step of a swap within a single liquidity range. */
export interface SwapStep {
  sqrtRatioNextX96: bigint;
  amountIn: bigint;
  amountOut: bigint;
  feeAmount: bigint;
}

/** `SwapMath.computeSwapStep` for an exact input (`amountRemaining > 0`). */
export function computeSwapStepExactIn(
  sqrtRatioCurrentX96: bigint,
  sqrtRatioTargetX96: bigint,
  liquidity: bigint,
  amountRemaining: bigint,
  feePips: bigint,
): SwapStep {
  const zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
  const amountRemainingLessFee = mulDiv(amountRemaining, FEE_DENOMINATOR - feePips, FEE_DENOMINATOR);
  let amountIn = zeroForOne
    ? getAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, true)
    : getAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, true);
  const sqrtRatioNextX96 =
    amountRemainingLessFee >= amountIn
      ? sqrtRatioTargetX96
      : getNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne);
  const max = sqrtRatioTargetX96 === sqrtRatioNextX96;
  let amountOut: bigint;
  if (zeroForOne) {
    if (!max) amountIn = getAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, true);
    amountOut = getAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, false);
  } else {
    if (!max) amountIn = getAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, true);
    amountOut = getAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, false);
  }
  const feeAmount =
    sqrtRatioNextX96 !== sqrtRatioTargetX96 ? amountRemaining - amountIn : mulDivRoundingUp(amountIn, feePips, FEE_DENOMINATOR - feePips);
  return { sqrtRatioNextX96, amountIn, amountOut, feeAmount };
}
