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
  /** Ballast's open interest right after the book opened (USD): the capacity to match. */
  targetOpeningOpenInterest: number;
  /** Ballast's calm-market capacity (USD), for the first guess. */
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

/** Corrections after the first guess; two bring a tiered schedule within about 1 % of the target. */
const CORRECTIONS = 2;

/**
 * Sizes a baseline to Ballast's calm-market capacity: a first guess `L = capacity / targeted collateral`,
 * then corrections from the open interest the baseline actually reaches when the book opens (the same
 * moment in both runs), each a trial on a restored chain. Leaves the chain restored, the baseline deployed.
 */
export async function calibrateLeverage(input: CalibrationInput): Promise<Calibration> {
  const { system, name, book, path, seed, admin } = input;
  const price = system.environment.ethPrice;
  const targeted = book.reduce((sum, a) => sum + a.fraction * (a.usdc + a.weth * price), 0);
  let leverage = Math.max(1, input.targetCapacity / targeted);
  for (let i = 0; i < CORRECTIONS; i++) {
    await input.restore();
    const policy = await baselinePolicy(system, name, leverage, admin);
    const trial = await runPolicy(system, { policy, book, path, seed, openOnly: true });
    const ratio = input.targetOpeningOpenInterest / Math.max(trial.openingOpenInterest, 1e-9);
    leverage = Math.max(1, leverage * ratio);
    if (Math.abs(ratio - 1) < 0.005) break;
  }
  await input.restore();
  return { leverage, policy: await baselinePolicy(system, name, leverage, admin) };
}
