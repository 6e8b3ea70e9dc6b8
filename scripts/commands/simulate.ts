/**
 * `npm run simulate`: replays a price path (published as a Chainlink feed would) or real Chainlink rounds
 * through Ballast and the baseline leverage caps on an in-process replica chain, and writes
 * `<out>/summary.json` and `<out>/report.html` — only once the whole run succeeded.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { defineCommand, flag } from "../lib/cli.js";
import { HISTORY_FLAGS, historyProblems } from "./history.js";

const POLICIES = ["ballast", "static", "tiered", "all"] as const;
const ENGINES = ["evm", "model"] as const;

export const simulateCommand = defineCommand({
  name: "simulate",
  synopsis: "(--prices <file.csv> | --rounds <file.csv> --decimals <n>) --out <dir> [options]",
  description:
    "Replays a price path or real Chainlink rounds through Ballast and the baseline leverage caps (static, tiered) on an\n" +
    "in-process replica chain (or its TypeScript model, --engine model); writes <out>/summary.json (with provenance) and <out>/report.html once the run succeeded.",
  flags: {
    ...HISTORY_FLAGS,
    pool: flag.string("seed the replica pool from a tick snapshot (the path is scaled to the pool's price)", { value: "<ticks.json>" }),
    policy: flag.choice("which policies to run", POLICIES, { default: "all" }),
    accounts: flag.int("accounts in the book", { min: 1, max: 1_000, default: 50 }),
    seed: flag.int("seed of the book and of the traders", { min: 0, max: 2 ** 31, default: 20_250_312 }),
    deviation: flag.number("deviation threshold of the published feed, a fraction (with --prices)", {
      min: 0.0001,
      max: 0.5,
      shown: "default 0.005",
    }),
    heartbeat: flag.int("heartbeat of the published feed, seconds (with --prices)", { min: 60, max: 7 * 86_400, value: "<s>" }),
    out: flag.string("directory for summary.json and report.html", {
      value: "<dir>",
      required: "the directory to write summary.json and report.html into",
    }),
    engine: flag.choice("evm: the real contracts on an in-process chain; model: the TypeScript model of the same system (fast)", ENGINES, {
      default: "evm",
    }),
    params: flag.string("a market parameters file (written by npm run calibrate; the BallastMarket Ignition parameters)", {
      value: "<file.json>",
    }),
    quiet: flag.bool("no progress bars"),
  },
  check: (a) => {
    const problems = historyProblems(a);
    if (a.prices === undefined && (a.deviation !== undefined || a.heartbeat !== undefined))
      problems.push(["deviation", "--deviation and --heartbeat shape a published feed: only with --prices"]);
    return problems;
  },
  examples: [
    "npm run simulate -- --prices test/fixtures/eth-usdt-1h-sample.csv --accounts 20 --out reports/my-run",
    "npm run simulate -- --prices test/fixtures/eth-usdt-1h-sample.csv --engine model --params reports/calibrate/params.json --out reports/my-run",
    "npm run simulate -- --rounds rounds.csv --decimals 8 --pool ticks.json --policy ballast --seed 1 --out reports/my-run",
  ],
  needsBuild: true,
  async run(args) {
    const summaryFile = path.join(args.out, "summary.json");
    const reportFile = path.join(args.out, "report.html");
    // A failed run leaves no report behind, not even an earlier one that could be mistaken for this run's.
    await Promise.all([rm(summaryFile, { force: true }), rm(reportFile, { force: true })]);
    const { runSimulateCommand } = await import("../lib/sim/simulateCommand.js");
    await runSimulateCommand({ ...args, summaryFile, reportFile });
  },
});
