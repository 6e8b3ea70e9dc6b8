/**
 * The keeper's configuration: one table of fields, each with a zod schema, a default and a line of help;
 * values merged with precedence flags > environment (`KEEPER_*`) > JSON file (`--config`) > defaults.
 * Every bad field is reported with its source (`--poll-interval-ms`, `KEEPER_POLL_INTERVAL_MS`,
 * `keeper.json: pollIntervalMs`) in one `ConfigError` (exit code 2).
 *
 * The signer's private key is not a field: it comes only from `KEEPER_PRIVATE_KEY` (or from Hardhat's
 * keystore, `scripts/keeper/hardhat.ts`). A key given as a flag or in the file is an error, and no message
 * ever repeats its value.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { formatUnits, getAddress, isAddress, parseUnits } from "ethers";
import { z } from "zod";

import { explainParseError, joinNegativeValues } from "../lib/cli/argv.js";
import { ConfigError } from "./errors.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Kind = "string" | "int" | "ints" | "number" | "bool" | "address" | "addresses" | "urls" | "gwei" | "ether" | "level";

interface Field {
  kind: Kind;
  schema: z.ZodType;
  help: string;
  /** Shown in `--help`; the schema's own default applies. */
  placeholder: string;
}

const int = (min: number, max: number) =>
  z
    .number({ error: `expected an integer in [${min}, ${max}]` })
    .int(`expected an integer in [${min}, ${max}]`)
    .min(min, `expected an integer in [${min}, ${max}]`)
    .max(max, `expected an integer in [${min}, ${max}]`);
const num = (min: number, max: number) =>
  z
    .number({ error: `expected a number in [${min}, ${max}]` })
    .min(min, `expected a number in [${min}, ${max}]`)
    .max(max, `expected a number in [${min}, ${max}]`);
const bool = z.boolean({ error: "expected true or false" });
const addressSchema = z
  .string({ error: "expected a 0x-prefixed 20-byte address" })
  .refine(
    (v) => /^0x[0-9a-fA-F]{40}$/.test(v) && isAddress(v),
    "expected a 0x-prefixed 20-byte address (with a valid checksum if mixed-case)",
  )
  .transform((v) => getAddress(v));
