import type { Signer } from "ethers";

import type { System } from "../system.js";
import type { BookAccount } from "./book.js";
import type { PathStep } from "./paths.js";
import { baselinePolicy, type Policy, type PolicyName } from "./policies.js";
import { runPolicy } from "./run.js";

export interface CalibrationInput {
  system: System;
  name: Exclude<PolicyName, "ballast">;
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** Ballast's calm-market capacity (USD): the average open interest over the first 10 % of the path. */
  targetCapacity: number;
  /** Puts the chain back to the state every policy starts from. */
  restore: () => Promise<void>;
  admin: Signer;
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
 * restored chain (the same book, path and traders as the real run). Leaves the chain restored and the
 * baseline deployed with the final `L`.
 */
export async function calibrateLeverage(input: CalibrationInput): Promise<Calibration> {
  const { system, name, book, path, seed, admin } = input;
  const price = system.environment.ethPrice;
  const targeted = book.reduce((sum, a) => sum + a.fraction * (a.usdc + a.weth * price), 0);
  let leverage = Math.max(1, input.targetCapacity / targeted);
  for (let i = 0; i < TRIALS; i++) {
    await input.restore();
    const policy = await baselinePolicy(system, name, leverage, admin);
    const trial = await runPolicy(system, { policy, book, path, seed, calmOnly: true });
    const ratio = input.targetCapacity / Math.max(trial.summary.calmCapacity, 1e-9);
    if (Math.abs(ratio - 1) < 0.01) break;
    leverage = Math.max(1, leverage * ratio);
  }
  await input.restore();
  return { leverage, policy: await baselinePolicy(system, name, leverage, admin) };
}
