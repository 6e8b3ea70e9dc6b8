/**
 * Monte Carlo paths for the calibrator, from a market's hourly history:
 *
 * - **Stationary block bootstrap** (Politis and Romano, 1994) of the real hourly log returns: blocks of
 *   geometric length (mean `meanBlock` hours) glued end to end. It keeps what a parametric model would have
 *   to guess (the fat tails of the real returns, and their volatility clustering within a block) and invents
 *   nothing the market did not do.
 * - **Stressed variants**, because a history is short and most of it calm: the bootstrap's returns scaled
 *   by a volatility multiplier, with one to three single-hour gaps (a fall, or sometimes a rise, of
 *   `gaps[0]`..`gaps[1]`) after the calm window and, on half of them, a fall leg of 20-40 % over two to five
 *   days: the shape of the crashes that made bad debt (RISK-MODEL.md section 10).
 *
 * Every path starts at the same price and is reproducible from the seed.
 */
import { Random } from "../random.js";
import type { PricePath } from "../prices.js";
import { HOUR } from "./history.js";

export interface StressOptions {
  /** Share of the paths that are stressed. */
  share: number;
  /** Volatility multiplier range. */
  volScale: readonly [number, number];
  /** Size range of a gap (a fraction, e.g. 0.15..0.25). */
  gaps: readonly [number, number];
  /** Share of gaps that are rises (short squeezes) rather than falls. */
  upShare: number;
}

export const DEFAULT_STRESS: StressOptions = { share: 0.3, volScale: [1.5, 3], gaps: [0.15, 0.25], upShare: 0.2 };

export interface PathOptions {
  count: number;
  /** Hours per path. */
  hours: number;
  /** Mean block length of the bootstrap, hours. */
  meanBlock: number;
  seed: number;
  startPrice: number;
  stress: StressOptions;
}

/** One Monte Carlo path and how it was made. */
export interface McPath {
  id: number;
  kind: "bootstrap" | "stressed";
  volScale: number;
  gaps: { hour: number; move: number }[];
  fall?: { from: number; hours: number; move: number };
  /** Hourly prices, `hours + 1` of them. */
  prices: number[];
}

/** The stationary bootstrap of `returns`: `hours` returns in blocks of mean length `meanBlock`. */
export function stationaryBootstrap(returns: readonly number[], hours: number, meanBlock: number, random: Random): number[] {
  const out: number[] = [];
  let index = random.int(0, returns.length - 1);
  for (let i = 0; i < hours; i++) {
    out.push(returns[index]!);
    index = random.next() < 1 / meanBlock ? random.int(0, returns.length - 1) : (index + 1) % returns.length;
  }
  return out;
}

/** Stressed paths first (they break unsafe parameters soonest), then bootstrap ones. */
export function generatePaths(returns: readonly number[], options: PathOptions): McPath[] {
  const random = new Random(options.seed);
  const stressed = Math.round(options.count * options.stress.share);
  const paths: McPath[] = [];
  const calm = Math.ceil(options.hours * 0.1);
  for (let id = 0; id < options.count; id++) {
    let moves = stationaryBootstrap(returns, options.hours, options.meanBlock, random);
    const path: McPath = { id, kind: id < stressed ? "stressed" : "bootstrap", volScale: 1, gaps: [], prices: [] };
    if (path.kind === "stressed") {
      const s = options.stress;
      path.volScale = random.uniform(s.volScale[0], s.volScale[1]);
      const mean = moves.reduce((a, b) => a + b, 0) / moves.length;
      moves = moves.map((r) => mean + (r - mean) * path.volScale);
      if (random.next() < 0.5) {
        const hours = random.int(48, Math.min(120, options.hours - calm - 1));
        const from = random.int(calm, options.hours - hours);
        const move = -random.uniform(0.2, 0.4);
        for (let h = from; h < from + hours; h++) moves[h]! += Math.log(1 + move) / hours;
        path.fall = { from, hours, move };
      }
      const count = random.int(1, 3);
      for (let g = 0; g < count; g++) {
        const hour = random.int(calm, options.hours - 1);
        const size = random.uniform(s.gaps[0], s.gaps[1]);
        const move = random.next() < s.upShare ? size : -size;
        moves[hour] = Math.log(1 + move);
        path.gaps.push({ hour, move });
      }
    }
    let price = options.startPrice;
    path.prices.push(price);
    for (const m of moves) {
      price *= Math.exp(m);
      path.prices.push(price);
    }
    paths.push(path);
  }
  return paths;
}

/** A path as a price path the simulator replays (one price per hour). */
export function asPricePath(path: McPath, start: number): PricePath {
  return {
    file: `${path.kind}-${path.id}`,
    kind: "price",
    points: path.prices.map((p, i) => ({ t: start + i * HOUR, open: p, high: p, low: p, close: p })),
  };
}
