import { readFile } from "node:fs/promises";

import { z } from "zod";

import { InputError } from "../errors.js";
import { getSqrtRatioAtTick, getTickAtSqrtRatio, MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK } from "./math.js";

/** One initialized tick of a pool. */
export interface SnapshotTick {
  tick: number;
  /** Liquidity added when the price crosses the tick upwards (signed). */
  liquidityNet: bigint;
  /** Total liquidity of the positions that reference the tick. */
  liquidityGross: bigint;
}

/**
 * The liquidity of a Uniswap V3 pool at one moment: price, active liquidity and every initialized tick.
 * Ticks are sorted ascending; the running sum of `liquidityNet` up to `currentTick` is `liquidity`.
 */
export interface TickSnapshot {
  pool?: string;
  /** Labels (symbols or addresses) of the pool's tokens, token0 < token1 by address. */
  token0: string;
  token1: string;
  token0Decimals: number;
  token1Decimals: number;
  /** In hundredths of a basis point (500 = 0.05 %). */
  fee: number;
  tickSpacing: number;
  currentTick: number;
  sqrtPriceX96: bigint;
  /** Active (in-range) liquidity. */
  liquidity: bigint;
  ticks: SnapshotTick[];
}

/**
 * Relative tolerance for the float rounding that real exports carry in their last digits: a mismatch between
 * the running sum of `liquidityNet` and `liquidity`, a total that is not exactly zero, or a running sum a hair
 * below zero, up to this fraction of the snapshot's scale, is a warning; a larger one is an error.
 */
export const SNAPSHOT_TOLERANCE = 1e-9;
const TOLERANCE_DENOMINATOR = 1_000_000_000n; // 1 / SNAPSHOT_TOLERANCE
const UINT128_MAX = 2n ** 128n - 1n;

const unsignedInteger = z.union([
  z.string().regex(/^\d+$/, "expected a non-negative base-10 integer (decimal string)"),
  z.number().int("expected an integer").nonnegative().max(Number.MAX_SAFE_INTEGER, "numbers above 2^53 must be decimal strings"),
]);
const signedInteger = z.union([
  z.string().regex(/^-?\d+$/, "expected a signed base-10 integer (decimal string)"),
  z
    .number()
    .int("expected an integer")
    .min(-Number.MAX_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER, "numbers above 2^53 must be decimal strings"),
]);
const decimals = z.number().int().min(0).max(77);

const schema = z.object({
  pool: z.string().optional(),
  token0: z.string().min(1),
  token1: z.string().min(1),
  token0Decimals: decimals,
  token1Decimals: decimals,
  fee: z.number().int().min(0).max(999_999),
  tickSpacing: z.number().int().min(1).max(16_383),
  currentTick: z.number().int().min(MIN_TICK).max(MAX_TICK),
  sqrtPriceX96: unsignedInteger,
  liquidity: unsignedInteger,
  ticks: z.array(
    z.object({
      tick: z.number().int().min(MIN_TICK).max(MAX_TICK),
      liquidityNet: signedInteger,
      liquidityGross: unsignedInteger,
    }),
  ),
});

/** A zod issue path as `ticks[3].liquidityNet`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);
/** Whether |a − b| is within the tolerance of `scale`. */
const withinTolerance = (difference: bigint, scale: bigint): boolean => abs(difference) * TOLERANCE_DENOMINATOR <= abs(scale);

/**
 * Validates a parsed tick snapshot (JSON). Every problem is an `InputError` naming `source` and the offending
 * field or tick index; a mismatch within `SNAPSHOT_TOLERANCE` (float rounding of real exports) is returned as
 * a warning instead. Checks: field types (big numbers as decimal strings), ticks strictly ascending and
 * multiples of `tickSpacing`, `liquidityGross >= |liquidityNet|`, `sqrtPriceX96` inside `currentTick`'s
 * range, the running sum of `liquidityNet` never negative and within uint128, its total ~ 0, and its
 * value at `currentTick` (ticks <= currentTick) ~ `liquidity`.
 */
