/**
 * `npm run vol -- --rounds <file.csv> --decimals <n> [--out <file.json>] [--tau-up s] [--tau-down s]
 *  [--sigma-min x] [--sigma-max x] [--quiet]`
 *
 * Replays a file of Chainlink rounds through a real EACAggregatorProxy and the VolatilityOracle on an
 * in-process chain and writes `{"params": {...}, "records": [{"roundId", "updatedAt", "price", "sigma"}]}`.
 */
import { z } from "zod";

import { inProcessChain } from "./lib/chain.js";
import { intFlag, numberFlag, parseCli, runCli } from "./lib/cli.js";
import { toJson, writeFileAtomic } from "./lib/files.js";
import { Progress } from "./lib/progress.js";
import { readRounds } from "./lib/rounds.js";
import { DEFAULT_VOL_PARAMS, replayRounds } from "./lib/volReplay.js";

const USAGE = `usage: npm run vol -- --rounds <file.csv> --decimals <n> [--out <file.json>]
                      [--tau-up <seconds>] [--tau-down <seconds>] [--sigma-min <x>] [--sigma-max <x>] [--quiet]
  --rounds     Chainlink rounds, header roundId,answer,startedAt,updatedAt,answeredInRound
  --decimals   decimals of the feed's answers (price = answer / 10^decimals)
  --out        write the JSON here (atomically) instead of to stdout
  --tau-up     memory when a round raises the variance rate, seconds (default ${DEFAULT_VOL_PARAMS.tauUp})
  --tau-down   memory otherwise, seconds (default ${DEFAULT_VOL_PARAMS.tauDown})
  --sigma-min  floor of the volatility, annualized fraction (default ${DEFAULT_VOL_PARAMS.sigmaMin})
  --sigma-max  ceiling of the volatility, annualized fraction (default ${DEFAULT_VOL_PARAMS.sigmaMax})`;

const Args = z
  .object({
    rounds: z.string({ error: "required: a CSV file of Chainlink rounds" }).min(1),
    decimals: intFlag(0, 36).optional(),
    out: z.string().min(1).optional(),
    "tau-up": intFlag(60, 365 * 86_400).default(DEFAULT_VOL_PARAMS.tauUp),
    "tau-down": intFlag(60, 365 * 86_400).default(DEFAULT_VOL_PARAMS.tauDown),
    "sigma-min": numberFlag(0.01, 10).default(DEFAULT_VOL_PARAMS.sigmaMin),
    "sigma-max": numberFlag(0.01, 10).default(DEFAULT_VOL_PARAMS.sigmaMax),
    quiet: z.boolean().default(false),
  })
  .refine((a) => a.decimals !== undefined, { path: ["decimals"], message: "required: decimals of the feed's answers (e.g. 8)" })
  .refine((a) => a["tau-down"] >= a["tau-up"], { path: ["tau-down"], message: "must be at least --tau-up" })
  .refine((a) => a["sigma-max"] >= a["sigma-min"], { path: ["sigma-max"], message: "must be at least --sigma-min" });

const OPTIONS = {
  rounds: { type: "string" },
  decimals: { type: "string" },
  out: { type: "string" },
  "tau-up": { type: "string" },
  "tau-down": { type: "string" },
  "sigma-min": { type: "string" },
  "sigma-max": { type: "string" },
  quiet: { type: "boolean" },
} as const;

await runCli(async () => {
  const args = parseCli(process.argv.slice(2), OPTIONS, Args);
  const rounds = await readRounds(args.rounds);
  const chain = await inProcessChain();
  const progress = new Progress("vol", rounds.length, args.quiet);
  const report = await replayRounds(
    chain.ethers,
    rounds,
    args.decimals!,
    { tauUp: args["tau-up"], tauDown: args["tau-down"], sigmaMin: args["sigma-min"], sigmaMax: args["sigma-max"] },
    (done) => progress.update(done),
  );
  const json = toJson(report);
  if (args.out === undefined) process.stdout.write(json);
  else await writeFileAtomic(args.out, json);
  if (!args.quiet) {
    process.stderr.write(
      `vol: ${rounds.length} rounds read, ${report.records.length} folded in ${progress.elapsedSeconds.toFixed(1)} s${args.out ? ` -> ${args.out}` : ""}\n`,
    );
  }
  await chain.close();
}, USAGE);
