import type { Contract } from "ethers";

import type { LiquiditySeeder } from "../../../typechain-types/index.js";
import { getSqrtRatioAtTick, MAX_SQRT_RATIO, MAX_TICK, maxLiquidityPerTick, mintAmounts } from "./math.js";
import { readPoolConfig, readSlot0 } from "./poolState.js";
import type { Replica, UniswapConn } from "./replica.js";
import type { TickSnapshot } from "./tickSnapshot.js";
import { topUp } from "./tokens.js";

/** One position: liquidity on [tickLower, tickUpper). */
export interface Segment {
  tickLower: number;
  tickUpper: number;
  liquidity: bigint;
}

export interface SeedOptions {
  /** Observation cardinality to grow the pool's oracle to (default 100), so that TWAP reads work. */
  cardinality?: number;
  /**
   * Positions minted per transaction (default 60). Measured: ~125k gas per position (mint, two ticks,
   * two token transfers); transactions are capped at 2^24 gas (Osaka), so keep this under ~100.
   */
  batchSize?: number;
}

/**
 * The constant-liquidity segments of a snapshot: between consecutive initialized ticks the liquidity is the
 * running sum of `liquidityNet` (negative sums within the snapshot's rounding count as 0). One position per
 * segment with non-zero liquidity reproduces every tick's `liquidityNet` (a tick between two segments of equal
 * liquidity stays initialized with net 0, as it was). A residual above the last tick (a total within rounding
 * of zero) is dropped.
 */
export function segmentsOf(snapshot: TickSnapshot): Segment[] {
  const segments: Segment[] = [];
  let running = 0n;
  snapshot.ticks.forEach((t, i) => {
    running += t.liquidityNet;
    const next = snapshot.ticks[i + 1];
    if (next !== undefined && running > 0n) segments.push({ tickLower: t.tick, tickUpper: next.tick, liquidity: running });
  });
  return segments;
}

/**
 * The price at which to initialize a pool for a snapshot: its `sqrtPriceX96` clamped into the range of its
 * `currentTick`, [sqrtRatio(t), sqrtRatio(t + 1) − 1], so that the pool's tick, and hence its active liquidity,
 * is the snapshot's. The clamp moves the price only when the snapshot sits exactly on the upper boundary (a
 * pool that swapped down to a tick boundary reports the tick below) or carries float rounding.
 */
export function initialSqrtPrice(snapshot: TickSnapshot): bigint {
  const lower = getSqrtRatioAtTick(snapshot.currentTick);
  const upper = snapshot.currentTick < MAX_TICK ? getSqrtRatioAtTick(snapshot.currentTick + 1) - 1n : MAX_SQRT_RATIO - 1n;
  return snapshot.sqrtPriceX96 < lower ? lower : snapshot.sqrtPriceX96 > upper ? upper : snapshot.sqrtPriceX96;
}

/**
 * Seeds a pool from a tick snapshot: initializes it at the snapshot's price if it is uninitialized, mints one
 * position (owned by the replica's `LiquiditySeeder`) per constant-liquidity segment (`segmentsOf`), and grows
 * the oracle's observation cardinality. The seeder is funded with exactly the tokens the mints cost, computed
 * with the pool's own rounding (WETH by deposit, other tokens by minting as their owner). On an uninitialized
 * pool, afterwards `liquidity()` equals the snapshot's running sum at its current tick (its `liquidity` up to the
 * snapshot's rounding) and `ticks(t).liquidityNet` equals every snapshot tick's `liquidityNet`. On a pool that
 * is already initialized the pool's price is kept and the positions are added to what it holds. The snapshot's
 * `fee` is not checked against the pool's; its ticks must be multiples of the pool's tick spacing.
 * @returns The number of positions minted.
 */
export async function seedPool(
  conn: UniswapConn,
  replica: Pick<Replica, "seeder">,
  pool: Contract,
  snapshot: TickSnapshot,
  opts: SeedOptions = {},
): Promise<{ positions: number }> {
  const { ethers } = conn;
  const cardinality = opts.cardinality ?? 100;
  const batchSize = opts.batchSize ?? 60;
  const config = await readPoolConfig(pool);
  const poolAddress = await pool.getAddress();
  snapshot.ticks.forEach((t, i) => {
    if (t.tick % config.tickSpacing !== 0) {
      throw new RangeError(`snapshot tick ${t.tick} (ticks[${i}]) is not a multiple of the pool's tick spacing ${config.tickSpacing}`);
    }
  });

  let slot0 = await readSlot0(pool);
  if (slot0.sqrtPriceX96 === 0n) {
    await (await pool.getFunction("initialize")(initialSqrtPrice(snapshot))).wait();
    slot0 = await readSlot0(pool);
  }

  const segments = segmentsOf(snapshot);
  const maxPerTick = maxLiquidityPerTick(config.tickSpacing);
  const gross = new Map<number, bigint>();
  let amount0 = 0n;
  let amount1 = 0n;
  for (const s of segments) {
    for (const tick of [s.tickLower, s.tickUpper]) {
      const total = (gross.get(tick) ?? 0n) + s.liquidity;
      if (total > maxPerTick) throw new RangeError(`liquidity ${total} at tick ${tick} exceeds the pool's maximum per tick ${maxPerTick}`);
      gross.set(tick, total);
    }
    const owed = mintAmounts(slot0, s.tickLower, s.tickUpper, s.liquidity);
    amount0 += owed.amount0;
    amount1 += owed.amount1;
  }
  const seederAddress = replica.seeder;
  await topUp(conn, config.token0, seederAddress, amount0);
  await topUp(conn, config.token1, seederAddress, amount1);

  const seeder = (await ethers.getContractAt("LiquiditySeeder", seederAddress)) as LiquiditySeeder;
  for (let i = 0; i < segments.length; i += batchSize) {
    const batch = segments.slice(i, i + batchSize).map((s) => ({ tickLower: s.tickLower, tickUpper: s.tickUpper, liquidity: s.liquidity }));
    // An explicit limit (under Osaka's 2^24 per transaction): anvil's estimate of a batch is sometimes short
    // of what the mints' callbacks need (observed on a separate node: reverted out of gas).
    await (await seeder.mintBatch(poolAddress, batch, { gasLimit: 16_000_000 })).wait();
  }

  if (slot0.observationCardinalityNext < cardinality) {
    await (await pool.getFunction("increaseObservationCardinalityNext")(cardinality)).wait();
  }
  return { positions: segments.length };
}
