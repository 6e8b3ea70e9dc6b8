import type { Contract } from "ethers";

import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, priceFromSqrtPriceX96, scaleSqrtPrice } from "./math.js";
import { readPoolConfig, readSlot0 } from "./poolState.js";
import type { Replica, UniswapConn } from "./replica.js";
import { swapThroughSwapper } from "./swap.js";
import { erc20, topUp } from "./tokens.js";

/** An exact input no swap to a price limit can exhaust (`type(int256).max`, as Uniswap's quoters use). */
const UNLIMITED = 2n ** 255n - 1n;
/** What the swapper is funded with before a depth swap (reverted afterwards): more than any pool holds. */
const DEPTH_FUNDING = 2n ** 128n;
const FEE_DENOMINATOR = 1_000_000n;

export interface DepthResult {
  /** Quote (raw units) received for selling base until the base price is down by `slippage`. */
  down: bigint;
  /** Quote (raw units) paid, fee excluded, for buying base until the base price is up by `slippage`. */
  up: bigint;
  /** Quote paid for the same purchase including the pool's fee (what the pool actually took). */
  upWithFee: bigint;
  /** Base price (quote per base, human units) before either swap. */
  startPrice: number;
}

/**
 * Exact depth of a pool by swapping against its real bytecode, each swap inside a chain snapshot that is
 * restored afterwards (the pool and balances are unchanged on return).
 *
 * `down`: sell base with an unlimited exact input and `sqrtPriceLimitX96` where the base price (quote per
 * base) is `(1 − slippage)` times the start; the quote amount is the pool's output (fees are taken from the
 * input, so the output carries none).
 *
 * `up`: buy base paying quote, unlimited exact input, limit where the base price is `(1 + slippage)` times the
 * start. The pool takes its fee on top of the input: in every swap step that reaches its target price (every
 * step here, since the input is unlimited) the step's fee is `ceil(amountIn_step × fee / (1e6 − fee))`. So the
 * total paid `P` is `N × 1e6 / (1e6 − fee)` plus less than one raw unit per step, where `N` is the input net of
 * fees. `up = floor(P × (1e6 − fee) / 1e6)`, i.e. `P` minus `ceil(P × fee / 1e6)`: never below `N`, and above it
 * by less than the number of swap steps (one per initialized tick crossed or 256-spacing bitmap word
 * entered), in raw quote units. `upWithFee` is `P`.
 */
export async function exactDepth(
  conn: UniswapConn,
  replica: Pick<Replica, "swapper">,
  pool: Contract,
  opts: { baseIsToken0: boolean; slippage: number },
): Promise<DepthResult> {
  const { baseIsToken0, slippage } = opts;
  if (!(slippage > 0 && slippage < 1)) throw new RangeError(`slippage must be in (0, 1), got ${slippage}`);
  const config = await readPoolConfig(pool);
  const [decimals0, decimals1] = await Promise.all(
    [config.token0, config.token1].map(async (token) => Number(await erc20(conn, token).getFunction("decimals")())),
  );
  const start = await readSlot0(pool);
  if (start.sqrtPriceX96 === 0n) throw new Error("the pool is not initialized");
  const startPrice = priceFromSqrtPriceX96(start.sqrtPriceX96, { baseIsToken0, token0Decimals: decimals0!, token1Decimals: decimals1! });

  // The raw price P (token1 per token0) is the base price when base is token0, its inverse otherwise.
  const limitFor = (basePriceFactor: number): bigint => {
    const target = scaleSqrtPrice(start.sqrtPriceX96, baseIsToken0 ? basePriceFactor : 1 / basePriceFactor);
    return target <= MIN_SQRT_RATIO ? MIN_SQRT_RATIO + 1n : target >= MAX_SQRT_RATIO ? MAX_SQRT_RATIO - 1n : target;
  };
  const quoteDelta = (r: { amount0: bigint; amount1: bigint }): bigint => (baseIsToken0 ? r.amount1 : r.amount0);

  const measure = async (zeroForOne: boolean, limit: bigint): Promise<bigint> => {
    const snapshot = await conn.networkHelpers.takeSnapshot();
    try {
      await topUp(conn, zeroForOne ? config.token0 : config.token1, replica.swapper, DEPTH_FUNDING);
      const result = await swapThroughSwapper(conn, replica, pool, zeroForOne, UNLIMITED, limit, replica.swapper);
      if (result.sqrtPriceX96After !== limit)
        throw new Error(`depth swap stopped at sqrtPriceX96 ${result.sqrtPriceX96After}, not ${limit}`);
      return quoteDelta(result);
    } finally {
      await snapshot.restore();
    }
  };

  // Selling base: token0 in (zeroForOne) when base is token0.
  const down = -(await measure(baseIsToken0, limitFor(1 - slippage)));
  const upWithFee = await measure(!baseIsToken0, limitFor(1 + slippage));
  const up = (upWithFee * (FEE_DENOMINATOR - BigInt(config.fee))) / FEE_DENOMINATOR;
  return { down, up, upWithFee, startPrice };
}
