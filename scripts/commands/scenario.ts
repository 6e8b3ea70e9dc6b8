/** `npm run scenario`: one scenario of the fork suite as a script (scenarios: `scripts/lib/scenarios/`). */
import { defineCommand, flag } from "../lib/cli.js";
import { UsageError } from "../lib/errors.js";
import { SCENARIO_NAMES, type ScenarioName } from "../lib/scenarios/names.js";

export const scenarioCommand = defineCommand({
  name: "scenario",
  synopsis: "<scenario> [--seed <n>] [--accounts <n>] [--mode replica|mainnet-fork] [--out <dir>]",
  description:
    "Runs one scenario of the fork suite on an in-process chain (the mainnet replica; a mainnet fork with --mode\n" +
    "mainnet-fork and MAINNET_RPC_URL), prints its summary table and writes <out>/<name>.json (with provenance).",
  positional: { name: "scenario", help: "the scenario to run", choices: SCENARIO_NAMES },
  flags: {
    seed: flag.int("seed of the scenario's randomness", { min: 0, max: 2 ** 31, default: 20_250_312 }),
    accounts: flag.int("accounts in the book (scenarios with a book)", { min: 1, max: 5_000, shown: "default: the scenario's own" }),
    mode: flag.choice("where the mainnet contracts come from", ["replica", "mainnet-fork"] as const, { default: "replica" }),
    out: flag.string("directory of the summary", { value: "<dir>", default: "reports/scenarios" }),
  },
  examples: [
    "npm run scenario -- cascade --accounts 50",
    "MAINNET_RPC_URL=https://your-archive-node npm run scenario -- cascade --mode mainnet-fork",
  ],
  needsBuild: true,
  // The mainnet fork's pre-flight, before compiling: MAINNET_RPC_URL answers with chain 1 and the block, and
  // FORK_BLOCK is a block number, each named with its value if not (scripts/lib/forkCheck.ts).
  async preflight(args) {
    if (args.mode !== "mainnet-fork") return;
    if ((process.env.MAINNET_RPC_URL ?? "") === "") throw new UsageError("--mode mainnet-fork needs MAINNET_RPC_URL");
    await (await import("../lib/forkCheck.js")).checkMainnetFork();
  },
  async run(args, name) {
    const [{ inProcessChain }, { mainnetForkEnvironment }, { Progress }, { SCENARIOS }, { formatScenario, writeScenario }] =
      await Promise.all([
        import("../lib/chain.js"),
        import("../lib/environment.js"),
        import("../lib/progress.js"),
        import("../lib/scenarios/registry.js"),
        import("../lib/scenarios/summary.js"),
      ]);
    const chain = await inProcessChain(args.mode === "replica" ? undefined : "mainnetFork");
    const environment = args.mode === "replica" ? undefined : await mainnetForkEnvironment(chain);
    const bars = new Map<string, InstanceType<typeof Progress>>();
    const scenario = name as ScenarioName;
    const summary = await SCENARIOS[scenario](chain, {
      seed: args.seed,
      ...(args.accounts === undefined ? {} : { accounts: args.accounts }),
      ...(environment === undefined ? {} : { environment }),
      onProgress: (label, done, total) => {
        if (!bars.has(label)) bars.set(label, new Progress(`${scenario} ${label}`, total));
        bars.get(label)!.update(done);
      },
    });
    const named = args.mode === "replica" ? summary : { ...summary, scenario: `${summary.scenario}-mainnet-fork` };
    const file = await writeScenario(named, {
      connection: chain,
      mode: args.mode,
      tool: "scenario",
      parameters: { scenario, ...(args.accounts === undefined ? {} : { accounts: args.accounts }) },
      directory: args.out,
    });
    process.stdout.write(`${formatScenario(summary)}\n-> ${file}\n`);
    await chain.close();
  },
});
