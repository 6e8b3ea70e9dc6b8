/**
 * Hourly crash paths built from public knowledge of real crashes (their size, duration and worst hours as
 * widely reported; NOT exchange data): each is days of calm, a fall made of legs with the worst hours as
 * single-bar gaps, and an aftermath. Bars are OHLC, so a gap is published as Chainlink would publish it: the
 * deviation threshold fires at the bar's low (`publishRounds`). Seeded noise; the legs' sizes are exact.
 */
import { Random } from "../random.js";
import type { PricePath, PricePoint } from "../prices.js";

/** A leg of a crash: `hours` bars whose log-moves sum to `ln(1 + move)`, with some bars forced to `gaps`. */
export interface CrashLeg {
  hours: number;
  /** Total relative move of the leg, e.g. -0.3. */
  move: number;
  /** Single-bar moves inside the leg (relative, e.g. -0.21), at an hour offset within the leg. */
  gaps?: readonly { hour: number; move: number }[];
  /** Hourly noise (standard deviation of the log-move) of the leg's other bars. */
  noise: number;
}

export interface CrashSpec {
  name: string;
  /** What is known about the real event (for the report). */
  about: string;
  startPrice: number;
  /** Calm hours before the fall (annualized volatility `calmVol`). */
  calmHours: number;
  calmVol: number;
  legs: readonly CrashLeg[];
}

const HOUR = 3_600;
const HOURS_PER_YEAR = 8_760;

/**
 * The crash shapes. Sizes and worst hours are those widely reported for each event; the paths between are
 * seeded noise.
 */
export const CRASHES: readonly CrashSpec[] = [
  {
    name: "black-thursday-2020",
    about: "ETH 12-13 Mar 2020: about -55 % in 30 hours (194 to 90 USD), worst hours about -16 % and -23 %, then a partial rebound",
    startPrice: 194,
    calmHours: 72,
    calmVol: 0.8,
    legs: [
      { hours: 18, move: -0.3, gaps: [{ hour: 14, move: -0.16 }], noise: 0.02 },
      { hours: 12, move: -0.36, gaps: [{ hour: 3, move: -0.23 }], noise: 0.025 },
      { hours: 24, move: 0.25, noise: 0.02 },
    ],
  },
  {
    name: "may-19-2021",
    about: "ETH 19 May 2021: about -44 % from 3,400 to 1,900 USD in a day and a half, one hour about -20 %, rebound to 2,500 USD",
    startPrice: 3_400,
    calmHours: 72,
    calmVol: 1,
    legs: [
      { hours: 24, move: -0.2, noise: 0.015 },
      { hours: 10, move: -0.3, gaps: [{ hour: 4, move: -0.2 }], noise: 0.02 },
      { hours: 24, move: 0.3, noise: 0.02 },
    ],
  },
  {
    name: "two-weeks-61",
    about: "an asset falling about 61 % over two weeks, its worst hour -21 % (the shape of the issue's real crash)",
    startPrice: 100,
    calmHours: 72,
    calmVol: 0.9,
    legs: [
      { hours: 96, move: -0.25, gaps: [{ hour: 60, move: -0.09 }], noise: 0.012 },
      { hours: 48, move: 0.1, noise: 0.012 },
      {
        hours: 96,
        move: -0.35,
        gaps: [
          { hour: 30, move: -0.21 },
          { hour: 31, move: -0.06 },
        ],
        noise: 0.015,
      },
      { hours: 96, move: -0.25, gaps: [{ hour: 40, move: -0.12 }], noise: 0.015 },
    ],
  },
  {
    name: "june-2022",
    about: "ETH 10-18 Jun 2022 (Celsius, 3AC): about -51 % over eight days (1,800 to 880 USD), several hours of -7 % to -10 %",
    startPrice: 1_800,
    calmHours: 72,
    calmVol: 0.7,
    legs: [
      { hours: 72, move: -0.25, gaps: [{ hour: 50, move: -0.08 }], noise: 0.012 },
      {
        hours: 48,
        move: -0.2,
        gaps: [
          { hour: 20, move: -0.1 },
          { hour: 21, move: -0.07 },
        ],
        noise: 0.015,
      },
      { hours: 72, move: -0.18, gaps: [{ hour: 60, move: -0.09 }], noise: 0.014 },
    ],
  },
  {
    name: "aug-5-2024",
    about: "ETH 2-5 Aug 2024: about -30 % over three days (3,000 to 2,100 USD), worst hour about -15 %",
    startPrice: 3_000,
    calmHours: 72,
    calmVol: 0.6,
    legs: [
      { hours: 60, move: -0.15, noise: 0.01 },
      { hours: 8, move: -0.2, gaps: [{ hour: 5, move: -0.15 }], noise: 0.02 },
      { hours: 24, move: 0.12, noise: 0.015 },
    ],
  },
  {
    name: "oct-10-2025",
    about:
      "10 Oct 2025: a -10 % day then a flash fall of about -20 % within an hour as order-book depth vanished, half recovered within hours",
    startPrice: 4_300,
    calmHours: 72,
    calmVol: 0.6,
    legs: [
      { hours: 20, move: -0.1, noise: 0.01 },
      { hours: 3, move: -0.22, gaps: [{ hour: 1, move: -0.2 }], noise: 0.01 },
      { hours: 12, move: 0.12, noise: 0.015 },
    ],
  },
];

