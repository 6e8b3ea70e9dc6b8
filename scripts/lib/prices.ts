import { type CsvRow, decimalField, integerField, readCsv } from "./csv.js";
import { InputError } from "./errors.js";

/** One bar of a price path: `t` is the unix time (seconds) of the bar's open. */
export interface PricePoint {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Source line of the bar, when read from a file (for messages and for the rounds published from it). */
  line?: number;
}

/** A price path as read from a file; for the two-column form every point has open = high = low = close. */
export interface PricePath {
  file: string;
  kind: "ohlc" | "price";
  points: PricePoint[];
}

export const OHLC_HEADER = ["timestamp", "open", "high", "low", "close"] as const;
export const PRICE_HEADER = ["timestamp", "price"] as const;

/** Unix seconds fit in 32 bits until 2106; a larger value is almost always milliseconds. */
const MAX_UNIX_SECONDS = 2 ** 32;

/**
 * Reads a price path: header `timestamp,open,high,low,close` (OHLC bars) or `timestamp,price`.
 * Timestamps are unix seconds (of the bar's open), strictly ascending, not necessarily evenly spaced;
 * prices are positive decimals. Every problem is an `InputError` naming the file and line.
 */
export async function readPricePath(file: string): Promise<PricePath> {
  const { header, rows } = await readCsv(file, [OHLC_HEADER, PRICE_HEADER]);
  const kind = header.length === OHLC_HEADER.length ? "ohlc" : "price";
  const points: PricePoint[] = [];
  for (const row of rows) {
    const t = timestampField(row, file);
    const point = kind === "ohlc" ? ohlcPoint(row, file, t) : pricePoint(row, file, t);
    const previous = points.at(-1);
    if (previous !== undefined && t <= previous.t) {
      throw new InputError(`timestamps must strictly increase (${t} after ${previous.t} on line ${previous.line!})`, file, row.line);
    }
    points.push(point);
  }
  return { file, kind, points };
}

function timestampField(row: CsvRow, file: string): number {
  const t = integerField(row, "timestamp", file);
  if (t >= BigInt(MAX_UNIX_SECONDS)) {
    throw new InputError(`timestamp ${t} is not a unix time in seconds (milliseconds?)`, file, row.line);
  }
  return Number(t);
}

function positiveField(row: CsvRow, column: string, file: string): number {
  const value = decimalField(row, column, file);
  if (!(value > 0)) throw new InputError(`column "${column}": price must be positive, got ${row.fields[column]!}`, file, row.line);
  return value;
}

function pricePoint(row: CsvRow, file: string, t: number): PricePoint {
  const price = positiveField(row, "price", file);
  return { t, open: price, high: price, low: price, close: price, line: row.line };
}

function ohlcPoint(row: CsvRow, file: string, t: number): PricePoint {
  const [open, high, low, close] = (["open", "high", "low", "close"] as const).map((c) => positiveField(row, c, file)) as [
    number,
    number,
    number,
    number,
  ];
  if (high < low) throw new InputError(`high ${high} is below low ${low}`, file, row.line);
  for (const [name, value] of [
    ["open", open],
    ["close", close],
  ] as const) {
    if (value < low || value > high) throw new InputError(`${name} ${value} is outside [low ${low}, high ${high}]`, file, row.line);
  }
  return { t, open, high, low, close, line: row.line };
}

/** The largest peak-to-trough fall of the close, as a fraction of the peak (0 for a path that never falls). */
export function maxDrawdown(path: { points: readonly Pick<PricePoint, "close">[] }): number {
  let peak = -Infinity;
  let worst = 0;
  for (const { close } of path.points) {
    peak = Math.max(peak, close);
    worst = Math.max(worst, (peak - close) / peak);
  }
  return worst;
}
