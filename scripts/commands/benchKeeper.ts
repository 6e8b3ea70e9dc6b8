/** `npm run bench:keeper`: the keeper's scan throughput and reaction time (body: `scripts/bench/keeperBench.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const benchKeeperCommand = defineCommand({
  name: "bench:keeper",
  synopsis: "[--sizes <n,n,...>] [--out <file.json>] [--quiet]",
  description:
    "Measures the keeper against a local node: one scan of N accounts in both scan modes (full, prefilter), and the\n" +
    "blocks from over-cap rounds to the mined deleverages. Reports, never asserts, times (about 10 minutes).",
  flags: {
    sizes: flag.intList("account counts to scan", { min: 1, max: 1_000_000, default: [1_000, 10_000, 50_000] }),
    out: flag.string("the report (JSON, with provenance)", { value: "<file.json>", default: "reports/bench/keeper.json" }),
    quiet: flag.bool("no progress lines"),
  },
  examples: ["npm run bench:keeper -- --sizes 1000 --out reports/bench/keeper-small.json"],
  needsBuild: true,
  async run(args) {
    const { runKeeperBench } = await import("../bench/keeperBench.js");
    await runKeeperBench(args);
  },
});