export function parseTickSnapshot(json: unknown, source: string): { snapshot: TickSnapshot; warnings: string[] } {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${issue.path.length > 0 ? `${formatPath(issue.path)}: ` : ""}${issue.message}`, source);
  }
  const raw = parsed.data;
  const warnings: string[] = [];
  const snapshot: TickSnapshot = {
    ...(raw.pool === undefined ? {} : { pool: raw.pool }),
    token0: raw.token0,
    token1: raw.token1,
    token0Decimals: raw.token0Decimals,
    token1Decimals: raw.token1Decimals,
    fee: raw.fee,
    tickSpacing: raw.tickSpacing,
    currentTick: raw.currentTick,
    sqrtPriceX96: BigInt(raw.sqrtPriceX96),
    liquidity: BigInt(raw.liquidity),
    ticks: raw.ticks.map((t) => ({ tick: t.tick, liquidityNet: BigInt(t.liquidityNet), liquidityGross: BigInt(t.liquidityGross) })),
  };

  const { sqrtPriceX96, currentTick, tickSpacing } = snapshot;
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new InputError(`sqrtPriceX96: ${sqrtPriceX96} is outside [${MIN_SQRT_RATIO}, ${MAX_SQRT_RATIO})`, source);
  }
  // A pool's price lies in its tick's range [sqrt(1.0001^t), sqrt(1.0001^(t+1))), or on its upper boundary after
  // a swap down that ended exactly there. Exports that carry the price through a float land a hair outside.
  const lower = getSqrtRatioAtTick(currentTick);
  const upper = currentTick < MAX_TICK ? getSqrtRatioAtTick(currentTick + 1) : MAX_SQRT_RATIO;
  if (sqrtPriceX96 < lower || sqrtPriceX96 > upper) {
    const distance = sqrtPriceX96 < lower ? lower - sqrtPriceX96 : sqrtPriceX96 - upper;
    if (!withinTolerance(distance, sqrtPriceX96)) {
      throw new InputError(
        `currentTick: ${currentTick} does not match sqrtPriceX96 ${sqrtPriceX96} (whose tick is ${getTickAtSqrtRatio(sqrtPriceX96)})`,
        source,
      );
    }
    warnings.push(
      `sqrtPriceX96 ${sqrtPriceX96} lies just outside the range of currentTick ${currentTick} (relative ${(Number(distance) / Number(sqrtPriceX96)).toExponential(2)}, float rounding); a pool seeded from it starts at the nearest price inside that range`,
    );
  }
  if (snapshot.liquidity > UINT128_MAX) throw new InputError("liquidity: exceeds uint128", source);

  let running = 0n;
  let peak = 0n;
  let active = 0n;
  const runningSums: bigint[] = [];
  snapshot.ticks.forEach((t, i) => {
    const where = `ticks[${i}] (tick ${t.tick})`;
    if (t.tick % tickSpacing !== 0) throw new InputError(`${where}: not a multiple of tickSpacing ${tickSpacing}`, source);
    const previous = snapshot.ticks[i - 1];
    if (previous !== undefined && t.tick <= previous.tick) {
      throw new InputError(`${where}: ticks must be strictly ascending (follows tick ${previous.tick})`, source);
    }
    if (abs(t.liquidityNet) > t.liquidityGross && !withinTolerance(abs(t.liquidityNet) - t.liquidityGross, t.liquidityGross)) {
      throw new InputError(`${where}: |liquidityNet| ${abs(t.liquidityNet)} exceeds liquidityGross ${t.liquidityGross}`, source);
    }
    running += t.liquidityNet;
    if (running > UINT128_MAX) throw new InputError(`${where}: running sum of liquidityNet exceeds uint128`, source);
    if (running > peak) peak = running;
    if (t.tick <= currentTick) active = running;
    runningSums.push(running);
  });

  // Negative running sums and a non-zero total are judged against the snapshot's scale (its peak liquidity).
  runningSums.forEach((sum, i) => {
    if (sum >= 0n) return;
    const where = `ticks[${i}] (tick ${snapshot.ticks[i]!.tick})`;
    if (!withinTolerance(sum, peak)) throw new InputError(`${where}: running sum of liquidityNet goes negative (${sum})`, source);
    warnings.push(`${where}: running sum of liquidityNet is ${sum}, negative within rounding tolerance; treated as 0`);
  });
  if (running !== 0n) {
    if (!withinTolerance(running, peak)) throw new InputError(`ticks: liquidityNet sums to ${running}, not 0`, source);
    warnings.push(`ticks: liquidityNet sums to ${running}, not 0 (within rounding tolerance)`);
  }
  if (active !== snapshot.liquidity) {
    const scale = active > snapshot.liquidity ? active : snapshot.liquidity;
    if (!withinTolerance(active - snapshot.liquidity, scale)) {
      throw new InputError(
        `liquidity: ${snapshot.liquidity} differs from the running sum of liquidityNet up to currentTick ${currentTick} (${active})`,
        source,
      );
    }
    warnings.push(
      `liquidity: ${snapshot.liquidity} differs from the running sum of liquidityNet up to currentTick (${active}) by ${active - snapshot.liquidity}, within the relative tolerance ${SNAPSHOT_TOLERANCE}; the ticks are used`,
    );
  }
  return { snapshot, warnings };
}

/** Reads and validates a tick snapshot file (JSON); see `parseTickSnapshot`. Errors name the file. */
export async function readTickSnapshot(file: string): Promise<{ snapshot: TickSnapshot; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? "file not found" : `cannot read file (${code ?? String(error)})`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, file);
  }
  return parseTickSnapshot(json, file);
}

/** The running sum of `liquidityNet` over the ticks at or below `tick` (negative sums count as 0). */
export function liquidityAtTick(snapshot: TickSnapshot, tick: number): bigint {
  let running = 0n;
  for (const t of snapshot.ticks) {
    if (t.tick > tick) break;
    running += t.liquidityNet;
  }
  return running < 0n ? 0n : running;
}

/** Plain JSON (big numbers as decimal strings) in the snapshot file format. */
export function snapshotToJson(snapshot: TickSnapshot): Record<string, unknown> {
  return {
    ...(snapshot.pool === undefined ? {} : { pool: snapshot.pool }),
    token0: snapshot.token0,
    token1: snapshot.token1,
    token0Decimals: snapshot.token0Decimals,
    token1Decimals: snapshot.token1Decimals,
    fee: snapshot.fee,
    tickSpacing: snapshot.tickSpacing,
    currentTick: snapshot.currentTick,
    sqrtPriceX96: snapshot.sqrtPriceX96.toString(),
    liquidity: snapshot.liquidity.toString(),
    ticks: snapshot.ticks.map((t) => ({
      tick: t.tick,
      liquidityNet: t.liquidityNet.toString(),
      liquidityGross: t.liquidityGross.toString(),
    })),
  };
}
