/** `npm run demo`: the end-to-end demo (body: `scripts/lib/sim/demo.ts`). */
import { defineCommand, flag } from "../lib/cli.js";
import { DEMO_ACCOUNTS } from "../lib/sim/demoBook.js";

export const demoCommand = defineCommand({
  name: "demo",
  synopsis: "[--accounts <n>] [--quiet]",
  description:
    "The end-to-end demo on an in-process chain, no network: the mainnet replica, Ballast with the real keeper, and the\n" +
    "static and tiered leverage caps through a built-in crash. Writes reports/demo/summary.json (with provenance),\n" +
    "report.html and report.png.",
  flags: {
    accounts: flag.int("accounts in the book (more accounts, a longer run)", { min: 2, max: 500, default: DEMO_ACCOUNTS }),
    quiet: flag.bool("no progress bars"),
  },
  examples: ["npm run demo", "npm run demo -- --accounts 60"],
  needsBuild: true,
  async run(args) {
    const [{ inProcessChain }, { formatSeconds, Progress }, { runDemo }, { formatSummaryTable }] = await Promise.all([
      import("../lib/chain.js"),
      import("../lib/progress.js"),
      import("../lib/sim/demo.js"),
      import("../lib/sim/table.js"),
    ]);
    const started = Date.now();
    process.stderr.write("demo: deploying the replica, Ballast and the reference engine...\n");
    const chain = await inProcessChain();
    const bars = new Map<string, InstanceType<typeof Progress>>();
    const result = await runDemo(chain, {
      accounts: args.accounts,
      onProgress: (label, done, total) => {
        if (!bars.has(label)) bars.set(label, new Progress(`demo ${label.padEnd(7)}`, total, args.quiet));
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
  },
});
