/** `npm run vol`: Chainlink rounds through a real EACAggregatorProxy and the VolatilityOracle (body: `scripts/lib/volReplay.ts`). */
import { defineCommand, flag } from "../lib/cli.js";
import { DEFAULT_VOL_PARAMS } from "../lib/volReplay.js";

export const volCommand = defineCommand({
  name: "vol",
  synopsis: "--rounds <file.csv> --decimals <n> [--out <file.json>] [options]",
  description:
    "Replays a file of Chainlink rounds through a real EACAggregatorProxy and the VolatilityOracle on an in-process chain\n" +
    'and writes {"params", "records": [{"roundId", "updatedAt", "price", "sigma"}], "provenance"}.',
  flags: {
    rounds: flag.string("Chainlink rounds, header roundId,answer,startedAt,updatedAt,answeredInRound", {
      value: "<file.csv>",
      required: "a CSV file of Chainlink rounds",
    }),
    decimals: flag.int("decimals of the feed's answers (price = answer / 10^decimals)", { min: 0, max: 36, required: true }),
    out: flag.string("write the JSON here (atomically) instead of to stdout", { value: "<file.json>" }),
    "tau-up": flag.int("memory when a round raises the variance rate, seconds", {
      min: 60,
      max: 365 * 86_400,
      default: DEFAULT_VOL_PARAMS.tauUp,
      value: "<s>",
    }),
    "tau-down": flag.int("memory otherwise, seconds", { min: 60, max: 365 * 86_400, default: DEFAULT_VOL_PARAMS.tauDown, value: "<s>" }),
    "sigma-min": flag.number("floor of the volatility, annualized fraction", { min: 0.01, max: 10, default: DEFAULT_VOL_PARAMS.sigmaMin }),
    "sigma-max": flag.number("ceiling of the volatility, annualized fraction", {
      min: 0.01,
      max: 10,
      default: DEFAULT_VOL_PARAMS.sigmaMax,
    }),
    quiet: flag.bool("no progress or timing on stderr"),
  },
  check: (a) => [
    ...(a["tau-down"] < a["tau-up"] ? [["tau-down", "must be at least --tau-up"] as [string, string]] : []),
    ...(a["sigma-max"] < a["sigma-min"] ? [["sigma-max", "must be at least --sigma-min"] as [string, string]] : []),
  ],
  examples: ["npm run vol -- --rounds rounds.csv --decimals 8 --out vol.json"],
  needsBuild: true,
  async run(args) {
    const [{ inProcessChain }, { toJson, writeFileAtomic }, { Progress }, { readRounds }, { replayRounds }, { chainFacts, provenance }] =
      await Promise.all([
        import("../lib/chain.js"),
        import("../lib/files.js"),
        import("../lib/progress.js"),
        import("../lib/rounds.js"),
        import("../lib/volReplay.js"),
        import("../lib/provenance.js"),
      ]);
    const rounds = await readRounds(args.rounds);
    const chain = await inProcessChain();
    const progress = new Progress("vol", rounds.length, args.quiet);
    const params = { tauUp: args["tau-up"], tauDown: args["tau-down"], sigmaMin: args["sigma-min"], sigmaMax: args["sigma-max"] };
    const report = await replayRounds(chain.ethers, rounds, args.decimals, params, (done) => progress.update(done));
    const record = await provenance({
      tool: "vol",
      ...(await chainFacts(chain, "replica")),
      inputs: [args.rounds],
      parameters: { decimals: args.decimals, ...params },
    });
    const json = toJson({ ...report, provenance: record });
    if (args.out === undefined) process.stdout.write(json);
    else await writeFileAtomic(args.out, json);
    if (!args.quiet) {
      process.stderr.write(
        `vol: ${rounds.length} rounds read, ${report.records.length} folded in ${progress.elapsedSeconds.toFixed(1)} s${args.out ? ` -> ${args.out}` : ""}\n`,
      );
    }
    await chain.close();
  },
});
