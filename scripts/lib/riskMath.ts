/**
 * The formulas of RISK-MODEL.md sections 3 and 4 in floating point, for reports and the keeper.
 * They mirror `contracts/libraries/RiskMath.sol` and `VolatilityMath.sol` (which round in the protocol's
 * favour in WAD fixed point); `test/unit/riskMath.differential.test.ts` checks the two agree.
 * Units are natural: amounts in quote (USD), ratios and volatilities as fractions (0.8 = 80 %).
 */

/** Seconds per year used by every annualization. */
export const YEAR = 31_536_000;

/** The named bounds, in the contract's order (the order is the tie-break). */
export enum Bound {
  None = 0,
  LiquidationDistance = 1,
  VolatilityTarget = 2,
  Depth = 3,
  OpenInterest = 4,
  CollateralTier = 5,
  Greeks = 6,
}

export const BOUND_NAMES: Readonly<Record<Bound, string>> = {
  [Bound.None]: "none",
  [Bound.LiquidationDistance]: "liquidation-distance",
  [Bound.VolatilityTarget]: "volatility-target",
  [Bound.Depth]: "depth",
  [Bound.OpenInterest]: "open-interest",
  [Bound.CollateralTier]: "collateral-tier",
  [Bound.Greeks]: "greeks",
};

/**
 * `s = max(z * sigma * sqrt(h / YEAR), gap)`: the diffusion quantile over the horizon with the market's gap floor
 * (`RiskMath.stressedMoveUp`; RISK-MODEL.md section 3.1). Without `gap` (or with zero) the diffusion term alone.
 */
export function stressedMove(sigma: number, horizonSeconds: number, z: number, gap = 0): number {
  return Math.max(z * sigma * Math.sqrt(horizonSeconds / YEAR), gap);
}

/** Adverse move of a long, `1 - e^(-s)`. */
export function adverseMoveLong(s: number): number {
  return -Math.expm1(-s);
}

/** Adverse move of a short, `e^s - 1`. */
export function adverseMoveShort(s: number): number {
  return Math.expm1(s);
}

export function adverseMove(s: number, isLong: boolean): number {
  return isLong ? adverseMoveLong(s) : adverseMoveShort(s);
}

/** `N * (m + x)`. */
export function stressedRequirement(notional: number, m: number, x: number): number {
  return notional * (m + x);
}

/** `E_free / (m + x)`, zero when `E_free <= 0`, unbounded when `m + x == 0`. */
export function liquidationBound(freeEquity: number, m: number, x: number): number {
  if (freeEquity <= 0) return 0;
  return m + x === 0 ? Infinity : freeEquity / (m + x);
}

/** `E * sigmaTarget / sigma`, zero when `E <= 0`, unbounded when `sigma == 0`. */
export function volTargetBound(equity: number, sigmaTarget: number, sigma: number): number {
  if (equity <= 0) return 0;
  return sigma === 0 ? Infinity : (equity * sigmaTarget) / sigma;
}

/** `kappa * D(s_max)`. */
export function depthBound(depth: number, kappa: number): number {
  return depth * kappa;
}

/** `OI_cap - OI_side + N_current`, floored at zero. */
export function openInterestBound(oiCap: number, oiSide: number, current: number): number {
  return Math.max(0, oiCap + current - oiSide);
}

/** `max(h_base, 1 - e^(-z * sigma_c * sqrt(h / YEAR)))`. */
export function ownVolHaircut(baseHaircut: number, sigmaCollateral: number, horizonSeconds: number, z: number): number {
  return Math.max(baseHaircut, adverseMoveLong(stressedMove(sigmaCollateral, horizonSeconds, z)));
}

export interface CapInput {
  equity: number;
  otherRequirement: number;
  sigma: number;
  horizon: number;
  z: number;
  m: number;
  isLong: boolean;
  /** Zero when the market has no volatility target. */
  sigmaTarget: number;
  depth: number;
  kappa: number;
  oiCap: number;
  oiSide: number;
  current: number;
  /** `Infinity` when no collateral tier limits the position. */
  tierCapacity: number;
  /** `Infinity` outside options books. */
  greeksBound: number;
  /** Floor of the stressed log-move (zero: none). */
  gap: number;
}

export interface Cap {
  cap: number;
  binding: Bound;
  /** Indexed by `Bound - 1`. */
  bounds: number[];
}

/** The minimum of the bounds and the first bound (in `Bound` order) that attains it. */
export function minOfBounds(bounds: readonly number[]): { cap: number; binding: Bound } {
  let cap = Infinity;
  let binding = Bound.None;
  bounds.forEach((value, i) => {
    if (value < cap) {
      cap = value;
      binding = (i + 1) as Bound;
    }
  });
  return { cap, binding };
}

export function positionCap(input: CapInput): Cap {
  const x = adverseMove(stressedMove(input.sigma, input.horizon, input.z, input.gap), input.isLong);
  const bounds = [
    liquidationBound(input.equity - input.otherRequirement, input.m, x),
    input.sigmaTarget === 0 ? Infinity : volTargetBound(input.equity, input.sigmaTarget, input.sigma),
    depthBound(input.depth, input.kappa),
    openInterestBound(input.oiCap, input.oiSide, input.current),
    input.tierCapacity,
    input.greeksBound,
  ];
  return { ...minOfBounds(bounds), bounds };
}

/** `size > cap * (1 + tauTrigger)`. */
export function isOverCap(size: number, cap: number, tauTrigger: number): boolean {
  return size > cap * (1 + tauTrigger);
}

/** Reduction that brings a position over its cap back to `cap * (1 - tauTarget)`; zero otherwise. */
export function deleverageAmount(size: number, cap: number, tauTrigger: number, tauTarget: number): number {
  return isOverCap(size, cap, tauTrigger) ? size - cap * (1 - tauTarget) : 0;
}

/**
 * The ratio-of-sums EWMA of squared log returns with asymmetric memory (RISK-MODEL.md section 4), with
 * the exact decision rule of `VolatilityMath.fold`.
 */
export class VolatilityEstimator {
  private a = 0;
  private b = 0;
  private reference: { price: number; time: number } | undefined;

  constructor(
    private readonly tauUp: number,
    private readonly tauDown: number,
  ) {}

  /** Folds a round; returns false (and changes nothing) for a round that must be skipped. */
  observe(price: number, time: number): boolean {
    if (!(price > 0)) return false;
    if (this.reference === undefined) {
      this.reference = { price, time };
      return true;
    }
    const dt = time - this.reference.time;
    if (dt <= 0) return false;
    const r = Math.log(price / this.reference.price);
    const r2 = r * r;
    const up = this.b === 0 || r2 * this.b > this.a * dt;
    const d = Math.exp(-dt / (up ? this.tauUp : this.tauDown));
    this.a = d * this.a + r2;
    this.b = d * this.b + dt;
    this.reference = { price, time };
    return true;
  }

  /** Annualized volatility, unclamped; zero before the first return. */
  get sigma(): number {
    return this.b === 0 ? 0 : Math.sqrt((this.a / this.b) * YEAR);
  }
}
