/**
 * `npm run calibrate`: recommends a market's Ballast parameters from its history (Monte Carlo paths, a sweep on
 * the model engine, a check on the EVM); the body is `scripts/lib/calibrate/calibrateCommand.ts`.
 */
import { availableParallelism } from "node:os";

import { defineCommand, flag } from "../lib/cli.js";
import { HISTORY_FLAGS, historyProblems } from "./history.js";
import { DEFAULT_STRESS } from "../lib/calibrate/paths.js";

export const calibrateCommand = defineCommand({
  name: "calibrate",
  synopsis: "(--prices <file.csv> | --rounds <file.csv> --decimals <n>) [--pool <ticks.json>] [--out <dir>] [options]",
  description:
    "Recommends a market's Ballast parameters from its history: Monte Carlo paths (a stationary block bootstrap of its\n" +
    "hourly returns, and stressed variants with more volatility, one-hour gaps and multi-day falls), a sweep of the market\n" +
    "parameters within the module's hard bounds on the model engine, the set with the largest calm capacity that meets the\n" +
    "target, and a check of it on the EVM. Writes <out>/params.json (the BallastMarket Ignition parameters, also read by\n" +
    "npm run simulate -- --params), <out>/calibration.json and <out>/report.html, all with provenance.",
  flags: {
    ...HISTORY_FLAGS,
    pool: flag.string("a tick snapshot of the market's pool (default: a generated concentrated profile)", { value: "<ticks.json>" }),
    out: flag.string("directory for params.json, calibration.json and report.html", { value: "<dir>", default: "reports/calibrate" }),
    paths: flag.int("Monte Carlo paths", { min: 10, max: 100_000, default: 1_000 }),
    hours: flag.int("hours per path (168: a week)", { min: 48, max: 24 * 365, default: 168 }),
    block: flag.int("mean block length of the bootstrap, hours", { min: 1, max: 24 * 30, default: 24, value: "<hours>" }),
    accounts: flag.int("accounts in each simulated book", { min: 1, max: 1_000, default: 20 }),
    seed: flag.int("seed of the paths, the book and the traders", { min: 0, max: 2 ** 31, default: 20_250_312 }),
    target: flag.number("share of paths that must end with zero bad debt", { min: 0.5, max: 1, default: 0.999, value: "<share>" }),
    "max-deleveraged": flag.number("largest share of positions deleveraged on the calm paths", {
      min: 0,
      max: 1,
      default: 0.25,
      value: "<share>",
    }),
    "stress-share": flag.number("share of stressed paths", { min: 0, max: 1, default: DEFAULT_STRESS.share, value: "<share>" }),
    "stress-vol": flag.range("volatility multiplier range of the stressed paths", {
      lo: 0,
      hi: 100,
      default: [DEFAULT_STRESS.volScale[0], DEFAULT_STRESS.volScale[1]],
    }),
    "stress-gaps": flag.range("size range of their one-hour gaps, fractions", {
      lo: 0,
      hi: 1,
      below: true,
      default: [DEFAULT_STRESS.gaps[0], DEFAULT_STRESS.gaps[1]],
    }),
    threads: flag.int("worker threads (0: in-process)", {
      min: 0,
      max: 64,
      default: Math.max(1, availableParallelism()),
      shown: "default: the machine's cores",
    }),
    verify: flag.int("paths re-run on the EVM with the recommended set (0 to skip)", { min: 0, max: 20, default: 2 }),
    quiet: flag.bool("no progress bars"),
  },
  check: (a) => {
    const problems = historyProblems(a);
    return problems;
  },
  examples: [
    "npm run calibrate -- --prices test/fixtures/eth-usdt-1h-sample.csv --out reports/calibrate",
    "npm run calibrate -- --rounds rounds.csv --decimals 8 --pool ticks.json --paths 2000 --target 0.9995",
  ],
  needsBuild: true,
  async run(args) {
    const { runCalibrateCommand } = await import("../lib/calibrate/calibrateCommand.js");
    await runCalibrateCommand(args);
  },
});
