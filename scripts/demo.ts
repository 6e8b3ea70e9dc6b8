/**
 * `npm run demo` — the end-to-end demo on an in-process chain, no arguments, no network: the mainnet
 * replica, Ballast with the real keeper, and two leverage-cap baselines through a built-in crash. Writes
 * `reports/demo/summary.json`, `reports/demo/report.html` and `reports/demo/report.png`.
 */
import { inProcessChain } from "./lib/chain.js";
import { runCli } from "./lib/cli.js";
import { UsageError } from "./lib/errors.js";
import { formatSeconds, Progress } from "./lib/progress.js";
import { runDemo } from "./lib/sim/demo.js";
import { formatSummaryTable } from "./lib/sim/table.js";

const USAGE = "usage: npm run demo   (no arguments; `npm run simulate` replays your own price paths)";

await runCli(async () => {
  if (process.argv.length > 2) throw new UsageError(`unexpected arguments: ${process.argv.slice(2).join(" ")}`);
  const started = Date.now();
  process.stderr.write("demo: compiling and deploying the replica, Ballast and the reference engine...\n");
  const chain = await inProcessChain();
  const bars = new Map<string, Progress>();
  const result = await runDemo(chain, {
    onProgress: (label, done, total) => {
      if (!bars.has(label)) bars.set(label, new Progress(`demo ${label.padEnd(7)}`, total));
      bars.get(label)!.update(done);
    },
  });
  await chain.close();
  const { files, keeper } = result;
  if (result.screenshotSkipped !== undefined) process.stderr.write(`warning: no screenshot: ${result.screenshotSkipped}\n`);
  process.stdout.write(
    [
      formatSummaryTable(result.simulation.summary),
      `keeper ${keeper.address}: ${keeper.confirmed} deleverages confirmed`,
      `leverage of the baselines (same calm-market capacity as Ballast): ${Object.entries(result.simulation.leverage)
        .map(([name, l]) => `${name} ${l.toFixed(2)}x`)
        .join(", ")}`,
      ...Object.values(files).map((file) => `-> ${file}`),
      `done in ${formatSeconds((Date.now() - started) / 1000)}`,
      "",
    ].join("\n"),
  );
}, USAGE);