/** An amount of `unit` (gwei: 9 decimals, ether: 18) given as a number or decimal text, to its wei value. */
const amount = (unit: "gwei" | "ether", min: number, max: number) => {
  const decimals = unit === "gwei" ? 9 : 18;
  return z.union([z.number(), z.string()], { error: `expected an amount in ${unit}` }).transform((v, ctx) => {
    const text = typeof v === "number" ? v.toString() : v.trim();
    if (!new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`).test(text) || Number(text) < min || Number(text) > max) {
      ctx.addIssue({ code: "custom", message: `expected an amount in ${unit} in [${min}, ${max}] with at most ${decimals} decimals` });
      return z.NEVER;
    }
    return parseUnits(text, unit);
  });
};
const gwei = (min: number, max: number) => amount("gwei", min, max);

const RPC_URL = /^(https?|wss?):\/\/[^\s,]+$/i;

/** Every configuration field. Keys are the JSON names; flags and variables derive from them. */
export const FIELDS = {
  rpc: {
    kind: "urls",
    placeholder: "<url,...>",
    help: "JSON-RPC endpoints, http(s):// or ws(s)://, comma-separated in order of preference: the keeper fails over to the next one when one cannot answer (required)",
    schema: z
      .union([z.string(), z.array(z.string())], { error: "required: the JSON-RPC endpoint (http(s):// or ws(s)://)" })
      .transform((v) => (typeof v === "string" ? v.split(",") : v).map((u) => u.trim()).filter((u) => u !== ""))
      .refine((urls) => urls.length > 0, "expected at least one http(s):// or ws(s):// URL")
      .refine((urls) => urls.every((u) => RPC_URL.test(u) && URL.canParse(u)), "expected http(s):// or ws(s):// URLs, comma-separated")
      .optional(),
  },
  module: { kind: "address", placeholder: "<address>", help: "the RiskModule (required)", schema: addressSchema },
  lens: { kind: "address", placeholder: "<address>", help: "the RiskLens (required)", schema: addressSchema },
  engine: {
    kind: "address",
    placeholder: "<address>",
    help: "the margin engine (default: module.engine())",
    schema: addressSchema.optional(),
  },
  volatilityOracle: {
    kind: "address",
    placeholder: "<address>",
    help: "the volatility oracle (default: module.volatilityOracle())",
    schema: addressSchema.optional(),
  },
  feeds: {
    kind: "addresses",
    placeholder: "<a,b,...>",
    help: "feeds to poke (default: the feed of every market seen in PositionChanged)",
    schema: z.array(addressSchema, { error: "expected a list of addresses" }).optional(),
  },
  poke: {
    kind: "bool",
    placeholder: "<bool>",
    help: "poke the volatility oracle on new rounds (default true)",
    schema: bool.default(true),
  },
  startBlock: {
    kind: "int",
    placeholder: "<n>",
    help: "first block to read PositionChanged from (default 0)",
    schema: int(0, 2 ** 48).default(0),
  },
  reorgHistory: {
    kind: "int",
    placeholder: "<n>",
    help: "block hashes kept to detect reorgs (default 128)",
    schema: int(2, 100_000).default(128),
  },
  safeDepth: {
    kind: "int",
    placeholder: "<n>",
    help: "extra blocks re-read below the fork point after a reorg (default 12)",
    schema: int(0, 10_000).default(12),
  },
  confirmations: {
    kind: "int",
    placeholder: "<n>",
    help: "confirmations before a transaction counts as final (default 2)",
    schema: int(1, 1_000).default(2),
  },
  pollIntervalMs: {
    kind: "int",
    placeholder: "<ms>",
    help: "head polling interval (default 2000)",
    schema: int(10, 600_000).default(2_000),
  },
  subscribe: {
    kind: "bool",
    placeholder: "<bool>",
    help: "subscribe to new heads when the RPC is ws(s):// (default true)",
    schema: bool.default(true),
  },
  logChunkBlocks: {
    kind: "int",
    placeholder: "<n>",
    help: "largest eth_getLogs block range (default 2000; shrinks on refusal)",
    schema: int(1, 10_000_000).default(2_000),
  },
  scanMode: {
    kind: "string",
    placeholder: "<mode>",
    help: "full: every owned account through the lens each block; prefilter: an off-chain model picks the accounts to evaluate on-chain (docs/KEEPER.md) (default full)",
    schema: z.enum(["full", "prefilter"], { error: "expected full or prefilter" }).default("full"),
  },
  prefilterMargin: {
    kind: "number",
    placeholder: "<x>",
    help: "prefilter: evaluate on-chain from a model ratio of 1 - margin (default 0.05)",
    schema: num(0.001, 0.5).default(0.05),
  },
  sweepPerBlock: {
    kind: "int",
    placeholder: "<n>",
    help: "prefilter: accounts evaluated on-chain each block regardless of the model, round robin (default 250)",
    schema: int(0, 1_000_000).default(250),
  },
  lensChunkSize: {
    kind: "int",
    placeholder: "<n>",
    help: "accounts per statusBatch call (default 100)",
    schema: int(1, 10_000).default(100),
  },
  readConcurrency: { kind: "int", placeholder: "<n>", help: "statusBatch calls in flight (default 4)", schema: int(1, 64).default(4) },
  txConcurrency: { kind: "int", placeholder: "<n>", help: "deleverage transactions in flight (default 8)", schema: int(1, 256).default(8) },
  cooldownSeconds: {
    kind: "number",
    placeholder: "<s>",
    help: "per-account pause after a failed or finished deleverage (default 30)",
    schema: num(0, 86_400).default(30),
  },
  maxFeePerGas: {
    kind: "gwei",
    placeholder: "<gwei>",
    help: "fee cap per gas, gwei (default 300)",
    schema: gwei(0.000000001, 1_000_000).default(parseUnits("300", "gwei")),
  },
  priorityFee: {
    kind: "gwei",
    placeholder: "<gwei>",
    help: "priority fee per gas, gwei (default 2)",
    schema: gwei(0, 1_000_000).default(parseUnits("2", "gwei")),
  },
  bumpPercent: {
    kind: "number",
    placeholder: "<pct>",
    help: "fee increase of a replacement, percent, at least 12.5 (default 20)",
    schema: num(12.5, 1_000).default(20),
  },
  stuckAfterSeconds: {
    kind: "number",
    placeholder: "<s>",
    help: "replace a transaction pending this long (default 45)",
    schema: num(0.1, 86_400).default(45),
  },
  maxReplacements: {
    kind: "int",
    placeholder: "<n>",
    help: "replacements of one transaction at most (default 6)",
    schema: int(0, 100).default(6),
  },
  gasLimitMarginPercent: {
    kind: "int",
    placeholder: "<pct>",
    help: "gas limit above the estimate, percent (default 30)",
    schema: int(0, 1_000).default(30),
  },
  dryRun: { kind: "bool", placeholder: "", help: "simulate and log what would be sent; send nothing", schema: bool.default(false) },
  once: {
    kind: "bool",
    placeholder: "",
    help: "process the head block once (catch up, poke, scan, deleverage), wait for what it sent to be mined, write the checkpoint and exit (for cron, and to try the keeper)",
    schema: bool.default(false),
  },
  minBalance: {
    kind: "ether",
    placeholder: "<eth>",
    help: "warn (log, keeper_balance_low, /health degraded) when the keeper's balance is below this, in the native token (default 0.05)",
    schema: amount("ether", 0, 1e12).default(parseUnits("0.05", "ether")),
  },
  unprofitable: {
    kind: "string",
    placeholder: "<skip|send>",
    help: "a deleverage whose keeper fee is below its gas cost: skip it (counted in keeper_deleverages_unprofitable_total) or send it anyway (default skip; needs nativeUsdFeed or nativeUsdPrice)",
    schema: z.enum(["skip", "send"], { error: "expected skip or send" }).default("skip"),
  },
  nativeUsdFeed: {
    kind: "address",
    placeholder: "<address>",
    help: "Chainlink feed of the native token's USD price, for the profitability check (e.g. ETH / USD)",
    schema: addressSchema.optional(),
  },
  nativeUsdPrice: {
    kind: "number",
    placeholder: "<usd>",
    help: "a fixed USD price of the native token for the profitability check, when no feed is given",
    schema: num(0, 1e12).optional(),
  },
  checkpoint: {
    kind: "string",
    placeholder: "<file>",
    help: "checkpoint file (default keeper-checkpoint.json)",
    schema: z.string({ error: "expected a file path" }).min(1, "expected a file path").default("keeper-checkpoint.json"),
  },
  checkpointIntervalSeconds: {
    kind: "number",
    placeholder: "<s>",
    help: "seconds between checkpoint writes (default 30)",
    schema: num(0, 86_400).default(30),
  },
  metrics: { kind: "bool", placeholder: "<bool>", help: "serve /metrics and /health (default true)", schema: bool.default(true) },
  metricsHost: {
    kind: "string",
    placeholder: "<host>",
    help: "metrics listen address (default 127.0.0.1)",
    schema: z.string({ error: "expected a host" }).min(1, "expected a host").default("127.0.0.1"),
  },
  metricsPort: {
    kind: "int",
    placeholder: "<port>",
    help: "metrics port, 0 for any (default 9464)",
    schema: int(0, 65_535).default(9_464),
  },
  healthMaxAgeSeconds: {
    kind: "number",
    placeholder: "<s>",
    help: "/health fails (503) when the head cannot be read, or a newer head waits unprocessed, this long (default 120)",
    schema: num(1, 86_400).default(120),
  },
  shardIndex: {
    kind: "int",
    placeholder: "<i>",
    help: "this keeper's shard, in [0, shardCount) (default 0)",
    schema: int(0, 1_023).default(0),
  },
  shardCount: { kind: "int", placeholder: "<n>", help: "number of shards (default 1: every account)", schema: int(1, 1_024).default(1) },
  logLevel: {
    kind: "level",
    placeholder: "<level>",
    help: `one of ${LOG_LEVELS.join(", ")} (default info)`,
    schema: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  },
  rpcTimeoutMs: {
    kind: "int",
    placeholder: "<ms>",
    help: "deadline of one RPC request (default 15000)",
    schema: int(50, 600_000).default(15_000),
  },
  rpcAttempts: { kind: "int", placeholder: "<n>", help: "attempts per RPC request (default 5)", schema: int(1, 50).default(5) },
  refreshDepth: {
    kind: "bool",
    placeholder: "<bool>",
    help: "refresh each market's depth state (refreshDepth) once it is older than depthRefreshFraction of its depthMaxAge: increases, hedges included, fail on a stale one (default false)",
    schema: bool.default(false),
  },
  depthRefreshFraction: {
    kind: "number",
    placeholder: "<x>",
    help: "refresh a depth state at this fraction of its depthMaxAge (default 0.5)",
    schema: num(0.05, 1).default(0.5),
  },
  hedge: {
    kind: "bool",
    placeholder: "<bool>",
    help: "hedge mode: rebalance the perpetual of every account that approved this keeper as its hedger when its options book's delta leaves its gamma band (default false; docs/KEEPER.md)",
    schema: bool.default(false),
  },
  hedgeMarkets: {
    kind: "ints",
    placeholder: "<m,n,...>",
    help: "hedge mode: the markets (with Greeks sizing) to hedge (default 1)",
    schema: z
      .array(int(0, Number.MAX_SAFE_INTEGER), { error: "expected a list of market ids" })
      .min(1, "expected at least one market id")
      .default([1])
      .transform((ids) => ids.map((id) => BigInt(id))),
  },
  hedgeMinTrade: {
    kind: "number",
    placeholder: "<units>",
    help: "hedge mode: smallest hedge trade sent, underlying units (default 0.001)",
    schema: num(0, 1e12).default(0.001),
  },
  shutdownTimeoutSeconds: {
    kind: "number",
    placeholder: "<s>",
    help: "wait for in-flight transactions on shutdown (default 30)",
    schema: num(0, 3_600).default(30),
  },
} satisfies Record<string, Field>;

type Fields = typeof FIELDS;
export type FieldName = keyof Fields;

/** The validated configuration. Fees are in wei. */
export type KeeperConfig = { [K in FieldName]: z.output<Fields[K]["schema"]> };
/** What a JSON file (or a library caller) may give: the JSON names, any subset. */
export type KeeperConfigInput = { [K in FieldName]?: z.input<Fields[K]["schema"]> };

const NAMES = Object.keys(FIELDS) as FieldName[];
const SECRET_NAMES = ["privateKey", "private-key", "key", "mnemonic", "PRIVATE_KEY"];

export const flagName = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const envName = (name: string) => `KEEPER_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** The variable holding the signer's private key. */
export const PRIVATE_KEY_ENV = "KEEPER_PRIVATE_KEY";
/** The variable naming a file that holds the key (a mounted secret, e.g. `/run/secrets/keeper_key`). */
export const PRIVATE_KEY_FILE_ENV = "KEEPER_PRIVATE_KEY_FILE";
/** The variable naming the JSON configuration file (same as `--config`). */
export const CONFIG_FILE_ENV = "KEEPER_CONFIG";

/** Turns a flag or variable's text into the value its schema expects (invalid text is left for the schema to reject). */
function fromText(kind: Kind, text: string): unknown {
  const t = text.trim();
  switch (kind) {
    case "int":
      return /^\d+$/.test(t) ? Number(t) : text;
    case "number":
      return /^\d+(\.\d+)?$/.test(t) ? Number(t) : text;
    case "bool":
      if (/^(true|1|yes|on)$/i.test(t)) return true;
      if (/^(false|0|no|off)$/i.test(t)) return false;
      return text;
    case "addresses":
      return t === "" ? [] : t.split(",").map((s) => s.trim());
    case "urls":
      return t;
    case "ints":
      return t === "" ? [] : t.split(",").map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s));
    default:
      return t;
  }
}

type Source = { kind: "flag" } | { kind: "env" } | { kind: "file"; file: string } | { kind: "input" };

function describe(name: FieldName, source: Source | undefined): string {
  if (source === undefined) return `${name} (--${flagName(name)} or ${envName(name)})`;
  switch (source.kind) {
    case "flag":
      return `--${flagName(name)}`;
    case "env":
      return envName(name);
    case "file":
      return `${source.file}: ${name}`;
    case "input":
      return name;
  }
}

/** The value shown after a problem, except for the RPC URL (it may carry an API key). */
function shown(name: FieldName, value: unknown): string {
  if (value === undefined || name === "rpc") return "";
  const text = JSON.stringify(value);
  return `, got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/** Validates merged raw values, naming each bad field by where it came from. */
function validate(raw: Partial<Record<FieldName, { value: unknown; source: Source }>>, problems: string[]): KeeperConfig {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const entry = raw[name];
    const parsed = FIELDS[name].schema.safeParse(entry?.value);
    if (parsed.success) out[name] = parsed.data;
    else if (entry === undefined) problems.push(`${describe(name, undefined)}: required`);
    else problems.push(`${describe(name, entry?.source)}: ${parsed.error.issues[0]!.message}${shown(name, entry?.value)}`);
  }
  if (problems.length === 0) {
    const config = out as KeeperConfig;
    if (config.shardIndex >= config.shardCount) {
      problems.push(
        `${describe("shardIndex", raw.shardIndex?.source)}: must be below shardCount (${config.shardCount}), got ${config.shardIndex}`,
      );
    }
    if (config.priorityFee > config.maxFeePerGas) {
      problems.push(`${describe("priorityFee", raw.priorityFee?.source)}: must not exceed maxFeePerGas`);
    }
  }
  return out as KeeperConfig;
}

/**
 * Validates a configuration object (JSON names; a library caller's input) and applies the defaults.
 * Throws `ConfigError` naming every bad field.
 */
export function parseKeeperConfig(input: KeeperConfigInput & Record<string, unknown>, source: Source = { kind: "input" }): KeeperConfig {
  const problems: string[] = [];
  const raw: Partial<Record<FieldName, { value: unknown; source: Source }>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (SECRET_NAMES.includes(key)) problems.push(secretProblem(source.kind === "file" ? `${source.file}: ${key}` : key));
    else if (!(key in FIELDS)) problems.push(`${source.kind === "file" ? `${source.file}: ` : ""}${key}: unknown field`);
    else if (value !== undefined) raw[key as FieldName] = { value, source };
  }
  const config = validate(raw, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function secretProblem(where: string): string {
  return `${where}: a private key is never accepted here (value not shown); set ${PRIVATE_KEY_ENV} in the environment, or run scripts/keeper/hardhat.ts with Hardhat's keystore`;
}

/** The flags of `npm run keeper`: one per field, plus `--config` and `--help`. */
export const FLAG_OPTIONS = Object.fromEntries([
  ...NAMES.map((name) => [
    flagName(name),
    { type: FIELDS[name].kind === "bool" && FIELDS[name].placeholder === "" ? ("boolean" as const) : ("string" as const) },
  ]),
  ["config", { type: "string" as const }],
  ["help", { type: "boolean" as const, short: "h" }],
]);

export interface LoadedConfig {
  config: KeeperConfig;
  /** From `KEEPER_PRIVATE_KEY`, validated (32 bytes of hex); undefined when unset. Never log it. */
  privateKey: string | undefined;
  /** `--help` was given: print usage and do nothing else. */
  help: boolean;
}

/**
 * Reads the configuration of `npm run keeper` from flags, the environment and the JSON file named by
 * `--config` (or `KEEPER_CONFIG`), in that order of precedence, then validates it.
 */
export function loadConfig(input: {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  readFile?: (file: string) => string;
  /** False for the Hardhat script: the RPC and the signer come from the network (default true). */
  standalone?: boolean;
}): LoadedConfig {
  const standalone = input.standalone ?? true;
  const problems: string[] = [];
  const argv = [...input.argv];
  for (const arg of argv) {
    const flag = /^--([^=]+)/.exec(arg)?.[1];
    if (flag !== undefined && SECRET_NAMES.includes(flag)) problems.push(secretProblem(`--${flag}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  let values: Record<string, string | boolean | undefined>;
  try {
    const args = joinNegativeValues(argv, (flag) => FLAG_OPTIONS[flag]?.type === "string");
    values = parseArgs({ args, options: FLAG_OPTIONS, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new ConfigError([explainParseError(error, Object.keys(FLAG_OPTIONS))]);
  }
  if (values.help === true) {
    return { config: undefined as unknown as KeeperConfig, privateKey: undefined, help: true };
  }

  const raw: Partial<Record<FieldName, { value: unknown; source: Source }>> = {};
  const configFile = (values.config as string | undefined) ?? input.env[CONFIG_FILE_ENV];
  if (configFile !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse((input.readFile ?? ((f: string) => readFileSync(f, "utf8")))(configFile));
    } catch (error) {
      throw new ConfigError([`${configFile}: cannot read the configuration file: ${(error as Error).message}`]);
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new ConfigError([`${configFile}: expected a JSON object of configuration fields`]);
    }
    for (const [key, value] of Object.entries(json)) {
      if (SECRET_NAMES.includes(key)) problems.push(secretProblem(`${configFile}: ${key}`));
      else if (!(key in FIELDS)) problems.push(`${configFile}: ${key}: unknown field (see --help)`);
      else raw[key as FieldName] = { value, source: { kind: "file", file: configFile } };
    }
  }
  const envNames = new Set(NAMES.map(envName));
  for (const [key, text] of Object.entries(input.env)) {
    if (!key.startsWith("KEEPER_") || text === undefined) continue;
    if (key === PRIVATE_KEY_ENV || key === PRIVATE_KEY_FILE_ENV || key === CONFIG_FILE_ENV) continue;
    if (!envNames.has(key)) problems.push(`${key}: unknown variable (see --help)`);
  }
  for (const name of NAMES) {
    // An empty variable counts as unset (env files and compose files often list variables left empty).
    const text = input.env[envName(name)] === "" ? undefined : input.env[envName(name)];
    if (text !== undefined) raw[name] = { value: fromText(FIELDS[name].kind, text), source: { kind: "env" } };
    const flag = values[flagName(name)];
    if (flag !== undefined)
      raw[name] = { value: typeof flag === "boolean" ? flag : fromText(FIELDS[name].kind, flag), source: { kind: "flag" } };
  }
  const config = validate(raw, problems);
  if (standalone && raw.rpc === undefined) problems.push(`${describe("rpc", undefined)}: required`);
  if (!standalone) {
    if (problems.length > 0) throw new ConfigError(problems);
    return { config: { ...config, rpc: undefined }, privateKey: undefined, help: false };
  }

  let privateKey = input.env[PRIVATE_KEY_ENV] === "" ? undefined : input.env[PRIVATE_KEY_ENV];
  let keySource = PRIVATE_KEY_ENV;
  const keyFile = input.env[PRIVATE_KEY_FILE_ENV] === "" ? undefined : input.env[PRIVATE_KEY_FILE_ENV];
  if (keyFile !== undefined) {
    keySource = `${PRIVATE_KEY_FILE_ENV} (${keyFile})`;
    if (privateKey !== undefined)
      problems.push(`${PRIVATE_KEY_FILE_ENV}: set either ${PRIVATE_KEY_ENV} or ${PRIVATE_KEY_FILE_ENV}, not both`);
    else {
      try {
        privateKey = (input.readFile ?? ((f: string) => readFileSync(f, "utf8")))(keyFile);
      } catch (error) {
        problems.push(`${keySource}: cannot read the key file: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
      }
    }
  }
  if (privateKey !== undefined) {
    privateKey = privateKey.trim();
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) {
      problems.push(`${keySource}: expected 32 bytes of hex (value not shown)`);
    } else if (!privateKey.startsWith("0x")) {
      privateKey = `0x${privateKey}`;
    }
  } else if (problems.length === 0 && !config.dryRun) {
    problems.push(`${PRIVATE_KEY_ENV} (or ${PRIVATE_KEY_FILE_ENV}): required to send transactions (or use --dry-run)`);
  }
  if (
    problems.length === 0 &&
    !config.dryRun &&
    config.unprofitable === "skip" &&
    config.nativeUsdFeed === undefined &&
    config.nativeUsdPrice === undefined
  ) {
    problems.push(
      `${describe("nativeUsdFeed", undefined)}: the profitability check needs the native token's USD price: set nativeUsdFeed (a Chainlink feed) or nativeUsdPrice, or --unprofitable send`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, privateKey, help: false };
}

/** Usage text of `npm run keeper`, generated from the field table. */
export function usage(): string {
  const lines = NAMES.map((name) => {
    const f: Field = FIELDS[name];
    const flag = `--${flagName(name)}${f.placeholder === "" ? "" : ` ${f.placeholder}`}`;
    return `  ${flag.padEnd(36)} ${f.help}\n  ${"".padEnd(36)} env ${envName(name)}`;
  });
  return [
    "usage: npm run keeper -- --rpc <url> --module <address> --lens <address> [--config keeper.json] [options]",
    "",
    `The signer's key is read from ${PRIVATE_KEY_ENV} (or the file named by ${PRIVATE_KEY_FILE_ENV}) only. Precedence: flags > ${"KEEPER_*"} > --config file (JSON, field names as below in camelCase) > defaults.`,
    "",
    "  --config <file>                      JSON configuration file (env KEEPER_CONFIG)",
    ...lines,
    "  --help, -h                           print this help and exit",
    "  --version                            print the version and exit",
    "",
    "example:",
    "  KEEPER_PRIVATE_KEY=0x... npm run keeper -- --rpc http://127.0.0.1:8545 --module 0xRiskModule --lens 0xRiskLens --dry-run",
  ].join("\n");
}

export { redactUrl } from "./transport.js";

/** The default of a field as an environment variable would spell it ("" when there is none). */
export function envDefault(name: FieldName): string {
  const field: Field = FIELDS[name];
  const parsed = field.schema.safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  if (value === undefined) return "";
  if (field.kind === "gwei") return formatUnits(value as bigint, "gwei").replace(/\.0$/, "");
  if (field.kind === "ether") return formatUnits(value as bigint, "ether").replace(/\.0$/, "");
  if (Array.isArray(value)) return value.map(String).join(",");
  return String(value);
}

/**
 * `.env.example`: every `KEEPER_*` variable with its help and default, generated from the field table
 * (`npm run build:env-example`; a test keeps the committed file equal to this).
 */
export function envExample(): string {
  const lines = [
    "# Ballast keeper: every KEEPER_* variable, generated from scripts/keeper/config.ts (npm run build:env-example).",
    "# Uncomment what you set. Precedence: flags > KEEPER_* > the KEEPER_CONFIG JSON file > defaults. docs/KEEPER.md explains each.",
    "",
    "# The signer's key: only from the environment, or a file holding it (a mounted secret); never a flag or a config field.",
    `# ${PRIVATE_KEY_ENV}=`,
    `# ${PRIVATE_KEY_FILE_ENV}=/run/secrets/keeper_key`,
    "# A JSON configuration file (same field names as below, camelCase).",
    `# ${CONFIG_FILE_ENV}=`,
  ];
  for (const name of NAMES) {
    const field: Field = FIELDS[name];
    lines.push("", `# ${field.help}`, `# ${envName(name)}=${envDefault(name)}`);
  }
  return `${lines.join("\n")}\n`;
}
