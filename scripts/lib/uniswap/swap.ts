import { type Contract, type ContractTransactionReceipt } from "ethers";

import type { PoolSwapper } from "../../../typechain-types/index.js";
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from "./math.js";
import { readPoolConfig } from "./poolState.js";
import type { Replica, UniswapConn } from "./replica.js";
import { topUp } from "./tokens.js";

/** The pool's signed deltas of one swap (positive = paid into the pool) and its price after. */
export interface SwapResult {
  amount0: bigint;
  amount1: bigint;
  sqrtPriceX96After: bigint;
  tickAfter: number;
}

/** Swaps through the replica's `PoolSwapper` (which pays from its own balance) and decodes its `Swapped` event. */
export async function swapThroughSwapper(
  conn: UniswapConn,
  replica: Pick<Replica, "swapper">,
  pool: Contract,
  zeroForOne: boolean,
  amountSpecified: bigint,
  sqrtPriceLimitX96: bigint,
  recipient: string,
): Promise<SwapResult> {
  const swapper = (await conn.ethers.getContractAt("PoolSwapper", replica.swapper)) as PoolSwapper;
  const tx = await swapper.swap(await pool.getAddress(), zeroForOne, amountSpecified, sqrtPriceLimitX96, recipient);
  const receipt = (await tx.wait()) as ContractTransactionReceipt;
  for (const log of receipt.logs) {
    const parsed = swapper.interface.parseLog(log);
    if (parsed?.name === "Swapped") {
      return {
        amount0: BigInt(parsed.args.amount0 as bigint),
        amount1: BigInt(parsed.args.amount1 as bigint),
        sqrtPriceX96After: BigInt(parsed.args.sqrtPriceX96After as bigint),
        tickAfter: Number(parsed.args.tickAfter as bigint),
      };
    }
  }
  throw new Error("the swap emitted no Swapped event");
}

/**
 * Swaps `amountIn` of the input token (token0 if `zeroForOne`) into the pool, with no price limit beyond the
 * pool's bounds; the state persists. The input is minted (or, for WETH, deposited) for the `PoolSwapper`
 * first; the output goes to `recipient` (default the first signer). For scenarios that sell collateral into
 * the pool. Returns the pool's signed deltas: the input positive, the output negative.
 */
export async function swapExactIn(
  conn: UniswapConn,
  replica: Pick<Replica, "swapper">,
  pool: Contract,
  opts: { zeroForOne: boolean; amountIn: bigint; recipient?: string },
): Promise<SwapResult> {
  if (opts.amountIn <= 0n) throw new RangeError("amountIn must be positive");
  const config = await readPoolConfig(pool);
  await topUp(conn, opts.zeroForOne ? config.token0 : config.token1, replica.swapper, opts.amountIn);
  const recipient = opts.recipient ?? (await conn.ethers.getSigners())[0]!.address;
  const limit = opts.zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n;
  return swapThroughSwapper(conn, replica, pool, opts.zeroForOne, opts.amountIn, limit, recipient);
}
