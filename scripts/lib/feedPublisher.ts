import { z } from "zod";

import { formatIssues } from "./cli.js";
import { UsageError } from "./errors.js";
import type { PricePath } from "./prices.js";
import type { Round } from "./rounds.js";

/** How a simulated Chainlink feed publishes: Chainlink's deviation threshold and heartbeat, answer decimals, proxy phase. */
export interface FeedOptions {
  /** Publish when the answer moves by at least this fraction of the last published answer (default 0.005). */
  deviation?: number;
  /** Publish when this many seconds have passed since the last round (default 3600). */
  heartbeat?: number;
  /** `answer = round(price * 10^decimals)` (default 8). */
  decimals?: number;
  /** Proxy phase id: round ids are `(phase << 64) | n`, n = 1, 2, ... (default 1). */
  phase?: number;
}

const optionsSchema = z.object({
  deviation: z.number().positive().lt(1).default(0.005),
  heartbeat: z.number().int().positive().default(3600),
  decimals: z.number().int().min(0).max(18).default(8),
  phase: z.number().int().min(1).max(65_535).default(1),
});

/** A point of the observed price path: a time, a price, and the source line of its bar. */
interface Observation {
  t: number;
  price: number;
  line: number;
}

/**
 * The rounds a Chainlink feed would publish while the market follows `path`: a round whenever the answer
 * deviates from the last published answer by at least `deviation`, or `heartbeat` seconds after the last
 * round. The first observation always publishes.
 *
 * Within an OHLC bar the price goes open -> low -> high -> close when the bar closes at or above its open,
 * else open -> high -> low -> close; the four points sit at 0, 1/4, 1/2 and 3/4 of the bar (from its start
 * to the next bar's start; the last bar lasts the median bar length). Deviation is checked at each point;
 * between points the price is the last point's, and a heartbeat round is published at its due time with it.
 * The deviation is measured on the integer answers, so every round that is not a heartbeat differs from the
 * previous answer by at least `deviation`.
 * @returns Rounds with `startedAt = updatedAt`, `answeredInRound = roundId`, `line` = the source line of the bar.
 */
export function publishRounds(path: PricePath, opts: FeedOptions = {}): Round[] {
  const parsed = optionsSchema.safeParse(opts);
  if (!parsed.success) throw new UsageError(`feed options: ${formatIssues(parsed.error, "")}`);
  const { deviation, heartbeat, decimals, phase } = parsed.data;
  const phaseBits = BigInt(phase) << 64n;

  const rounds: Round[] = [];
  let lastAnswer = 0n;
  let lastTime = 0;
  const publish = (t: number, answer: bigint, line: number): void => {
    const roundId = phaseBits | BigInt(rounds.length + 1);
    const time = BigInt(t);
    rounds.push({ roundId, answer, startedAt: time, updatedAt: time, answeredInRound: roundId, line });
    lastAnswer = answer;
    lastTime = t;
  };

  let previous: Observation | undefined;
  for (const observation of observations(path)) {
    const answer = toAnswer(observation.price, decimals);
    if (previous === undefined) {
      publish(observation.t, answer, observation.line);
    } else {
      const held = toAnswer(previous.price, decimals);
      while (lastTime + heartbeat < observation.t) publish(lastTime + heartbeat, held, previous.line);
      const moved = Number(answer > lastAnswer ? answer - lastAnswer : lastAnswer - answer) / Number(lastAnswer);
      if (moved >= deviation || observation.t - lastTime >= heartbeat) publish(observation.t, answer, observation.line);
    }
    previous = observation;
  }
  return rounds;
}

/**
 * `round(price * 10^decimals)`, computed exactly on the shortest decimal form of `price` (so 2500.12345678
 * at 18 decimals is 2500123456780000000000, not the nearest double), halves rounded up.
 */
export function toAnswer(price: number, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?(?:e([-+]\d+))?$/.exec(String(price));
  if (match === null) throw new UsageError(`price ${price} is not a finite non-negative number`);
  const [, whole, fraction = "", exponent = "0"] = match;
  const digits = BigInt(whole! + fraction);
  const shift = Number(exponent) - fraction.length + decimals;
  let answer: bigint;
  if (shift >= 0) {
    answer = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    answer = digits / divisor + (2n * (digits % divisor) >= divisor ? 1n : 0n);
  }
  if (answer <= 0n) throw new UsageError(`price ${price} rounds to a non-positive answer at this number of decimals`);
  return answer;
}

/** The path as a sequence of timed prices (four per OHLC bar, one per point of a two-column path). */
function* observations(path: PricePath): Generator<Observation> {
  const { points } = path;
  const lastLength = median(points.slice(1).map((p, i) => p.t - points[i]!.t));
  for (const [i, bar] of points.entries()) {
    const line = bar.line ?? i + 2;
    if (path.kind === "price") {
      yield { t: bar.t, price: bar.close, line };
      continue;
    }
    const length = (points[i + 1]?.t ?? bar.t + lastLength) - bar.t;
    const legs = bar.close >= bar.open ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
    for (const [k, price] of legs.entries()) yield { t: bar.t + Math.floor((k * length) / legs.length), price, line };
  }
}

/** Median of the values (0 for none), rounded down to whole seconds. */
function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return Math.floor(sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
