import { type FeedOptions, publishRounds } from "../feedPublisher.js";
import { InputError } from "../errors.js";
import { maxDrawdown, type PricePath } from "../prices.js";
import type { Round } from "../rounds.js";
import type { Summary } from "../report/types.js";
import type { PathStep } from "./paths.js";

/** A replayed market: the oracle rounds it publishes, in the source's own time and prices. */
export interface Replay {
  /** What the summary reports about the source (`steps` counts its rows). */
  path: Summary["path"];
  /** One observation per oracle round: unix seconds and price, ascending in time. */
  rounds: { t: number; price: number }[];
  /** How the rounds were made: published from a price path, read from a file of Chainlink rounds, or generated. */
  origin: "published" | "chainlink" | "generated";
}

/**
 * A price path replayed as a Chainlink feed would publish it (deviation threshold and heartbeat, see
 * `publishRounds`): every published round becomes one simulation step.
 */
export function replayPrices(path: PricePath, feed: FeedOptions = {}): Replay {
  const decimals = feed.decimals ?? 8;
  const published = publishRounds(path, { ...feed, decimals });
  const first = path.points[0];
  const last = path.points.at(-1);
  if (first === undefined || last === undefined) throw new InputError("the price path has no rows", path.file);
  return {
    path: { file: path.file, steps: path.points.length, start: first.open, end: last.close, maxDrawdown: maxDrawdown(path) },
    rounds: published.map((r) => ({ t: Number(r.updatedAt), price: Number(r.answer) / 10 ** decimals })),
    origin: "published",
  };
}

/**
 * Real Chainlink rounds replayed as they were published: each round's answer at its `updatedAt`.
 * @param decimals The feed's answer decimals.
 */
export function replayRounds(file: string, rounds: readonly Round[], decimals: number): Replay {
  if (rounds.length < 2) throw new InputError(`needs at least 2 rounds, found ${rounds.length}`, file);
  const observations = rounds.map((r) => ({ t: Number(r.updatedAt), price: Number(r.answer) / 10 ** decimals }));
  return {
    path: {
      file,
      steps: rounds.length,
      start: observations[0]!.price,
      end: observations.at(-1)!.price,
      maxDrawdown: maxDrawdown({ points: observations.map((o) => ({ close: o.price })) }),
    },
    rounds: observations,
    origin: "chainlink",
  };
}

/**
 * The simulation steps of a replay on a chain whose clock reads `chainNow`: the first round `lead` seconds
 * from now and every later one at the same distance from it as in the source; prices multiplied by `scale`
 * (a replica pool seeded from a snapshot sits at its own price: the path's returns are kept, not its level).
 */
export function replaySteps(replay: Replay, chainNow: number, scale = 1, lead = 60): PathStep[] {
  const t0 = replay.rounds[0]?.t ?? 0;
  return replay.rounds.map((r) => ({ t: chainNow + lead + (r.t - t0), price: r.price * scale, publish: true }));
}

/** A generated path (e.g. `crashPath`) as a replay: one round per step, named `name` in the summary. */
export function replayGenerated(name: string, steps: readonly PathStep[]): Replay {
  const first = steps[0];
  const last = steps.at(-1);
  if (first === undefined || last === undefined) throw new Error("the generated path has no steps");
  return {
    path: {
      file: name,
      steps: steps.length,
      start: first.price,
      end: last.price,
      maxDrawdown: maxDrawdown({ points: steps.map((s) => ({ close: s.price })) }),
    },
    rounds: steps.filter((s) => s.publish).map((s) => ({ t: s.t, price: s.price })),
    origin: "generated",
  };
}
