/**
 * Parity of the two engines: the per-policy figures of a model-engine run against the EVM engine's on the
 * same path, book and starting state, within the tolerances below. Used by the parity tests, the EVM
 * verification of `npm run calibrate` and the long parity benchmark.
 *
 * Why they can differ at all: the model computes in floating point where the contracts compute in WAD with
 * directed rounding (the account rule agrees to 1e-9 relative, the volatility estimator to 1e-7); the depth
 * math uses `exp` in floating point where `DepthMath` pads PRB's; amounts that cross from one to the other
 * (an unwind's size, a trade's twelve decimals) are rounded the same way but from slightly different floats.
 * A decision at a threshold (a trade at its cap, a position at its trigger, a window's last dust) can then go
 * the other way, and a path diverges from there: that is what the count tolerances allow for.
 */
import type { PolicySummary } from "../report/types.js";

/** How far a model figure may be from the EVM's. */
export interface ParityTolerance {
  /** Amounts (USD): relative, with an absolute floor. */
  amountRelative: number;
  amountAbsolute: number;
  /** Event counts: the larger of an absolute difference and a share of the count. */
  countAbsolute: number;
  countRelative: number;
  /** Pool impact (a fraction): absolute. */
  impactAbsolute: number;
}

/** The tolerances the parity tests state and check (README, "Parity"). */
export const PARITY_TOLERANCE: ParityTolerance = {
  amountRelative: 0.01,
  amountAbsolute: 1,
  countAbsolute: 1,
  countRelative: 0.02,
  impactAbsolute: 0.0005,
};

const AMOUNTS = ["badDebt", "liquidatedNotional", "deleveragedNotional", "calmCapacity", "finalEquity"] as const;
const COUNTS = ["liquidations", "writeOffs", "deleverages", "blockedIncreases"] as const;

/** One figure out of tolerance. */
export interface ParityMismatch {
  policy: string;
  figure: string;
  evm: number;
  model: number;
  allowed: number;
}

/** Every figure of every policy of `model` that is out of tolerance of `evm` (empty when they agree). */
export function compareSummaries(
  evm: readonly PolicySummary[],
  model: readonly PolicySummary[],
  tolerance: ParityTolerance = PARITY_TOLERANCE,
): ParityMismatch[] {
  const out: ParityMismatch[] = [];
  for (const e of evm) {
    const m = model.find((p) => p.policy === e.policy);
    if (m === undefined) {
      out.push({ policy: e.policy, figure: "policy", evm: 1, model: 0, allowed: 0 });
      continue;
    }
    for (const key of AMOUNTS) {
      const allowed = Math.max(tolerance.amountAbsolute, tolerance.amountRelative * Math.max(Math.abs(e[key]), Math.abs(m[key])));
      if (Math.abs(e[key] - m[key]) > allowed) out.push({ policy: e.policy, figure: key, evm: e[key], model: m[key], allowed });
    }
    for (const key of COUNTS) {
      const allowed = Math.max(tolerance.countAbsolute, Math.floor(tolerance.countRelative * Math.max(e[key], m[key])));
      if (Math.abs(e[key] - m[key]) > allowed) out.push({ policy: e.policy, figure: key, evm: e[key], model: m[key], allowed });
    }
    if (Math.abs(e.maxPoolImpact - m.maxPoolImpact) > tolerance.impactAbsolute)
      out.push({
        policy: e.policy,
        figure: "maxPoolImpact",
        evm: e.maxPoolImpact,
        model: m.maxPoolImpact,
        allowed: tolerance.impactAbsolute,
      });
  }
  return out;
}

/** The largest relative difference of each figure over the policies (for reports). */
export function largestDifferences(evm: readonly PolicySummary[], model: readonly PolicySummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of evm) {
    const m = model.find((p) => p.policy === e.policy);
    if (m === undefined) continue;
    for (const key of [...AMOUNTS, ...COUNTS, "maxPoolImpact"] as const) {
      const scale = Math.max(Math.abs(e[key]), Math.abs(m[key]));
      const diff = scale === 0 ? 0 : Math.abs(e[key] - m[key]) / scale;
      out[key] = Math.max(out[key] ?? 0, diff);
    }
  }
  return out;
}