/** The hourly OHLC path of a crash (`start` unix seconds, `seed` for the noise). */
export function crashPricePath(spec: CrashSpec, seed: number, start = 1_600_000_000): PricePath {
  const random = new Random(seed);
  const moves: { move: number; gap: boolean }[] = [];
  const calmSigma = spec.calmVol / Math.sqrt(HOURS_PER_YEAR);
  for (let i = 0; i < spec.calmHours; i++) moves.push({ move: calmSigma * random.gaussian(), gap: false });
  for (const leg of spec.legs) {
    const gaps = new Map((leg.gaps ?? []).map((g) => [g.hour, Math.log(1 + g.move)]));
    const free = leg.hours - gaps.size;
    const noise = Array.from({ length: free }, () => leg.noise * random.gaussian());
    const rest = Math.log(1 + leg.move) - [...gaps.values()].reduce((a, b) => a + b, 0);
    // The free bars carry the rest of the leg, so that the leg's size is exact whatever the seed.
    const shift = (rest - noise.reduce((a, b) => a + b, 0)) / Math.max(1, free);
    let k = 0;
    for (let h = 0; h < leg.hours; h++) {
      const gap = gaps.get(h);
      moves.push(gap === undefined ? { move: noise[k++]! + shift, gap: false } : { move: gap, gap: true });
    }
  }
  const points: PricePoint[] = [];
  let price = spec.startPrice;
  for (const [i, { move, gap }] of moves.entries()) {
    const open = price;
    const close = price * Math.exp(move);
    // Intra-bar extremes: a little beyond both ends (a gap bar reaches its low, then settles a little above it).
    const wick = Math.abs(random.gaussian()) * 0.002 + 0.0005;
    const low = Math.min(open, close) * (1 - (gap ? wick / 2 : wick));
    const high = Math.max(open, close) * (1 + wick);
    points.push({ t: start + i * HOUR, open: round(open), high: round(high), low: round(low), close: round(close) });
    price = close;
  }
  return { file: spec.name, kind: "ohlc", points };
}

/** The CSV text of a price path (`timestamp,open,high,low,close`). */
export function pricePathCsv(path: PricePath): string {
  return ["timestamp,open,high,low,close", ...path.points.map((p) => `${p.t},${p.open},${p.high},${p.low},${p.close}`)].join("\n") + "\n";
}

function round(v: number): number {
  return Number(v.toPrecision(8));
}
