import { Random } from "../random.js";

/** One step of a simulated path: the exogenous price at a time, and whether the oracle publishes then. */
export interface PathStep {
  t: number;
  price: number;
  /** False during an oracle outage (no round published at this step). */
  publish: boolean;
}

export interface CrashOptions {
  seed: number;
  start: number;
  startPrice: number;
  /** Step length in seconds. Default 600. */
  step?: number;
  /** Steps (from the crash's start) during which the oracle publishes nothing. Default none. */
  outage?: { from: number; steps: number };
}

/**
 * The cascade's exogenous path, 9 hours at 10-minute steps: 2 calm hours (0.3 % noise per step); then 5
 * hours down about 40 %: a slide of about -25 % with jumps (one step in six drops 3-6 %) into a -20 %
 * one-hour gap (six steps of -3.65 % each) and a last leg; then 2 hours of stabilization.
 */
export function crashPath(options: CrashOptions): PathStep[] {
  const random = new Random(options.seed);
  const step = options.step ?? 600;
  const calm = 12;
  const slide = 18;
  const gap = 6;
  const last = 6;
  const settle = 12;
  const steps: PathStep[] = [];
  let price = options.startPrice;
  const total = calm + slide + gap + last + settle;
  for (let i = 0; i < total; i++) {
    const crashStep = i - calm;
    if (i < calm) price *= 1 + 0.003 * random.gaussian();
    else if (crashStep < slide) {
      // Drift to about -25 % over three hours, with jumps.
      const jump = random.next() < 1 / 6 ? -random.uniform(0.03, 0.06) : 0;
      price *= 1 - 0.01 + 0.004 * random.gaussian() + jump;
    } else if (crashStep < slide + gap) price *= 0.8 ** (1 / gap);
    else if (crashStep < slide + gap + last) price *= 1 - 0.004 + 0.004 * random.gaussian();
    else price *= 1 + 0.004 * random.gaussian();
    const outage =
      options.outage !== undefined && crashStep >= options.outage.from && crashStep < options.outage.from + options.outage.steps;
    steps.push({ t: options.start + (i + 1) * step, price, publish: !outage });
  }
  return steps;
}

export interface CollapseOptions {
  seed: number;
  start: number;
  startPrice: number;
  /** Total fall of the collapse leg, a fraction (default 0.6: -60 %). */
  drop?: number;
  /** Step length in seconds. Default 600. */
  step?: number;
  /** Steps of calm before the collapse (default 6), of collapse (default 24), and of aftermath (default 12). */
  calmSteps?: number;
  collapseSteps?: number;
  settleSteps?: number;
}

/**
 * A thin token's collapse (CRV in Nov 2022, XVS in May 2021), 7 hours at 10-minute steps by default: an hour
 * of calm (1 % noise per step), then four hours down exactly `drop` with volatility rising along the way
 * (noise growing from 1.5 % to 4.5 % per step, and one step in five a gap of -6 % to -14 %), then two hours
 * of aftermath (3 % noise). The collapse leg's log-moves are shifted by a constant so that they sum to
 * `ln(1 - drop)` whatever the seed: the shape is random, the size is not.
 */
export function collapsePath(options: CollapseOptions): PathStep[] {
  const random = new Random(options.seed);
  const step = options.step ?? 600;
  const calm = options.calmSteps ?? 6;
  const collapse = options.collapseSteps ?? 24;
  const settle = options.settleSteps ?? 12;
  const moves: number[] = [];
  for (let i = 0; i < calm; i++) moves.push(0.01 * random.gaussian());
  const leg: number[] = [];
  for (let i = 0; i < collapse; i++) {
    const noise = (0.015 + (0.03 * i) / Math.max(1, collapse - 1)) * random.gaussian();
    const gap = random.next() < 0.2 ? Math.log(1 - random.uniform(0.06, 0.14)) : 0;
    leg.push(noise + gap);
  }
  const shift = (Math.log(1 - (options.drop ?? 0.6)) - leg.reduce((a, b) => a + b, 0)) / collapse;
  moves.push(...leg.map((m) => m + shift));
  for (let i = 0; i < settle; i++) moves.push(0.03 * random.gaussian());
  let price = options.startPrice;
  return moves.map((move, i) => {
    price *= Math.exp(move);
    return { t: options.start + (i + 1) * step, price, publish: true };
  });
}
