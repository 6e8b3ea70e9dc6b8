/**
 * The scenario grid of RISK-MODEL.md section 7 in floating point, mirroring `contracts/libraries/GreeksMath.sol`
 * (which rounds losses up and sizes down in WAD): 7 price moves `x in {-1, -2/3, ..., 1} * xMax` times 3 vol
 * moves `{-v, 0, +v}`, `L(x, dSigma) = -(delta * S * x + gamma * S^2 * x^2 / 2 + vega * dSigma)`.
 * Units are natural: delta in underlying units, gamma per USD, vega in USD per 1.00 of volatility.
 */

/** First- and second-order sensitivities of a book (or one unit of an instrument). */
export interface Greeks {
  delta: number;
  gamma: number;
  vega: number;
}

/** The worst scenario of a book: its loss and its grid position (thirds of `xMax`, units of `v`). */
export interface WorstScenario {
  loss: number;
  priceStep: number;
  volStep: number;
}

export const NO_GREEKS: Readonly<Greeks> = { delta: 0, gamma: 0, vega: 0 };

/** Whether a book holds anything. */
export function holdsGreeks(g: Greeks): boolean {
  return g.delta !== 0 || g.gamma !== 0 || g.vega !== 0;
}

export function addGreeks(a: Greeks, b: Greeks, scale = 1): Greeks {
  return { delta: a.delta + scale * b.delta, gamma: a.gamma + scale * b.gamma, vega: a.vega + scale * b.vega };
}

/** The loss of `g` when the price moves by `x` (relative) and the volatility by `dSigma`. */
export function scenarioLoss(g: Greeks, spot: number, x: number, dSigma: number): number {
  return -(g.delta * spot * x + 0.5 * g.gamma * spot * spot * x * x + g.vega * dSigma);
}

/** Every scenario of the grid, in the contract's order (price steps -3..3, vol steps -1..1). */
export function scenarios(xMax: number, volShock: number): { x: number; dSigma: number; priceStep: number; volStep: number }[] {
  const out: { x: number; dSigma: number; priceStep: number; volStep: number }[] = [];
  for (let i = -3; i <= 3; i++) {
    for (let j = -1; j <= 1; j++) out.push({ x: (i / 3) * xMax, dSigma: j * volShock, priceStep: i, volStep: j });
  }
  return out;
}

/** The worst of the 21 scenarios (ties: the first in grid order, as the contract). */
export function worstLoss(g: Greeks, spot: number, xMax: number, volShock: number): WorstScenario {
  let worst: WorstScenario = { loss: -Infinity, priceStep: 0, volStep: 0 };
  for (const s of scenarios(xMax, volShock)) {
    const loss = scenarioLoss(g, spot, s.x, s.dSigma);
    if (loss > worst.loss) worst = { loss, priceStep: s.priceStep, volStep: s.volStep };
  }
  return worst;
}

/**
 * The largest number of units `k` of an instrument with per-unit Greeks `perUnit`, each also costing `unitCost`
 * in every scenario, that `book` may take while every scenario loss stays within `max(allowed, worst loss of
 * book)`; `Infinity` when no scenario loses on the instrument (`GreeksMath.maxTradeDown`).
 */
export function maxTrade(
  book: Greeks,
  perUnit: Greeks,
  unitCost: number,
  spot: number,
  xMax: number,
  volShock: number,
  allowed: number,
): number {
  const grid = scenarios(xMax, volShock);
  const bookLosses = grid.map((s) => scenarioLoss(book, spot, s.x, s.dSigma));
  const ceiling = Math.max(allowed, ...bookLosses);
  let units = Infinity;
  grid.forEach((s, i) => {
    const unitLoss = scenarioLoss(perUnit, spot, s.x, s.dSigma) + unitCost;
    if (unitLoss > 0) units = Math.min(units, (ceiling - bookLosses[i]!) / unitLoss);
  });
  return units;
}
