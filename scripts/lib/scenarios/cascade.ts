import type { NetworkConnection } from "hardhat/types/network";

import { wad } from "../ballast/params.js";
import type { Environment } from "../environment.js";
import { generateBook } from "../sim/book.js";
import { crashPath } from "../sim/paths.js";
import { calibrateLeverage } from "../sim/calibrate.js";
import { ballastPolicy, baselinePolicy } from "../sim/policies.js";
import { runPolicy, type SimResult } from "../sim/run.js";
import { deploySystem, type SystemOptions } from "../system.js";
import { scenarioPolicy, type ScenarioSummary } from "./summary.js";

/** The market's reaction horizon in the cascade, seconds. */
export const CASCADE_HORIZON = 4 * 3_600;

/**
 * The system the crash scenarios run on. A deep pool (about 5x the generator's default, ~14M USD to a 2 %
 * move). The reaction horizon is 4 hours, for the market and for WETH collateral: it must cover the longest
 * stretch the market wants to survive without acting, here the one-hour oracle gap and the unwind after it.
 * Open interest per side is at most half the depth to 2 % (kappaOI 0.5), so that the deleverage window (that
 * depth per hour, rho 1) can unwind the excess a volatility spike creates within the horizon.
 */
export function cascadeSystemOptions(environment?: Environment): SystemOptions {
  return {
    ...(environment === undefined ? { totalLiquidity: 9n * 10n ** 19n } : { environment }),
    market: { horizon: CASCADE_HORIZON, kappaOI: wad(0.5), rho: wad(1) },
    collaterals: { weth: { volHorizon: CASCADE_HORIZON } },
  };
}

export interface CascadeOptions {
  seed: number;
  /** Number of accounts (default 200). */
  accounts?: number;
  /** A mainnet-fork environment; default: a fresh replica. */
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

export interface CascadeResult {
  summary: ScenarioSummary;
  ballast: SimResult;
  baseline: SimResult;
  /** The static leverage that gives the same calm-market capacity as Ballast. */
  staticLeverage: number;
}

/**
 * The liquidation cascade: a book of accounts at varied leverage and collateral mixes through a −40 %
 * crash with jumps and a −20 % one-hour gap; liquidations and deleverages are unwound in the real pool and
 * the oracle follows the pool's impact (the reflexive loop). Run with Ballast, then, from the same chain
 * state, with a static leverage cap sized to Ballast's calm-market capacity.
 */
export async function runCascade(connection: NetworkConnection, options: CascadeOptions): Promise<CascadeResult> {
  const { networkHelpers } = connection;
  const system = await deploySystem(connection, cascadeSystemOptions(options.environment));
  const start = (await connection.ethers.provider.getBlock("latest"))!.timestamp;
  const path = crashPath({ seed: options.seed, start, startPrice: system.environment.ethPrice });
  const book = generateBook({ accounts: options.accounts ?? 200, seed: options.seed, ethPrice: system.environment.ethPrice });
  const base = await networkHelpers.takeSnapshot();

  const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);
  const ballast = await runPolicy(system, { policy: ballastPolicy(system), book, path, seed: options.seed, onStep: progress("ballast") });

  // The static cap is calibrated to Ballast's calm-market capacity.
  const [admin] = await connection.ethers.getSigners();
  const calibration = await calibrateLeverage({
    system,
    book,
    path,
    seed: options.seed,
    targetCapacity: ballast.summary.calmCapacity,
    restore: () => base.restore(),
    policy: (leverage) => baselinePolicy(system, "static", leverage, admin!),
  });
  const staticLeverage = calibration.leverage;
  const policy = calibration.policy;
  const baseline = await runPolicy(system, { policy, book, path, seed: options.seed, onStep: progress("static") });

  return {
    summary: { scenario: "cascade", seed: options.seed, policies: [scenarioPolicy(ballast.summary), scenarioPolicy(baseline.summary)] },
    ballast,
    baseline,
    staticLeverage,
  };
}
