import type { NetworkConnection } from "hardhat/types/network";

import type { Environment } from "../environment.js";
import { ownVolHaircut } from "../riskMath.js";
import { type BookAccount, generateBook } from "../sim/book.js";
import { calibrateLeverage } from "../sim/calibrate.js";
import { collapsePath, type PathStep } from "../sim/paths.js";
import { ballastPolicy, baselinePolicy, type Policy } from "../sim/policies.js";
import { bookWallet, runPolicy, type SimResult } from "../sim/run.js";
import { deploySystem, type System } from "../system.js";
import { addThinAsset, type ThinAsset } from "./assets.js";
import { scenarioPolicy, type ScenarioSummary } from "./summary.js";

/** The thin token's market id in this scenario. */
export const COLLATERAL_MARKET = 2n;

/** The whale's equity in USD (all of it in the thin token). */
export const WHALE_EQUITY = 30_000;

/**
 * Share of the thin pool's price impact the oracle follows at the next step: all of it. A long-tail token's
 * Chainlink price aggregates the few venues it trades on, and its main pool is the venue the liquidations
 * sell into.
 */
export const THIN_REFLEXIVITY = 1;

export interface CollateralFailureOptions {
  seed: number;
  /** Accounts of the book, the whale included (default 16). */
  accounts?: number;
  /** A mainnet-fork environment; default: a fresh replica. */
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

export interface CollateralFailureResult {
  summary: ScenarioSummary;
  system: System;
  asset: ThinAsset;
  path: PathStep[];
  book: BookAccount[];
  /** Book addresses, by account index. */
  accounts: string[];
  /** The whale's address (the book's first account). */
  whale: string;
  ballast: SimResult;
  baseline: SimResult;
  staticLeverage: number;
  /** The token's volatility (annualized) and own-volatility haircut before the collapse and after it (Ballast's run). */
  sigma: { before: number; after: number };
  haircut: { before: number; after: number };
}

/**
 * `collateral-quality-failure` (CRV on Aave, Nov 2022; Venus XVS, May 2021): a thin, volatile token is
 * listed as tier-2 collateral (2x, 15 % base haircut growing with its own volatility over 12 hours) and
 * as a market whose reference pool is its own thin TOKEN/USDC pool. A book backed only by the token, led
 * by a whale, holds longs in the token's own market (the collateral and the position fall together). The
 * token collapses -60 % over four hours with its volatility rising; what deleverages and liquidations
 * close, and the token collateral they seize, is sold into the thin pool, and the oracle follows the pool
 * (the reflexive loop, `THIN_REFLEXIVITY`). Run with Ballast, then from the same chain state with a static leverage cap sized
 * to Ballast's calm-market capacity on this book (trials over the calm window), which takes the token
 * at its full oracle value.
 */
export async function runCollateralFailure(
  connection: NetworkConnection,
  options: CollateralFailureOptions,
): Promise<CollateralFailureResult> {
  const { ethers, networkHelpers } = connection;
  const system = await deploySystem(connection, options.environment === undefined ? {} : { environment: options.environment });
  // About 210,000 USD of depth to a 5 % move: thin.
  const asset = await addThinAsset(system, { collateral: true, market: { id: COLLATERAL_MARKET }, liquidityUsd: 10_000_000 });
  const market = asset.simMarket();
  const start = (await ethers.provider.getBlock("latest"))!.timestamp;
  const path = collapsePath({ seed: options.seed, start, startPrice: asset.startPrice, drop: 0.6 });
  const price = asset.startPrice;
  // Every account's equity in the token (`weth` is the market's base asset); the first one is the whale.
  const book = generateBook({
    accounts: options.accounts ?? 16,
    seed: options.seed,
    ethPrice: price,
    medianEquity: 5_000,
    longShare: 0.85,
  }).map((a, i): BookAccount => ({
    ...a,
    usdc: 0,
    weth: Number(((i === 0 ? WHALE_EQUITY : a.usdc + a.weth * price) / price).toFixed(6)),
    ...(i === 0 ? { direction: 1 as const, fraction: 0.95 } : {}),
  }));
  const accounts = book.map((a) => bookWallet(system, options.seed, a.index).address);
  const base = await networkHelpers.takeSnapshot();
  const [admin] = await ethers.getSigners();
  const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);

  const volatility = async () => Number((await system.ballast.volatilityOracle.getVolatility(asset.feed.address))[0]) / 1e18;
  const haircut = (sigma: number) => {
    const c = asset.collateral!;
    return ownVolHaircut(Number(c.baseHaircut) / 1e18, sigma, Number(c.volHorizon), Number(c.volZ) / 1e18);
  };
  const sigmaBefore = await volatility();
  const ballast = await runPolicy(system, {
    policy: ballastPolicy(system),
    book,
    path,
    seed: options.seed,
    market,
    reflexivity: THIN_REFLEXIVITY,
    onStep: progress("ballast"),
  });
  const sigmaAfter = await volatility();
  const staticPolicy = async (leverage: number): Promise<Policy> => {
    const policy = await baselinePolicy(system, "static", leverage, admin!);
    await asset.listIn(policy.engine);
    return policy;
  };
  const calibration = await calibrateLeverage({
    system,
    book,
    path,
    seed: options.seed,
    targetCapacity: ballast.summary.calmCapacity,
    restore: () => base.restore(),
    policy: staticPolicy,
    run: { market, reflexivity: THIN_REFLEXIVITY },
  });
  const staticLeverage = calibration.leverage;
  const baseline = await runPolicy(system, {
    policy: calibration.policy,
    book,
    path,
    seed: options.seed,
    market,
    reflexivity: THIN_REFLEXIVITY,
    onStep: progress("static"),
  });
  return {
    summary: {
      scenario: "collateral-quality-failure",
      seed: options.seed,
      policies: [scenarioPolicy(ballast.summary), scenarioPolicy(baseline.summary)],
    },
    system,
    asset,
    path,
    book,
    accounts,
    whale: accounts[0]!,
    ballast,
    baseline,
    staticLeverage,
    sigma: { before: sigmaBefore, after: sigmaAfter },
    haircut: { before: haircut(sigmaBefore), after: haircut(sigmaAfter) },
  };
}
