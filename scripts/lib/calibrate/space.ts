/**
 * What the calibrator sweeps: the market parameters of RISK-MODEL.md sections 3-5 that a protocol must choose,
 * each over values inside the module's hard bounds (`RiskConfig._checkMarket`, `VolatilityOracle.configureFeed`).
 * Everything else keeps the defaults of `scripts/lib/ballast/params.ts`.
 */
import { defaultFeedConfig, defaultMarketConfig, wad } from "../ballast/params.js";
import type { MarketParamsFile } from "../ballast/paramsFile.js";

/** One parameter set, in natural units. */
export interface Candidate {
  /** Gap floor of the stressed log-move. */
  gap: number;
  /** Confidence multiplier. */
  z: number;
  /** Reaction horizon, seconds. */
  horizon: number;
  /** Share of the depth one position may take. */
  kappa: number;
  /** Open interest per side, as a multiple of the depth. */
  kappaOI: number;
  /** Hysteresis: `tauTrigger` and `tauTarget`. */
  tau: number;
  /** Deleveraged notional per window, as a share of the depth. */
  rho: number;
  /** The volatility estimator's memory for falling volatility, seconds (`tauDown`). */
  tauDown: number;
}

/** An axis of the sweep: its values, and the hard bounds they lie in. */
export interface Axis {
  name: keyof Candidate;
  values: readonly number[];
  bounds: readonly [number, number];
  unit: string;
}

/** The axes, in the order the coordinate search visits them (safety first, then capacity, then churn). */
export const AXES: readonly Axis[] = [
  { name: "gap", values: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4], bounds: [0, 1], unit: "log-move" },
  { name: "z", values: [2, 2.5, 3, 4, 5], bounds: [1, 10], unit: "" },
  { name: "horizon", values: [1_800, 3_600, 7_200, 14_400], bounds: [60, 7 * 86_400], unit: "s" },
  { name: "tauDown", values: [43_200, 86_400, 172_800], bounds: [3_600, 365 * 86_400], unit: "s" },
  { name: "rho", values: [0.25, 0.5, 1], bounds: [0.01, 1], unit: "" },
  { name: "kappa", values: [0.02, 0.05, 0.1, 0.2], bounds: [0.0001, 1], unit: "" },
  { name: "kappaOI", values: [1, 2, 3, 5], bounds: [0.01, 10], unit: "" },
  { name: "tau", values: [0.02, 0.05, 0.1], bounds: [0, 0.5], unit: "" },
];

/** The defaults as a candidate. */
export function defaultCandidate(): Candidate {
  const zero = "0x0000000000000000000000000000000000000000";
  const m = defaultMarketConfig(zero, zero, false);
  const f = (v: unknown) => Number(BigInt(v as bigint)) / 1e18;
  return {
    gap: f(m.gap),
    z: f(m.z),
    horizon: Number(m.horizon),
    kappa: f(m.kappa),
    kappaOI: f(m.kappaOI),
    tau: f(m.tauTrigger),
    rho: f(m.rho),
    tauDown: Number(defaultFeedConfig().tauDown),
  };
}

/** A stable key of a candidate (the sweep's cache). */
export function candidateKey(c: Candidate): string {
  return AXES.map((a) => `${a.name}=${c[a.name]}`).join(",");
}

/** The base asset's default haircut as collateral (`deploySystem`'s WETH). */
export const BASE_COLLATERAL_HAIRCUT = 0.05;

/**
 * The base asset's collateral haircut a gap floor `g` needs: `max(default, 1 - e^-g)` (RISK-MODEL.md section 3.1:
 * the asset that gaps in the market gaps as collateral too).
 */
export function baseHaircutFor(gap: number): number {
  return Math.max(BASE_COLLATERAL_HAIRCUT, Number((1 - Math.exp(-gap)).toFixed(6)));
}

/** A candidate as overrides of the defaults, in the units the contracts and the parameters file use. */
export function candidateOverrides(c: Candidate): MarketParamsFile {
  const w = (v: number) => wad(Number(v.toFixed(12)));
  return {
    baseCollateral: { baseHaircut: w(baseHaircutFor(c.gap)) },
    market: {
      gap: w(c.gap),
      z: w(c.z),
      horizon: c.horizon,
      kappa: w(c.kappa),
      kappaOI: w(c.kappaOI),
      tauTrigger: w(c.tau),
      tauTarget: w(c.tau),
      rho: w(c.rho),
    },
    volatility: { tauDown: c.tauDown },
  };
}
