/**
 * A market's parameters file: an Ignition deployment-parameters file (`npx hardhat ignition deploy
 * deploy/modules/Market.ts --parameters <file>`) whose `BallastMarket` entry holds the market's configuration
 * and its feed's volatility estimator, which `npm run simulate -- --params <file>` also reads, and which
 * `npm run calibrate` writes. WAD values are Ignition's bigint strings (`"3000000000000000000n"`), seconds are
 * numbers. Other top-level entries (for example `provenance`) are ignored by both readers.
 */
import { readFile } from "node:fs/promises";

import { z } from "zod";

import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import type { IVolatilityOracle } from "../../../typechain-types/contracts/VolatilityOracle.js";
import { InputError } from "../errors.js";
import { toJson } from "../files.js";

/** The Ignition module id of `deploy/modules/Market.ts`. */
export const MARKET_MODULE_ID = "BallastMarket";

/** Market fields held in WAD. */
export const WAD_MARKET_FIELDS = [
  "maintenanceMargin",
  "z",
  "gap",
  "kappa",
  "kappaOI",
  "sigmaTarget",
  "maxDeviation",
  "tauTrigger",
  "tauTarget",
  "oiCapLong",
  "oiCapShort",
  "maxSlippage",
  "rho",
  "depthRisePerHour",
  "keeperFeeRate",
  "keeperFeeMax",
] as const;
/** Market fields held in seconds (or counts). */
export const INTEGER_MARKET_FIELDS = ["maxPriceAge", "horizon", "depthMaxAge", "twapWindow", "maxWalkSteps", "deleverageWindow"] as const;
/** The estimator's fields, named as in the file (`volMaxAge` is `FeedConfig.maxAge`). */
export const WAD_VOLATILITY_FIELDS = ["sigmaMin", "sigmaMax"] as const;
export const INTEGER_VOLATILITY_FIELDS = ["tauUp", "tauDown", "volMaxAge", "maxRoundsPerPoke"] as const;

type WadMarketField = (typeof WAD_MARKET_FIELDS)[number];
type IntegerMarketField = (typeof INTEGER_MARKET_FIELDS)[number];

/**
 * What a parameters file sets: overrides of `defaultMarketConfig` and `defaultFeedConfig`, and the haircut of
 * the market's base asset as collateral (`baseCollateralHaircut`: a gap floor `g` on the position needs
 * `1 - e^-g` on base collateral too, RISK-MODEL.md section 3.1; `configureCollateral`, not this module, sets it).
 */
export interface MarketParamsFile {
  market: Partial<Pick<IRiskTypes.MarketConfigStruct, WadMarketField | IntegerMarketField>>;
  volatility: Partial<
    Pick<IVolatilityOracle.FeedConfigStruct, "tauUp" | "tauDown" | "maxAge" | "maxRoundsPerPoke" | "sigmaMin" | "sigmaMax">
  >;
  baseCollateral?: { baseHaircut: bigint };
}

const wadString = z
  .string()
  .regex(/^\d+n$/, 'expected a WAD amount as an Ignition bigint string, e.g. "3000000000000000000n"')
  .transform((v) => BigInt(v.slice(0, -1)));
const integer = z.number().int().nonnegative();

const entry = z
  .object({
    ...Object.fromEntries(WAD_MARKET_FIELDS.map((f) => [f, wadString.optional()])),
    ...Object.fromEntries(WAD_VOLATILITY_FIELDS.map((f) => [f, wadString.optional()])),
    ...Object.fromEntries(INTEGER_MARKET_FIELDS.map((f) => [f, integer.optional()])),
    ...Object.fromEntries(INTEGER_VOLATILITY_FIELDS.map((f) => [f, integer.optional()])),
    // Deployment-only parameters of the module (addresses, market id): accepted, not simulated.
    market: integer.optional(),
    feed: z.string().optional(),
    pool: z.string().optional(),
    baseIsToken0: z.boolean().optional(),
    liquidationBonus: wadString.optional(),
    baseCollateralHaircut: wadString.optional(),
  })
  .strict();

const fileSchema = z.looseObject({ [MARKET_MODULE_ID]: entry });

/** Reads a parameters file; every problem is an `InputError` naming the file and the line of the field. */
export async function readParamsFile(file: string): Promise<MarketParamsFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, file);
  }
  return parseParamsFile(text, file);
}

/** Parses the text of a parameters file (see `readParamsFile`). */
export function parseParamsFile(text: string, file: string): MarketParamsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position === null ? undefined : text.slice(0, Number(position[1])).split("\n").length;
    throw new InputError(`not JSON: ${message}`, file, line);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === "unrecognized_keys" ? issue.keys[0]! : String(issue.path.at(-1) ?? MARKET_MODULE_ID);
    const where = issue.path.length === 0 ? MARKET_MODULE_ID : issue.path.join(".");
    const message = issue.code === "unrecognized_keys" ? `unknown field "${field}" in ${where}` : `${where}: ${issue.message}`;
    throw new InputError(message, file, lineOf(text, field));
  }
  const e = parsed.data[MARKET_MODULE_ID] as Record<string, bigint | number | undefined>;
  const market: Record<string, bigint | number> = {};
  for (const f of [...WAD_MARKET_FIELDS, ...INTEGER_MARKET_FIELDS]) if (e[f] !== undefined) market[f] = e[f];
  const volatility: Record<string, bigint | number> = {};
  for (const f of [...WAD_VOLATILITY_FIELDS, ...INTEGER_VOLATILITY_FIELDS]) {
    if (e[f] !== undefined) volatility[f === "volMaxAge" ? "maxAge" : f] = e[f];
  }
  const haircut = e.baseCollateralHaircut as bigint | undefined;
  return {
    market: market as MarketParamsFile["market"],
    volatility: volatility as MarketParamsFile["volatility"],
    ...(haircut === undefined ? {} : { baseCollateral: { baseHaircut: haircut } }),
  };
}

/** The text of a parameters file for `params`, with `extra` top-level entries (e.g. `provenance`). */
export function paramsFileText(params: MarketParamsFile, extra: Record<string, unknown> = {}): string {
  const out: Record<string, number | string> = {};
  for (const f of WAD_MARKET_FIELDS) if (params.market[f] !== undefined) out[f] = `${BigInt(params.market[f])}n`;
  for (const f of INTEGER_MARKET_FIELDS) if (params.market[f] !== undefined) out[f] = Number(params.market[f]);
  const v = params.volatility;
  if (v.sigmaMin !== undefined) out.sigmaMin = `${BigInt(v.sigmaMin)}n`;
  if (v.sigmaMax !== undefined) out.sigmaMax = `${BigInt(v.sigmaMax)}n`;
  if (v.tauUp !== undefined) out.tauUp = Number(v.tauUp);
  if (v.tauDown !== undefined) out.tauDown = Number(v.tauDown);
  if (v.maxAge !== undefined) out.volMaxAge = Number(v.maxAge);
  if (v.maxRoundsPerPoke !== undefined) out.maxRoundsPerPoke = Number(v.maxRoundsPerPoke);
  if (params.baseCollateral !== undefined) out.baseCollateralHaircut = `${params.baseCollateral.baseHaircut}n`;
  return toJson({ [MARKET_MODULE_ID]: out, ...extra });
}

/** The 1-based line of the first `"field"` key in `text` (undefined when absent). */
function lineOf(text: string, field: string): number | undefined {
  const index = text.indexOf(`"${field}"`);
  return index < 0 ? undefined : text.slice(0, index).split("\n").length;
}
