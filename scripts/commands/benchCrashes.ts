/** `npm run bench:crashes`: the crash paths through every policy (body: `scripts/bench/crashesBench.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const benchCrashesCommand = defineCommand({
  name: "bench:crashes",
  synopsis: "[--params <file.json>] [--gap <x>] [--engine model|evm] [--accounts <n>] [--seed <n>] [--out <dir>]",
  description:
    "Replays six crash paths built from public knowledge of real crashes (one-hour gaps of -15 % to -25 %, falls of\n" +
    "40-60 % over days) through Ballast and both baselines and prints bad debt, liquidations, write-offs and calm\n" +
    "capacity per policy; writes each path as <out>/<name>.csv and the figures to <out>/crashes.json (with provenance).",
  flags: {
    params: flag.string("a market parameters file (npm run calibrate's params.json)", { value: "<file.json>" }),
    gap: flag.number("the gap floor of the stressed log-move, overriding the file's and the default", { min: 0, max: 1 }),
    engine: flag.choice("model: the TypeScript model (fast); evm: the real contracts on an in-process chain", ["model", "evm"] as const, {
      default: "model",
    }),
    accounts: flag.int("accounts in the book", { min: 1, max: 1_000, default: 50 }),
    seed: flag.int("seed of the paths' noise, the book and the traders", { min: 0, max: 2 ** 31, default: 7 }),
    out: flag.string("directory for the paths and crashes.json", { value: "<dir>", default: "reports/crashes" }),
  },
  examples: ["npm run bench:crashes", "npm run bench:crashes -- --params reports/calibrate/params.json --engine evm"],
  needsBuild: true,
  async run(args) {
    const { benchCrashes } = await import("../bench/crashesBench.js");
    await benchCrashes(args);
  },
});
