import type { System } from "../system.js";
import type { BookAccount } from "./book.js";
import type { PathStep } from "./paths.js";
import type { Policy } from "./policies.js";
import { runPolicy, type SimOptions } from "./run.js";

/** Trials after the first guess, each correcting `L` by the ratio of capacities, until within 1 %. */
const TRIALS = 3;

/**
 * The leverage `L` at which a baseline reaches `targetCapacity` over the calm window: a first guess
 * `L = capacity / targeted collateral`, then corrections by the ratio of the capacity a trial reaches to the
 * target (at most `TRIALS` trials, stopping within 1 %). `trial(L)` runs the baseline over the calm window
 * from the common starting state and returns its capacity. Engine-agnostic: the EVM and the model use it.
 */
export async function leverageForCapacity(input: {
  targetCapacity: number;
  book: readonly BookAccount[];
  startPrice: number;
  trial: (leverage: number) => Promise<number>;
}): Promise<number> {
  const targeted = input.book.reduce((sum, a) => sum + a.fraction * (a.usdc + a.weth * input.startPrice), 0);
  let leverage = Math.max(1, input.targetCapacity / targeted);
  for (let i = 0; i < TRIALS; i++) {
    const capacity = await input.trial(leverage);
    const ratio = input.targetCapacity / Math.max(capacity, 1e-9);
    if (Math.abs(ratio - 1) < 0.01) break;
    leverage = Math.max(1, leverage * ratio);
  }
  return leverage;
}

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
  /** Options of the real run that the trials repeat (the market, the oracle's reflexivity, trader rates, mining). */
  run?: Pick<SimOptions, "market" | "reflexivity" | "activityPerHour" | "panicPerHour" | "mining">;
}

export interface Calibration {
  leverage: number;
  /** The baseline deployed with that leverage, on the restored chain: ready to run. */
  policy: Policy;
}

/**
 * Sizes a baseline to Ballast's calm-market capacity on the chain (`leverageForCapacity`, each trial over the
 * calm window on a restored chain with the same book, path, market and traders as the real run). Leaves the
 * chain restored and the baseline deployed with the final `L`.
 */
export async function calibrateLeverage(input: CalibrationInput): Promise<Calibration> {
  const { system, book, path, seed } = input;
  const leverage = await leverageForCapacity({
    targetCapacity: input.targetCapacity,
    book,
    startPrice: input.run?.market?.startPrice ?? system.environment.ethPrice,
    trial: async (l) => {
      await input.restore();
      const trial = await runPolicy(system, { ...input.run, policy: await input.policy(l), book, path, seed, calmOnly: true });
      return trial.summary.calmCapacity;
    },
  });
  await input.restore();
  return { leverage, policy: await input.policy(leverage) };
}
