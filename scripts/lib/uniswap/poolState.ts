import type { Contract } from "ethers";

/** The parts of a pool's `slot0` the replica uses. */
export interface Slot0 {
  sqrtPriceX96: bigint;
  tick: number;
  observationCardinality: number;
  observationCardinalityNext: number;
}

/** Reads `slot0` with typed fields. */
export async function readSlot0(pool: Contract): Promise<Slot0> {
  const s = (await pool.getFunction("slot0")()) as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, boolean];
  return {
    sqrtPriceX96: BigInt(s[0]),
    tick: Number(s[1]),
    observationCardinality: Number(s[3]),
    observationCardinalityNext: Number(s[4]),
  };
}

/** The pool's immutables: tokens, fee and tick spacing. */
export async function readPoolConfig(pool: Contract): Promise<{ token0: string; token1: string; fee: number; tickSpacing: number }> {
  const [token0, token1, fee, tickSpacing] = await Promise.all([
    pool.getFunction("token0")(),
    pool.getFunction("token1")(),
    pool.getFunction("fee")(),
    pool.getFunction("tickSpacing")(),
  ]);
  return { token0: String(token0), token1: String(token1), fee: Number(fee), tickSpacing: Number(tickSpacing) };
}

/** A tick's `liquidityGross`, `liquidityNet` and `initialized` flag. */
export async function readTick(
  pool: Contract,
  tick: number,
): Promise<{ liquidityGross: bigint; liquidityNet: bigint; initialized: boolean }> {
  const t = (await pool.getFunction("ticks")(tick)) as unknown as readonly [bigint, bigint, ...unknown[]];
  return { liquidityGross: BigInt(t[0]), liquidityNet: BigInt(t[1]), initialized: Boolean(t[7]) };
}

/** The pool's active liquidity. */
export async function readLiquidity(pool: Contract): Promise<bigint> {
  return BigInt(await pool.getFunction("liquidity")());
}
