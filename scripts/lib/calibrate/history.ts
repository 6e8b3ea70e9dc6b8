/**
 * A market's history as the calibrator uses it: hourly closes (from a price path's bars or from Chainlink
 * rounds, the last price of each hour carried forward), their log returns, and the tail statistics the gap
 * floor starts from.
 */
import { InputError } from "../errors.js";
import type { PricePath } from "../prices.js";

export const HOUR = 3_600;

/** Hourly closes: `prices[i]` is the last price at or before `start + i * HOUR`. */
export interface HourlySeries {
  file: string;
  start: number;
  prices: number[];
}

/** Hourly closes of a price path (the close of the last bar opened at or before each hour). */
export function hourlyFromPath(path: PricePath): HourlySeries {
  return hourly(
    path.file,
    path.points.map((p) => ({ t: p.t, price: p.close })),
  );
}

/** Hourly closes of observations (e.g. Chainlink rounds: each answer at its `updatedAt`). */
export function hourly(file: string, observations: readonly { t: number; price: number }[]): HourlySeries {
  const first = observations[0];
  const last = observations.at(-1);
  if (first === undefined || last === undefined) throw new InputError("no observations", file);
  const start = Math.ceil(first.t / HOUR) * HOUR;
  const prices: number[] = [];
  let k = 0;
  let price = first.price;
  for (let t = start; t <= last.t; t += HOUR) {
    while (k < observations.length && observations[k]!.t <= t) price = observations[k++]!.price;
    prices.push(price);
  }
  if (prices.length < 48) throw new InputError(`needs at least 48 hours of history, found ${prices.length}`, file);
  return { file, start, prices };
}

/** Hourly log returns of a series. */
export function logReturns(series: HourlySeries): number[] {
  return series.prices.slice(1).map((p, i) => Math.log(p / series.prices[i]!));
}

/**
 * The largest adverse log-move within any window of `hours` hours: the worst fall from the window's high (for
 * longs) or rise from its low (for shorts), whichever is larger. The history's own gap floor for a reaction
 * horizon of that length (RISK-MODEL.md section 3.1).
 */
export function worstMove(series: HourlySeries, hours: number): number {
  const logs = series.prices.map((p) => Math.log(p));
  let worst = 0;
  for (let i = 1; i < logs.length; i++) {
    let high = -Infinity;
    let low = Infinity;
    for (let j = Math.max(0, i - hours); j < i; j++) {
      high = Math.max(high, logs[j]!);
      low = Math.min(low, logs[j]!);
    }
    worst = Math.max(worst, high - logs[i]!, logs[i]! - low);
  }
  return worst;
}

/** Annualized volatility of hourly log returns. */
export function annualizedVolatility(returns: readonly number[]): number {
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, returns.length - 1);
  return Math.sqrt(variance * 8_760);
}
