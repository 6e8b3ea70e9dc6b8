/**
 * `npm run simulate -- --prices <file.csv> | --rounds <file.csv> --decimals <n> [--pool <ticks.json>]
 *  [--policy ballast|static|tiered|all] [--accounts <n>] [--seed <n>] [--deviation <x>] [--heartbeat <s>]
 *  [--engine evm|model] [--params <file.json>] --out <dir>`
 *
 * Replays a price path (published as a Chainlink feed would) or real Chainlink rounds through Ballast and the
 * baseline leverage caps, on an in-process replica chain (`--engine evm`) or on the TypeScript model of the same
 * system (`--engine model`), and writes `<dir>/summary.json` and `<dir>/report.html` — only once the whole run
 * succeeded.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { z } from "zod";

import { intFlag, numberFlag, parseCli, runCli } from "./lib/cli.js";
import { toJson, writeFileAtomic } from "./lib/files.js";
import { readParamsFile } from "./lib/ballast/paramsFile.js";
import { readPricePath } from "./lib/prices.js";
import { provenance } from "./lib/provenance.js";
import { Progress } from "./lib/progress.js";
import { readRounds } from "./lib/rounds.js";
import { POLICY_NAMES, type PolicyName } from "./lib/sim/policies.js";
import { type Replay, replayPrices, replayRounds } from "./lib/sim/replay.js";
import type { Simulation } from "./lib/sim/simulate.js";
import { formatSummaryTable } from "./lib/sim/table.js";
import { readTickSnapshot } from "./lib/uniswap/index.js";

const USAGE = `usage: npm run simulate -- (--prices <file.csv> | --rounds <file.csv> --decimals <n>) --out <dir>
                           [--pool <ticks.json>] [--policy ballast|static|tiered|all] [--accounts <n>] [--seed <n>]
                           [--deviation <x>] [--heartbeat <seconds>] [--engine evm|model] [--params <file.json>] [--quiet]
  --prices     a price path: header timestamp,open,high,low,close or timestamp,price (unix seconds, ascending)
  --rounds     real Chainlink rounds instead: header roundId,answer,startedAt,updatedAt,answeredInRound
  --decimals   decimals of the rounds' answers (with --rounds)
  --pool       seed the replica pool from a tick snapshot (the path is scaled to the pool's price)
  --policy     one policy or all of them (default all)
  --accounts   accounts in the book (default 50)
  --seed       seed of the book and of the traders (default 20250312)
  --deviation  deviation threshold of the published feed, a fraction (with --prices; default 0.005)
  --heartbeat  heartbeat of the published feed, seconds (with --prices; default 3600)
  --engine     evm: the real contracts on an in-process chain (default); model: the TypeScript model (fast)
  --params     a market parameters file (written by npm run calibrate; the BallastMarket Ignition parameters)
  --out        directory for summary.json and report.html`;

const ENGINES = ["evm", "model"] as const;

const Args = z
  .object({
    prices: z.string().min(1).optional(),
    rounds: z.string().min(1).optional(),
    decimals: intFlag(0, 36).optional(),
    pool: z.string().min(1).optional(),
    policy: z.enum([...POLICY_NAMES, "all"], { error: `expected one of ${[...POLICY_NAMES, "all"].join(", ")}` }).default("all"),
    accounts: intFlag(1, 1_000).default(50),
    seed: intFlag(0, 2 ** 31).default(20_250_312),
    deviation: numberFlag(0.0001, 0.5).optional(),
    heartbeat: intFlag(60, 7 * 86_400).optional(),
    engine: z.enum(ENGINES, { error: `expected one of ${ENGINES.join(", ")}` }).default("evm"),
    params: z.string().min(1).optional(),
    out: z.string({ error: "required: the directory to write summary.json and report.html into" }).min(1),
    quiet: z.boolean().default(false),
  })
  .refine((a) => (a.prices === undefined) !== (a.rounds === undefined), {
    path: ["prices"],
    message: "give exactly one of --prices and --rounds",
  })
  .refine((a) => a.rounds === undefined || a.decimals !== undefined, { path: ["decimals"], message: "required with --rounds (e.g. 8)" })
  .refine((a) => a.rounds !== undefined || a.decimals === undefined, { path: ["decimals"], message: "only with --rounds" })
  .refine((a) => a.prices !== undefined || (a.deviation === undefined && a.heartbeat === undefined), {
    path: ["deviation"],
    message: "--deviation and --heartbeat shape a published feed: only with --prices",
  });

const OPTIONS = {
  engine: { type: "string" },
  params: { type: "string" },
  prices: { type: "string" },
  rounds: { type: "string" },
  decimals: { type: "string" },
  pool: { type: "string" },
  policy: { type: "string" },
  accounts: { type: "string" },
  seed: { type: "string" },
  deviation: { type: "string" },
  heartbeat: { type: "string" },
  out: { type: "string" },
  quiet: { type: "boolean" },
} as const;

await runCli(async () => {
  const args = parseCli(process.argv.slice(2), OPTIONS, Args);
  const summaryFile = path.join(args.out, "summary.json");
  const reportFile = path.join(args.out, "report.html");
  // A failed run leaves no report behind, not even an earlier one that could be mistaken for this run's.
  await Promise.all([rm(summaryFile, { force: true }), rm(reportFile, { force: true })]);
  // Every input is read and checked before the chain starts.
  let replay: Replay;
  if (args.prices !== undefined) {
    const feed = {
      ...(args.deviation === undefined ? {} : { deviation: args.deviation }),
      ...(args.heartbeat === undefined ? {} : { heartbeat: args.heartbeat }),
    };
    replay = replayPrices(await readPricePath(args.prices), feed);
  } else {
    replay = replayRounds(args.rounds!, await readRounds(args.rounds!), args.decimals!);
  }
  const pool = args.pool === undefined ? undefined : { file: args.pool, ...(await readTickSnapshot(args.pool)) };
  for (const warning of pool?.warnings ?? []) process.stderr.write(`warning: ${args.pool}: ${warning}\n`);
  const policies: PolicyName[] = args.policy === "all" ? [...POLICY_NAMES] : [args.policy];

  const params = args.params === undefined ? undefined : await readParamsFile(args.params);
  if (!args.quiet)
    process.stderr.write(
      `simulate (${args.engine}): ${replay.path.steps} price steps -> ${replay.rounds.length} oracle rounds; ${policies.join(", ")}\n`,
    );
  const bars = new Map<string, Progress>();
  const common = {
    replay,
    ...(pool === undefined ? {} : { pool: { file: pool.file, snapshot: pool.snapshot } }),
    policies,
    accounts: args.accounts,
    seed: args.seed,
    onProgress: (label: string, done: number, total: number) => {
      if (!bars.has(label)) bars.set(label, new Progress(`simulate ${label}`, total, args.quiet));
      bars.get(label)!.update(done);
    },
  };
  const { writeReport } = await import("./lib/report/index.js");
  let result: Simulation;
  if (args.engine === "model") {
    const { simulateModel } = await import("./lib/sim/model/simulate.js");
    const { defaultModelConfig } = await import("./lib/sim/model/market.js");
    result = await simulateModel({ ...common, ...(params === undefined ? {} : { config: defaultModelConfig(params) }) });
  } else {
    const [{ inProcessChain, SIMULATION_CHAIN }, { simulate }] = await Promise.all([
      import("./lib/chain.js"),
      import("./lib/sim/simulate.js"),
    ]);
    const chain = await inProcessChain(undefined, SIMULATION_CHAIN);
    try {
      const setup =
        params === undefined
          ? undefined
          : {
              market: params.market,
              volatility: params.volatility,
              ...(params.baseCollateral === undefined ? {} : { collaterals: { weth: { baseHaircut: params.baseCollateral.baseHaircut } } }),
            };
      result = await simulate(chain, { ...common, ...(setup === undefined ? {} : { setup }) });
    } finally {
      await chain.close();
    }
  }
  const record = await provenance(
    "simulate",
    args.seed,
    { prices: args.prices, rounds: args.rounds, pool: args.pool, params: args.params },
    {
      engine: args.engine,
      policy: args.policy,
      accounts: args.accounts,
      deviation: args.deviation,
      heartbeat: args.heartbeat,
      decimals: args.decimals,
    },
  );
  await writeReport(reportFile, result.report);
  await writeFileAtomic(summaryFile, toJson({ ...result.summary, provenance: record }));
  process.stdout.write(`${formatSummaryTable(result.summary)}\n-> ${summaryFile}\n-> ${reportFile}\n`);
}, USAGE);
