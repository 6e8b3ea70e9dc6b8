import type { System } from "../system.js";
import type { BookAccount } from "./book.js";
import type { SimMarket } from "./market.js";
import type { PathStep } from "./paths.js";
import type { Policy } from "./policies.js";
import { runPolicy, type SimResult } from "./run.js";

export interface CalibrationOptions {
  system: System;
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** The market the book trades (default ETH). */
  market?: SimMarket;
  /** Ballast's run on the same book, path and chain state. */
  ballast: SimResult;
  /** Restores the chain to the state Ballast's run started from. */
  restore(): Promise<void>;
  /** Deploys the static baseline at a leverage on the restored chain. */
  policy(leverage: number): Promise<Policy>;
}

/**
 * The static leverage that gives the same calm-market capacity as Ballast: a first guess from the book's
 * targeted fractions of its equity, then one correction from the open interest the baseline actually
 * reaches when the book opens (the same moment in both runs). Leaves the chain restored.
 */
export async function sameCapacityLeverage(options: CalibrationOptions): Promise<number> {
  const { system, book, path, seed, ballast } = options;
  const price = options.market?.startPrice ?? system.environment.ethPrice;
  const targeted = book.reduce((sum, a) => sum + a.fraction * (a.usdc + a.weth * price), 0);
  let leverage = Math.max(1, ballast.summary.calmCapacity / targeted);
  await options.restore();
  const trial = await runPolicy(system, {
    policy: await options.policy(leverage),
    book,
    path,
    seed,
    ...(options.market === undefined ? {} : { market: options.market }),
    openOnly: true,
  });
  leverage = Math.max(1, leverage * (ballast.openingOpenInterest / trial.openingOpenInterest));
  await options.restore();
  return leverage;
}
