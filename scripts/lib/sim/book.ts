import { Random } from "../random.js";

/** One simulated account: its collateral, the direction it trades and how close to its limit it goes. */
export interface BookAccount {
  index: number;
  /** Collateral in token units. */
  usdc: number;
  weth: number;
  /** +1 long, -1 short. */
  direction: 1 | -1;
  /** Fraction of what the policy allows that the account targets (and tops up to). */
  fraction: number;
}

export interface BookOptions {
  accounts: number;
  seed: number;
  /** ETH price at the start, to size WETH collateral. */
  ethPrice: number;
  /** Median equity in USD (lognormal, sigma 1). Default 10,000. */
  medianEquity?: number;
  /** Share of longs. Default 0.75. */
  longShare?: number;
}

/**
 * A reproducible book of accounts: equity lognormal around the median (clamped to [500, 500,000] USD);
 * collateral 60 % USDC only, 20 % WETH only, 20 % half and half; mostly long; each targeting 60 %–95 % of
 * what its policy allows.
 */
export function generateBook(options: BookOptions): BookAccount[] {
  const random = new Random(options.seed);
  const median = options.medianEquity ?? 10_000;
  const longShare = options.longShare ?? 0.75;
  return Array.from({ length: options.accounts }, (_, index) => {
    const equity = Math.min(500_000, Math.max(500, median * Math.exp(random.gaussian())));
    const mix = random.next();
    const wethShare = mix < 0.6 ? 0 : mix < 0.8 ? 1 : 0.5;
    return {
      index,
      usdc: Math.round(equity * (1 - wethShare) * 100) / 100,
      weth: Number(((equity * wethShare) / options.ethPrice).toFixed(6)),
      direction: random.next() < longShare ? 1 : -1,
      fraction: random.uniform(0.6, 0.95),
    };
  });
}
