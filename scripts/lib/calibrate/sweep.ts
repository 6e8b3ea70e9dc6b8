/**
 * The calibrator's search: the parameter set that maximizes calm-market capacity subject to the user's target
 * (zero bad debt on at least `target` of the paths; at most `maxDeleveragedShare` of the positions deleveraged
 * on the calm paths), by coordinate search over `AXES` from the defaults:
 *
 * 1. every value of the gap floor on the whole screening set (no early stop): the frontier of capacity against
 *    bad-debt probability as the floor rises;
 * 2. each other axis in turn, values tried with the best set so far, each candidate stopped as soon as its
 *    failures exceed what the target allows (the stressed paths come first: an unsafe set fails early);
 * 3. a second pass over the axes (what changed may move the best value of another);
 * 4. the best set confirmed on every path; should it fail, the next best is confirmed instead.
 *
 * A candidate's capacity is Ballast's calm capacity averaged over the bootstrap (unstressed) paths evaluated.
 */
import type { PathOutcome } from "./evaluate.js";
import type { McPath } from "./paths.js";
import type { EvaluatorPool } from "./pool.js";
import { AXES, type Candidate, candidateKey, defaultCandidate } from "./space.js";

/** Bad debt below this (USD) is rounding, not a failure. */
export const BAD_DEBT_EPSILON = 1;

export interface SweepOptions {
  /** Share of paths that must end with zero bad debt (e.g. 0.999). */
  target: number;
  /** Largest share of positions deleveraged on the calm paths. */
  maxDeleveragedShare: number;
  /** Path ids of the screening set (stressed first) and of the full set. */
  screen: readonly number[];
  all: readonly number[];
  /** Paths per batch sent to a worker. */
  batch?: number;
  onProgress?: (done: number, total: number, note: string) => void;
}

export interface CandidateResult {
  key: string;
  candidate: Candidate;
  /** Paths evaluated, and those that ended with bad debt. */
  evaluated: number;
  failures: number;
  /** `failures / evaluated` (an overestimate when stopped early). */
  pBadDebt: number;
  /** Mean calm capacity over the bootstrap paths evaluated, USD (NaN when none was: stopped early). */
  capacity: number;
  /** Mean share of positions deleveraged at least once on the bootstrap paths evaluated. */
  deleveragedShare: number;
  stoppedEarly: boolean;
  /** Screened on the screening set, or confirmed on every path. */
  stage: "screen" | "confirm";
  feasible: boolean;
  /** The paths with the largest bad debt (at most five). */
  worst: { id: number; badDebt: number }[];
}

export interface SweepResult {
  results: CandidateResult[];
  chosen: CandidateResult | undefined;
  /** Candidates no other beats on both capacity and bad-debt probability (screening stage). */
  frontier: CandidateResult[];
  /** The chosen set's outcome on every path. */
  outcomes: PathOutcome[];
}

