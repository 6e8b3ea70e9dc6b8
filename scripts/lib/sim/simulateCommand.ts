/**
 * The body of `npm run simulate` (`scripts/commands/simulate.ts` parses and validates the flags): reads and
 * checks every input before the chain starts, replays it through the policies, writes the report and the
 * summary with its provenance. Timings go to the console, never into the files.
 */
import { inProcessChain } from "../chain.js";
import { useDeterministicClock } from "../clock.js";
import { toJson, writeFileAtomic } from "../files.js";
import { readPricePath } from "../prices.js";
import { formatSeconds, Progress } from "../progress.js";
import { chainFacts, provenance } from "../provenance.js";
import { writeReport } from "../report/index.js";
import { readRounds } from "../rounds.js";
import { readTickSnapshot } from "../uniswap/index.js";
import { POLICY_NAMES, type PolicyName } from "./policies.js";
import { type Replay, replayPrices, replayRounds } from "./replay.js";
import { simulate } from "./simulate.js";
import { formatSummaryTable } from "./table.js";

export interface SimulateArgs {
  prices: string | undefined;
  rounds: string | undefined;
  decimals: number | undefined;
  pool: string | undefined;
  policy: PolicyName | "all";
  accounts: number;
  seed: number;
  deviation: number | undefined;
  heartbeat: number | undefined;
  quiet: boolean;
  summaryFile: string;
  reportFile: string;
}

export async function runSimulateCommand(args: SimulateArgs): Promise<void> {
  const started = Date.now();
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

  const chain = await inProcessChain();
  useDeterministicClock(chain);
  const bars = new Map<string, Progress>();
  if (!args.quiet)
    process.stderr.write(`simulate: ${replay.path.steps} price steps -> ${replay.rounds.length} oracle rounds; ${policies.join(", ")}\n`);
  const result = await simulate(chain, {
    replay,
    ...(pool === undefined ? {} : { pool: { file: pool.file, snapshot: pool.snapshot } }),
    policies,
    accounts: args.accounts,
    seed: args.seed,
    onProgress: (label, done, total) => {
      if (!bars.has(label)) bars.set(label, new Progress(`simulate ${label}`, total, args.quiet));
      bars.get(label)!.update(done);
    },
  });
  const summary = {
    ...result.summary,
    provenance: await provenance({
      tool: "simulate",
      ...(await chainFacts(chain, "replica")),
      inputs: [args.prices ?? args.rounds!, ...(args.pool === undefined ? [] : [args.pool])],
      seed: args.seed,
      parameters: {
        policy: args.policy,
        accounts: args.accounts,
        ...(args.decimals === undefined ? {} : { decimals: args.decimals }),
        ...(args.deviation === undefined ? {} : { deviation: args.deviation }),
        ...(args.heartbeat === undefined ? {} : { heartbeat: args.heartbeat }),
      },
    }),
  };
  await writeReport(args.reportFile, { ...result.report, summary });
  await writeFileAtomic(args.summaryFile, toJson(summary));
  await chain.close();
  process.stdout.write(
    `${formatSummaryTable(result.summary)}\n-> ${args.summaryFile}\n-> ${args.reportFile}\ndone in ${formatSeconds((Date.now() - started) / 1000)}\n`,
  );
}
