/**
 * Black–Scholes in float64: the model the on-chain `BlackScholes` library is checked against
 * (`test/unit/blackScholes.test.ts`), with an independent normal distribution: erf by its Taylor series
 * below |x| = 3 and erfc by its continued fraction above (both accurate to about 1e-15).
 */

/** Seconds per year, as every annualization of the project. */
export const YEAR_SECONDS = 31_536_000;

export interface OptionInput {
  spot: number;
  strike: number;
  /** Annualized volatility (0.8 = 80 %). */
  sigma: number;
  tauSeconds: number;
  /** Continuously compounded rate per year. */
  rate: number;
  isCall: boolean;
}

export interface OptionQuote {
  price: number;
  delta: number;
  /** Delta change per 1 unit of spot. */
  gamma: number;
  /** Price change per 1.00 of volatility. */
  vega: number;
}

function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) for x >= 3 by the continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...))). */
function erfcFraction(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return x < 3 ? 1 - erfSeries(x) : erfcFraction(x);
}

/** The standard normal distribution function. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

export function quote(o: OptionInput): OptionQuote {
  const t = o.tauSeconds / YEAR_SECONDS;
  const discounted = o.strike * Math.exp(-o.rate * t);
  if (t === 0 || o.sigma === 0) {
    const strike = t === 0 ? o.strike : discounted;
    const itm = o.isCall ? o.spot > strike : strike > o.spot;
    return {
      price: Math.max(o.isCall ? o.spot - strike : strike - o.spot, 0),
      delta: itm ? (o.isCall ? 1 : -1) : 0,
      gamma: 0,
      vega: 0,
    };
  }
  const root = o.sigma * Math.sqrt(t);
  const d1 = (Math.log(o.spot / o.strike) + (o.rate + (o.sigma * o.sigma) / 2) * t) / root;
  const d2 = d1 - root;
  const price = o.isCall ? o.spot * normalCdf(d1) - discounted * normalCdf(d2) : discounted * normalCdf(-d2) - o.spot * normalCdf(-d1);
  return {
    price: Math.max(price, 0),
    delta: o.isCall ? normalCdf(d1) : normalCdf(d1) - 1,
    gamma: normalPdf(d1) / (o.spot * root),
    vega: o.spot * normalPdf(d1) * Math.sqrt(t),
  };
}