/** See the module comment. */
export async function sweep(pool: EvaluatorPool, paths: readonly McPath[], options: SweepOptions): Promise<SweepResult> {
  const batch = options.batch ?? 8;
  const screened = new Map<string, CandidateResult>();
  const planned = AXES.reduce((n, a) => n + a.values.length, 0) * 2;
  let done = 0;
  const total = planned * options.screen.length + options.all.length;
  const progress = (note: string) => options.onProgress?.(Math.min(done, total), total, note);

  const evaluate = async (
    candidate: Candidate,
    ids: readonly number[],
    stage: CandidateResult["stage"],
    earlyStop: boolean,
  ): Promise<{ result: CandidateResult; outcomes: PathOutcome[] }> => {
    const allowance = Math.floor((1 - options.target) * ids.length + 1e-9);
    const outcomes: PathOutcome[] = [];
    let failures = 0;
    let stopped = false;
    // Rounds of one batch per thread, the stop condition checked between rounds: what is evaluated does not
    // depend on which thread finishes first (reproducible from the seed).
    const round = batch * Math.max(1, pool.threads);
    for (let start = 0; start < ids.length && !stopped; start += round) {
      const chunks: number[][] = [];
      for (let k = start; k < Math.min(ids.length, start + round); k += batch)
        chunks.push(ids.slice(k, Math.min(k + batch, start + round, ids.length)));
      for (const out of await Promise.all(chunks.map((chunk) => pool.run(candidate, chunk)))) {
        outcomes.push(...out);
        failures += out.filter((o) => o.badDebt > BAD_DEBT_EPSILON).length;
      }
      done += chunks.reduce((n, c) => n + c.length, 0);
      progress(`${stage} ${candidateKey(candidate)}`);
      if (earlyStop && failures > allowance) stopped = true;
    }
    done += ids.length - outcomes.length;
    outcomes.sort((a, b) => a.id - b.id);
    const calm = outcomes.filter((o) => paths[o.id]!.kind === "bootstrap");
    // Without a calm path evaluated (stopped on the stressed paths) capacity is unknown: NaN (null in JSON).
    const mean = (f: (o: PathOutcome) => number) => (calm.length === 0 ? NaN : calm.reduce((s, o) => s + f(o), 0) / calm.length);
    const result: CandidateResult = {
      key: candidateKey(candidate),
      candidate,
      evaluated: outcomes.length,
      failures,
      pBadDebt: outcomes.length === 0 ? 1 : failures / outcomes.length,
      capacity: mean((o) => o.calmCapacity),
      deleveragedShare: mean((o) => o.deleveragedShare),
      stoppedEarly: stopped,
      stage,
      feasible: false,
      worst: [...outcomes]
        .filter((o) => o.badDebt > BAD_DEBT_EPSILON)
        .sort((a, b) => b.badDebt - a.badDebt || a.id - b.id)
        .slice(0, 5)
        .map((o) => ({ id: o.id, badDebt: o.badDebt })),
    };
    result.feasible = !stopped && failures <= allowance && result.deleveragedShare <= options.maxDeleveragedShare;
    return { result, outcomes };
  };

  const screen = async (candidate: Candidate, earlyStop: boolean): Promise<CandidateResult> => {
    const key = candidateKey(candidate);
    const known = screened.get(key);
    if (known !== undefined) {
      done += options.screen.length;
      return known;
    }
    const { result } = await evaluate(candidate, options.screen, "screen", earlyStop);
    screened.set(key, result);
    return result;
  };

  /** The better of two screened candidates: feasible first, then capacity; among infeasible, the safer. */
  const better = (a: CandidateResult, b: CandidateResult): CandidateResult => {
    if (a.feasible !== b.feasible) return a.feasible ? a : b;
    if (a.feasible) return b.capacity > a.capacity ? b : a;
    if (a.pBadDebt !== b.pBadDebt) return b.pBadDebt < a.pBadDebt ? b : a;
    return (b.capacity || 0) > (a.capacity || 0) ? b : a;
  };

  let best = await screen(defaultCandidate(), false);
  for (let pass = 0; pass < 2; pass++) {
    for (const axis of AXES) {
      let axisBest = best;
      for (const value of axis.values) {
        const candidate = { ...best.candidate, [axis.name]: value };
        // The gap floor's values are evaluated in full on the first pass: they draw the frontier.
        const result = await screen(candidate, !(pass === 0 && axis.name === "gap"));
        axisBest = better(axisBest, result);
      }
      best = axisBest;
    }
  }

  // Confirm the best feasible sets on every path, best first.
  const ranked = [...screened.values()].filter((r) => r.feasible).sort((a, b) => b.capacity - a.capacity);
  let chosen: CandidateResult | undefined;
  let outcomes: PathOutcome[] = [];
  for (const candidate of ranked) {
    const confirmed = await evaluate(candidate.candidate, options.all, "confirm", true);
    if (confirmed.result.feasible) {
      chosen = confirmed.result;
      outcomes = confirmed.outcomes;
      break;
    }
    screened.set(`${candidate.key}#confirm`, confirmed.result);
  }
  done = total;
  progress("done");
  const results = [...screened.values()];
  if (chosen !== undefined) results.push(chosen);
  const screenedOnly = results.filter((r) => r.stage === "screen" && Number.isFinite(r.capacity));
  const frontier = screenedOnly
    .filter((r) => !screenedOnly.some((o) => o.capacity > r.capacity && o.pBadDebt <= r.pBadDebt && o !== r))
    .sort((a, b) => a.capacity - b.capacity);
  return { results, chosen, frontier, outcomes };
}
