import type { System } from "../system.js";
import type { BookAccount } from "./book.js";
import type { PathStep } from "./paths.js";
import type { Policy } from "./policies.js";
import { runPolicy, type SimOptions } from "./run.js";

export interface CalibrationInput {
  system: System;
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** Ballast's calm-market capacity (USD): its average open interest over the first 10 % of the path. */
  targetCapacity: number;
  /** Puts the chain back to the state every policy starts from. */
  restore(): Promise<void>;
  /** Deploys the baseline at a leverage (on the restored chain). */
  policy(leverage: number): Promise<Policy>;
  /** Options of the real run that the trials repeat (the market, the oracle's reflexivity, trader rates). */
  run?: Pick<SimOptions, "market" | "reflexivity" | "activityPerHour" | "panicPerHour">;
}

export interface Calibration {
  leverage: number;
  /** The baseline deployed with that leverage, on the restored chain: ready to run. */
  policy: Policy;
}

/** Trials after the first guess, each correcting `L` by the ratio of capacities, until within 1 %. */
const TRIALS = 3;

/**
 * Sizes a baseline to Ballast's calm-market capacity: a first guess `L = capacity / targeted collateral`,
 * then corrections from the capacity the baseline actually reaches, each a trial over the calm window on a
 * restored chain (the same book, path, market and traders as the real run). Leaves the chain restored and
 * the baseline deployed with the final `L`.
 */
export async function calibrateLeverage(input: CalibrationInput): Promise<Calibration> {
  const { system, book, path, seed } = input;
  const price = input.run?.market?.startPrice ?? system.environment.ethPrice;
  const targeted = book.reduce((sum, a) => sum + a.fraction * (a.usdc + a.weth * price), 0);
  let leverage = Math.max(1, input.targetCapacity / targeted);
  for (let i = 0; i < TRIALS; i++) {
    await input.restore();
    const trial = await runPolicy(system, { ...input.run, policy: await input.policy(leverage), book, path, seed, calmOnly: true });
    const ratio = input.targetCapacity / Math.max(trial.summary.calmCapacity, 1e-9);
    if (Math.abs(ratio - 1) < 0.01) break;
    leverage = Math.max(1, leverage * ratio);
  }
  await input.restore();
  return { leverage, policy: await input.policy(leverage) };
}
