import { parseUnits } from "ethers";

import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import type { IVolatilityOracle } from "../../../typechain-types/contracts/VolatilityOracle.js";

/**
 * Default gap floor of the stressed log-move (RISK-MODEL.md section 3.1): zero, the diffusion term alone, as
 * before the floor existed (existing markets and tests keep their caps). A real market should set its own:
 * `npm run calibrate` recommends one from the market's history (`deploy/parameters/` holds examples); on the
 * crash paths of `npm run bench:crashes` a floor of 0.3 (or 0.25 with the base asset's collateral haircut at
 * `1 - e^-0.25`) is what zero bad debt takes at the other defaults.
 */
export const DEFAULT_GAP = 0n;

/** A decimal as WAD. */
export const wad = (value: number | string): bigint => parseUnits(String(value), 18);

/**
 * Default market parameters (RISK-MODEL.md sections 3 and 5), for a liquid market such as ETH/USD on an
 * L1: a one-hour reaction horizon at 3 standard deviations, 5 % maintenance margin, one position at most
 * 5 % of the depth to a 2 % move, open interest per side at most 2x that depth, 5 % hysteresis both ways,
 * deleverage of at most half that depth per hour, and a keeper fee of 0.1 % capped at 100 USD.
 */
export function defaultMarketConfig(
  feed: string,
  pool: string,
  baseIsToken0: boolean,
  overrides: Partial<IRiskTypes.MarketConfigStruct> = {},
): IRiskTypes.MarketConfigStruct {
  return {
    feed,
    maxPriceAge: 3_600 + 300,
    horizon: 3_600,
    maintenanceMargin: wad(0.05),
    z: wad(3),
    kappa: wad(0.05),
    kappaOI: wad(2),
    sigmaTarget: 0,
    maxDeviation: wad(0.02),
    tauTrigger: wad(0.05),
    tauTarget: wad(0.05),
    oiCapLong: wad(1e9),
    oiCapShort: wad(1e9),
    pool,
    baseIsToken0,
    twapWindow: 1_800,
    maxWalkSteps: 128,
    maxSlippage: wad(0.02),
    rho: wad(0.5),
    deleverageWindow: 3_600,
    depthMaxAge: 3_600,
    depthRisePerHour: wad(0.1),
    keeperFeeRate: wad(0.001),
    keeperFeeMax: wad(100),
    gap: DEFAULT_GAP,
    ...overrides,
  };
}

/** Default collateral: 1 % haircut, tier 0 (stablecoins); volatile assets pass `volZ`/`volHorizon`. */
export function defaultCollateralConfig(
  feed: string,
  overrides: Partial<IRiskTypes.CollateralConfigStruct> = {},
): IRiskTypes.CollateralConfigStruct {
  return { feed, maxPriceAge: 86_400 + 3_600, tier: 0, baseHaircut: wad(0.01), volZ: 0, volHorizon: 0, ...overrides };
}

/** Leverage limits per collateral tier: 0 stablecoins 20x, 1 majors 10x, 2 long tail 2x. */
export const DEFAULT_TIERS: readonly { tier: number; maxLeverage: bigint }[] = [
  { tier: 0, maxLeverage: wad(20) },
  { tier: 1, maxLeverage: wad(10) },
  { tier: 2, maxLeverage: wad(2) },
];

/** Default volatility estimator for a Chainlink feed: react within an hour, forget over a day. */
export function defaultFeedConfig(overrides: Partial<IVolatilityOracle.FeedConfigStruct> = {}): IVolatilityOracle.FeedConfigStruct {
  return {
    tauUp: 3_600,
    tauDown: 86_400,
    maxAge: 2 * 3_600,
    maxRoundsPerPoke: 100,
    sigmaMin: wad(0.1),
    sigmaMax: wad(5),
    impliedFeed: "0x0000000000000000000000000000000000000000",
    impliedWeight: 0,
    ...overrides,
  };
}
