/**
 * The markets file of `deploy/modules/BallastForEngine.ts`: what the risk admin lists when Ballast is deployed next to
 * an existing engine (collateral tiers, collaterals, markets, and the volatility estimators of their feeds). JSON;
 * WAD fields are decimal strings (`"0.05"` is 5 %), seconds are numbers, addresses are strings; a field left out takes
 * the default of `scripts/lib/ballast/params.ts`. Unknown fields are errors. Example: `deploy/integrator/*.markets.json`.
 */
import { readFileSync } from "node:fs";

import { z } from "zod";

import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import type { IVolatilityOracle } from "../../../typechain-types/contracts/VolatilityOracle.js";
import { InputError } from "../errors.js";
import { DEFAULT_TIERS, defaultCollateralConfig, defaultFeedConfig, defaultMarketConfig, wad } from "./params.js";
import { WAD_MARKET_FIELDS } from "./paramsFile.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address (0x and 40 hex digits)");
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string, e.g. "0.05"');
const seconds = z.number().int().nonnegative();

const market = z
  .object({
    id: z.number().int().nonnegative(),
    feed: address,
    pool: address,
    baseIsToken0: z.boolean(),
    maxPriceAge: seconds,
    horizon: seconds,
    depthMaxAge: seconds,
    maintenanceMargin: decimal,
    z: decimal,
    kappa: decimal,
    kappaOI: decimal,
    sigmaTarget: decimal,
    maxDeviation: decimal,
    tauTrigger: decimal,
    tauTarget: decimal,
    oiCapLong: decimal,
    oiCapShort: decimal,
    twapWindow: seconds,
    maxWalkSteps: seconds,
    maxSlippage: decimal,
    rho: decimal,
    deleverageWindow: seconds,
    depthRisePerHour: decimal,
    keeperFeeRate: decimal,
    keeperFeeMax: decimal,
    gap: decimal,
  })
  .partial()
  .required({ id: true, feed: true, pool: true, baseIsToken0: true, maintenanceMargin: true })
  .strict();

const collateral = z
  .object({
    asset: address,
    feed: address,
    maxPriceAge: seconds,
    tier: z.number().int().min(0).max(255),
    baseHaircut: decimal,
    volZ: decimal,
    volHorizon: seconds,
  })
  .partial()
  .required({ asset: true, feed: true })
  .strict();

const feed = z
  .object({
    feed: address,
    tauUp: seconds,
    tauDown: seconds,
    maxAge: seconds,
    maxRoundsPerPoke: seconds,
    sigmaMin: decimal,
    sigmaMax: decimal,
  })
  .partial()
  .required({ feed: true })
  .strict();

const file = z
  .object({
    tiers: z.array(z.object({ tier: z.number().int().min(0).max(255), maxLeverage: decimal }).strict()).optional(),
    collaterals: z.array(collateral),
    markets: z.array(market),
    feeds: z.array(feed).optional(),
  })
  .strict();

/** The file, with every default filled in, in the module's types. */
export interface DeploymentFile {
  tiers: { tier: number; maxLeverage: bigint }[];
  collaterals: { asset: string; config: IRiskTypes.CollateralConfigStruct }[];
  markets: { id: number; config: IRiskTypes.MarketConfigStruct }[];
  /** Estimators the deployment configures when it deploys a new volatility oracle (ignored with an existing one). */
  feeds: { feed: string; config: IVolatilityOracle.FeedConfigStruct }[];
}

/** Fields held in WAD: the market's (one list, `paramsFile.ts`), a collateral's and a volatility feed's. */
const WAD_KEYS = new Set<string>([...WAD_MARKET_FIELDS, "baseHaircut", "volZ", "sigmaMin", "sigmaMax"]);

function toWad<T extends Record<string, unknown>>(fields: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, WAD_KEYS.has(k) ? wad(v as string) : v]));
}

/** Validates a parsed markets file (every bad field named) and fills in the defaults. */
export function deploymentFromJson(json: unknown, source = "markets file"): DeploymentFile {
  const parsed = file.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new InputError(`${source}: ${problems}`);
  }
  const { tiers, collaterals, markets, feeds } = parsed.data;
  const ids = markets.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new InputError(`${source}: markets: a market id is listed twice`);
  return {
    tiers: tiers?.map((t) => ({ tier: t.tier, maxLeverage: wad(t.maxLeverage) })) ?? [...DEFAULT_TIERS],
    collaterals: collaterals.map(({ asset, feed: f, ...rest }) => ({
      asset,
      config: defaultCollateralConfig(f, toWad(rest) as Partial<IRiskTypes.CollateralConfigStruct>),
    })),
    markets: markets.map(({ id, feed: f, pool, baseIsToken0, ...rest }) => ({
      id,
      config: defaultMarketConfig(f, pool, baseIsToken0, toWad(rest) as Partial<IRiskTypes.MarketConfigStruct>),
    })),
    feeds: (feeds ?? []).map(({ feed: f, ...rest }) => ({
      feed: f,
      config: defaultFeedConfig(toWad(rest) as Partial<IVolatilityOracle.FeedConfigStruct>),
    })),
  };
}

/** Reads and validates a markets file. */
export function readDeploymentFile(path: string): DeploymentFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`);
  }
  return deploymentFromJson(json, path);
}
