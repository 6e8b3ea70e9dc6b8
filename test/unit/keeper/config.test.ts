import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";

import { expect } from "chai";
import { getAddress, parseUnits, Wallet } from "ethers";

import {
  envDefault,
  envExample,
  envName,
  FIELDS,
  flagName,
  loadConfig,
  parseKeeperConfig,
  redactUrl,
  usage,
} from "../../../scripts/keeper/config.js";
import { ConfigError } from "../../../scripts/keeper/errors.js";
import { createLogger } from "../../../scripts/keeper/logger.js";

const MODULE = "0x00000000000000000000000000000000000000aa";
const LENS = "0x00000000000000000000000000000000000000bb";
const KEY = Wallet.createRandom().privateKey;
const BASE = ["--rpc", "http://127.0.0.1:8545", "--module", MODULE, "--lens", LENS, "--native-usd-price", "3000"];
const ENV = { KEEPER_PRIVATE_KEY: KEY };

function problems(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

const load = (argv: string[], env: Record<string, string> = ENV, files: Record<string, string> = {}) =>
  loadConfig({
    argv,
    env,
    readFile: (f) => {
      if (!(f in files)) throw new Error(`ENOENT: no such file '${f}'`);
      return files[f]!;
    },
  });

describe("keeper configuration", () => {
  it("applies the defaults and converts fees from gwei to wei", () => {
    const { config, privateKey } = load(BASE);
    expect(config.pollIntervalMs).to.equal(2_000);
    expect(config.shardCount).to.equal(1);
    expect(config.dryRun).to.equal(false);
    expect(config.maxFeePerGas).to.equal(parseUnits("300", "gwei"));
    expect(config.module).to.equal(getAddress(MODULE));
    expect(privateKey).to.equal(KEY);
  });

  it("merges with precedence flags > KEEPER_* > JSON file > defaults", () => {
    const files = { "k.json": JSON.stringify({ pollIntervalMs: 111, lensChunkSize: 7, cooldownSeconds: 5, priorityFee: "1.5" }) };
    const env = { ...ENV, KEEPER_POLL_INTERVAL_MS: "222", KEEPER_LENS_CHUNK_SIZE: "8" };
    const { config } = load([...BASE, "--config", "k.json", "--poll-interval-ms", "333"], env, files);
    expect(config.pollIntervalMs).to.equal(333); // flag over env and file
    expect(config.lensChunkSize).to.equal(8); // env over file
    expect(config.cooldownSeconds).to.equal(5); // file over default
    expect(config.priorityFee).to.equal(parseUnits("1.5", "gwei"));
    expect(config.txConcurrency).to.equal(8); // default
    const viaEnv = load(BASE, { ...ENV, KEEPER_CONFIG: "k.json" }, files);
    expect(viaEnv.config.pollIntervalMs).to.equal(111);
  });

  const BAD: Record<string, string> = {
    rpc: "ftp://example.com",
    module: "0x1234",
    lens: "not-an-address",
    engine: "0xZZ00000000000000000000000000000000000000",
    volatilityOracle: "0x12",
    feeds: "0x01,nope",
    poke: "maybe",
    startBlock: "-1",
    reorgHistory: "1",
    safeDepth: "x",
    confirmations: "0",
    pollIntervalMs: "1.5",
    subscribe: "perhaps",
    logChunkBlocks: "0",
    lensChunkSize: "100000",
    scanMode: "fast",
    prefilterMargin: "0.9",
    sweepPerBlock: "x",
    readConcurrency: "0",
    txConcurrency: "1000",
    cooldownSeconds: "-5",
    maxFeePerGas: "abc",
    priorityFee: "0.0000000001",
    bumpPercent: "10",
    stuckAfterSeconds: "0",
    maxReplacements: "1000",
    gasLimitMarginPercent: "-1",
    checkpoint: "",
    checkpointIntervalSeconds: "x",
    metrics: "2",
    metricsHost: "",
    metricsPort: "70000",
    healthMaxAgeSeconds: "0",
    shardIndex: "2000",
    shardCount: "0",
    logLevel: "loud",
    rpcTimeoutMs: "1",
    rpcAttempts: "0",
    shutdownTimeoutSeconds: "99999",
    refreshDepth: "sometimes",
    depthRefreshFraction: "2",
    hedge: "maybe",
    hedgeMarkets: "1,eth",
    hedgeMinTrade: "-1",
    minBalance: "0.1.2",
    unprofitable: "maybe",
    nativeUsdFeed: "0x99",
    nativeUsdPrice: "-3",
  };

  it("has a bad value in this table for every field", () => {
    const fields = Object.keys(FIELDS).filter((f) => f !== "dryRun" && f !== "once");
    expect(Object.keys(BAD).sort()).to.deep.equal(fields.sort());
  });

  for (const [field, value] of Object.entries(BAD)) {
    it(`a bad ${field} is named as its flag, its variable and its file key`, () => {
      const flag = `--${flagName(field)}`;
      const withoutField = BASE.filter((_, i) => !(BASE[i] === flag || BASE[i - 1] === flag));
      expect(problems(() => load([...withoutField, `${flag}=${value}`]))).to.match(new RegExp(`^${flag}: `, "m"));
      // An empty variable counts as unset (env files list variables left empty): only non-empty text is judged there.
      if (value !== "")
        expect(problems(() => load(withoutField, { ...ENV, [envName(field)]: value }))).to.match(new RegExp(`^${envName(field)}: `, "m"));
      const fileValue =
        /^-?\d+(\.\d+)?$/.test(value) && !["priorityFee", "maxFeePerGas", "minBalance"].includes(field) ? Number(value) : value;
      const files = { "bad.json": JSON.stringify({ [field]: field === "feeds" ? value.split(",") : fileValue }) };
      expect(problems(() => load([...withoutField, "--config", "bad.json"], ENV, files))).to.contain(`bad.json: ${field}: `);
    });
  }

  it("reports every bad field at once, not only the first", () => {
    const message = problems(() => load([...BASE, "--poll-interval-ms", "x", "--shard-count", "0", "--log-level", "loud"]));
    expect(message.split("\n")).to.have.length(3);
  });

  it("names each missing required field", () => {
    const message = problems(() => load([], ENV));
    expect(message).to.contain("rpc (--rpc or KEEPER_RPC): required");
    expect(message).to.contain("module (--module or KEEPER_MODULE): required");
    expect(message).to.contain("lens (--lens or KEEPER_LENS): required");
  });

  it("rejects a shard index at or above the shard count, and a priority fee above the fee cap", () => {
    expect(problems(() => load([...BASE, "--shard-index", "2", "--shard-count", "2"]))).to.contain(
      "--shard-index: must be below shardCount (2)",
    );
    expect(problems(() => load([...BASE, "--priority-fee", "5", "--max-fee-per-gas", "4"]))).to.contain(
      "--priority-fee: must not exceed maxFeePerGas",
    );
  });

  it("rejects unknown flags, KEEPER_* variables and file fields", () => {
    expect(problems(() => load([...BASE, "--pol-interval", "5"]))).to.contain("pol-interval");
    expect(problems(() => load(BASE, { ...ENV, KEEPER_POLL_INTERVAL: "5" }))).to.contain("KEEPER_POLL_INTERVAL: unknown variable");
    expect(problems(() => load([...BASE, "--config", "k.json"], ENV, { "k.json": '{"pollInterval": 5}' }))).to.contain(
      "k.json: pollInterval: unknown field",
    );
    expect(problems(() => load([...BASE, "--config", "k.json"], ENV, { "k.json": "[1]" }))).to.contain("expected a JSON object");
    expect(problems(() => load([...BASE, "--config", "missing.json"]))).to.contain("missing.json: cannot read");
  });

  it("never takes the private key from a flag or the file, and never repeats it", () => {
    const flag = problems(() => load([...BASE, "--private-key", KEY]));
    expect(flag).to.contain("--private-key: a private key is never accepted here");
    expect(flag).not.to.contain(KEY.slice(2));
    const file = problems(() => load([...BASE, "--config", "k.json"], ENV, { "k.json": JSON.stringify({ privateKey: KEY }) }));
    expect(file).to.contain("k.json: privateKey: a private key is never accepted here");
    expect(file).not.to.contain(KEY.slice(2));
    const malformed = `${KEY.slice(0, -2)}zz`;
    const env = problems(() => load(BASE, { KEEPER_PRIVATE_KEY: malformed }));
    expect(env).to.contain("KEEPER_PRIVATE_KEY: expected 32 bytes of hex (value not shown)");
    expect(env).not.to.contain(malformed.slice(2, 40));
    expect(problems(() => parseKeeperConfig({ module: MODULE, lens: LENS, privateKey: KEY } as never))).not.to.contain(KEY.slice(2));
  });

  it("requires the key unless dry-run, and accepts it without 0x", () => {
    expect(problems(() => load(BASE, {}))).to.contain(
      "KEEPER_PRIVATE_KEY (or KEEPER_PRIVATE_KEY_FILE): required to send transactions (or use --dry-run)",
    );
    expect(load([...BASE, "--dry-run"], {}).privateKey).to.equal(undefined);
    expect(load(BASE, { KEEPER_PRIVATE_KEY: KEY.slice(2) }).privateKey).to.equal(KEY);
  });

  it("reads the key from the file named by KEEPER_PRIVATE_KEY_FILE (a mounted secret), never showing it", () => {
    const files = { "/run/secrets/keeper_key": `${KEY.slice(2)}\n` };
    expect(load(BASE, { KEEPER_PRIVATE_KEY_FILE: "/run/secrets/keeper_key" }, files).privateKey).to.equal(KEY);
    const both = problems(() => load(BASE, { ...ENV, KEEPER_PRIVATE_KEY_FILE: "/run/secrets/keeper_key" }, files));
    expect(both).to.contain("set either KEEPER_PRIVATE_KEY or KEEPER_PRIVATE_KEY_FILE, not both");
    const bad = problems(() => load(BASE, { KEEPER_PRIVATE_KEY_FILE: "k" }, { k: `${KEY.slice(2, -2)}zz` }));
    expect(bad).to.contain("KEEPER_PRIVATE_KEY_FILE (k): expected 32 bytes of hex (value not shown)");
    expect(bad).not.to.contain(KEY.slice(2, 30));
    expect(problems(() => load(BASE, { KEEPER_PRIVATE_KEY_FILE: "missing" }))).to.contain(
      "KEEPER_PRIVATE_KEY_FILE (missing): cannot read the key file",
    );
  });

  it("the profitability check needs the native token's price unless unprofitable deleverages are sent or nothing is sent", () => {
    const withoutPrice = BASE.slice(0, -2);
    expect(problems(() => load(withoutPrice))).to.contain("the profitability check needs the native token's USD price");
    expect(load([...withoutPrice, "--unprofitable", "send"]).config.unprofitable).to.equal("send");
    expect(load([...withoutPrice, "--dry-run"], {}).config.nativeUsdPrice).to.equal(undefined);
    expect(load([...withoutPrice, "--native-usd-feed", MODULE]).config.nativeUsdFeed).to.equal(getAddress(MODULE));
  });

  it("takes several RPC URLs (failover, in order of preference) and --once, and treats an empty KEEPER_* variable as unset", () => {
    const { config } = load(["--rpc", "http://127.0.0.1:8545, ws://127.0.0.1:8546", "--module", MODULE, "--lens", LENS, "--once"], {
      ...ENV,
      KEEPER_ENGINE: "",
      KEEPER_NATIVE_USD_PRICE: "2500",
    });
    expect(config.rpc).to.deep.equal(["http://127.0.0.1:8545", "ws://127.0.0.1:8546"]);
    expect(config.once).to.equal(true);
    expect(config.engine).to.equal(undefined);
    expect(config.nativeUsdPrice).to.equal(2500);
    expect(parseKeeperConfig({ module: MODULE, lens: LENS, rpc: "http://a:1" }).rpc).to.deep.equal(["http://a:1"]);
  });

  it("does not echo the RPC URL (it may hold an API key) and logs it redacted", () => {
    const message = problems(() => load(["--rpc", "ftp://secret-api-key@host/v3/SECRET", "--module", MODULE, "--lens", LENS]));
    expect(message).to.contain("--rpc: expected http(s):// or ws(s):// URLs");
    expect(message).not.to.contain("SECRET");
    expect(redactUrl("https://eth.example.com/v3/SECRETKEY?x=1")).to.equal("https://eth.example.com/…");
  });

  it("docs/KEEPER.md documents every field with its flag and variable", async () => {
    const doc = await readFile("docs/KEEPER.md", "utf8");
    for (const field of Object.keys(FIELDS)) {
      expect(doc, field).to.match(new RegExp(`\\| \`${field}\`\\s+\\| \`--${flagName(field)}\`\\s+\\| \`${envName(field)}\`\\s+\\|`));
    }
  });

  it("usage lists every field with its flag and variable", () => {
    const text = usage();
    for (const field of Object.keys(FIELDS)) {
      expect(text).to.contain(`--${flagName(field)}`);
      expect(text).to.contain(envName(field));
    }
  });
});

describe("keeper logger", () => {
  it("never writes the private key: redacted by field name, and scrubbed from any text, with or without 0x, in any case", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: "trace", destination: sink, secrets: [KEY] });
    const bare = KEY.slice(2);
    logger.info({ privateKey: KEY, config: { privateKey: KEY, key: KEY } }, "fields");
    logger.warn(`message with ${KEY} inside`);
    logger.error({ err: new Error(`failed with ${bare.toUpperCase()}`) }, "error");
    logger.debug({ nested: { deeper: { text: `k=${bare}` } }, list: [KEY] }, "nested");
    const output = lines.join("");
    expect(lines).to.have.length(4);
    expect(output.toLowerCase()).not.to.contain(bare.toLowerCase());
    expect(output).to.contain("[redacted]");
    expect(JSON.parse(lines[0]!).msg).to.equal("fields");
  });
});

describe("keeper .env.example", () => {
  it("lists every KEEPER_* variable with its default, exactly as the configuration table generates it (npm run build:env-example)", async () => {
    const committed = await readFile(".env.example", "utf8");
    expect(committed).to.equal(envExample());
    for (const field of Object.keys(FIELDS) as (keyof typeof FIELDS)[]) {
      expect(committed).to.contain(`# ${envName(field)}=${envDefault(field)}\n`);
    }
    expect(envDefault("maxFeePerGas")).to.equal("300");
    expect(envDefault("minBalance")).to.equal("0.05");
    expect(envDefault("hedgeMarkets")).to.equal("1");
  });
});
