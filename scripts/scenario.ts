/**
 * `npm run scenario -- <name> [--seed <n>] [--accounts <n>] [--mode replica|mainnet-fork]`
 *
 * Runs one scenario of the fork suite on an in-process chain (the mainnet replica by default; a mainnet fork
 * with `--mode mainnet-fork` and `MAINNET_RPC_URL`), prints its summary table, and writes
 * `reports/scenarios/<name>.json`.
 */
import { z } from "zod";

import { inProcessChain } from "./lib/chain.js";
import { intFlag, parseCli, runCli } from "./lib/cli.js";
import { forkRequested, mainnetForkEnvironment } from "./lib/environment.js";
import { checkMainnetFork } from "./lib/forkCheck.js";
import { UsageError } from "./lib/errors.js";
import { Progress } from "./lib/progress.js";
import { SCENARIOS } from "./lib/scenarios/registry.js";
import { formatScenario, writeScenario } from "./lib/scenarios/summary.js";

const names = Object.keys(SCENARIOS);
const USAGE = `usage: npm run scenario -- <${names.join("|")}> [--seed <n>] [--accounts <n>] [--mode replica|mainnet-fork]`;

const Args = z.object({
  seed: intFlag(0, 2 ** 31).default(20_250_312),
  accounts: intFlag(1, 5_000).optional(),
  mode: z.enum(["replica", "mainnet-fork"]).default("replica"),
});

await runCli(async () => {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || !(name in SCENARIOS))
    throw new UsageError(`unknown scenario ${JSON.stringify(name ?? "")}: one of ${names.join(", ")}`);
  const args = parseCli(rest, { seed: { type: "string" }, accounts: { type: "string" }, mode: { type: "string" } }, Args);
  if (args.mode === "mainnet-fork" && !forkRequested()) throw new UsageError("--mode mainnet-fork needs MAINNET_RPC_URL");
  if (args.mode === "mainnet-fork") await checkMainnetFork();
  const chain = await inProcessChain(args.mode === "replica" ? undefined : "mainnetFork");
  const environment = args.mode === "replica" ? undefined : await mainnetForkEnvironment(chain);
  const bars = new Map<string, Progress>();
  const summary = await SCENARIOS[name]!(chain, {
    seed: args.seed,
    ...(args.accounts === undefined ? {} : { accounts: args.accounts }),
    ...(environment === undefined ? {} : { environment }),
    onProgress: (label, done, total) => {
      if (!bars.has(label)) bars.set(label, new Progress(`${name} ${label}`, total));
      bars.get(label)!.update(done);
    },
  });
  const file = await writeScenario(args.mode === "replica" ? summary : { ...summary, scenario: `${summary.scenario}-mainnet-fork` });
  process.stdout.write(`${formatScenario(summary)}\n-> ${file}\n`);
  await chain.close();
}, USAGE);
