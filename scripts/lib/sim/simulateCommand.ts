/**
 * The body of `npm run simulate` (`scripts/commands/simulate.ts` parses and validates the flags): reads and
 * checks every input before the chain starts, replays it through the policies, writes the report and the
 * summary with its provenance. Timings go to the console, never into the files.
 */
import { readParamsFile } from "../ballast/paramsFile.js";
import { toJson, writeFileAtomic } from "../files.js";
import { readPricePath } from "../prices.js";
import { formatSeconds, Progress } from "../progress.js";
import { chainFacts as readChainFacts, type ProvenanceInput, provenance } from "../provenance.js";
import { writeReport } from "../report/index.js";
import { readRounds } from "../rounds.js";
import { readTickSnapshot } from "../uniswap/index.js";
import { POLICY_NAMES, type PolicyName } from "./policies.js";
import { type Replay, replayPrices, replayRounds } from "./replay.js";
import type { Simulation } from "./simulate.js";
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
  engine: "evm" | "model";
  params: string | undefined;
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

  const params = args.params === undefined ? undefined : await readParamsFile(args.params);
  const bars = new Map<string, Progress>();
  if (!args.quiet)
    process.stderr.write(
      `simulate (${args.engine}): ${replay.path.steps} price steps -> ${replay.rounds.length} oracle rounds; ${policies.join(", ")}\n`,
    );
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
  let result: Simulation;
  let chainFacts: Pick<ProvenanceInput, "mode" | "chainId" | "forkBlock">;
  if (args.engine === "model") {
    const [{ simulateModel }, { defaultModelConfig }] = await Promise.all([import("./model/simulate.js"), import("./model/market.js")]);
    result = await simulateModel({ ...common, ...(params === undefined ? {} : { config: defaultModelConfig(params) }) });
    chainFacts = { mode: "none" };
  } else {
    const [{ simulationChain }, { simulate }] = await Promise.all([import("../chain.js"), import("./simulate.js")]);
    const chain = await simulationChain();
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
      chainFacts = await readChainFacts(chain, "replica");
    } finally {
      await chain.close();
    }
  }
  const summary = {
    ...result.summary,
    provenance: await provenance({
      tool: "simulate",
      ...chainFacts,
      inputs: [
        args.prices ?? args.rounds!,
        ...(args.pool === undefined ? [] : [args.pool]),
        ...(args.params === undefined ? [] : [args.params]),
      ],
      seed: args.seed,
      parameters: {
        engine: args.engine,
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
  process.stdout.write(
    `${formatSummaryTable(result.summary)}\n-> ${args.summaryFile}\n-> ${args.reportFile}\ndone in ${formatSeconds((Date.now() - started) / 1000)}\n`,
  );
}
