/** `npm run bench:gas`: gas of every entry point (body: `scripts/bench/gasReport.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const BENCH_GAS_OUT = "reports/bench/gas.json";

export const benchGasCommand = defineCommand({
  name: "bench:gas",
  synopsis: "[--update-snapshot]",
  description:
    "Measures the gas of Ballast's entry points on an in-process chain (real Uniswap V3 pool and Chainlink proxies) and\n" +
    `writes ${BENCH_GAS_OUT} (with provenance, each validateIncrease case against its read floor, contracts/test/ReadFloor.sol,\n" +
    "and the deleverage, refreshDepth and poke transactions, each with a per-component breakdown from the opcode trace and the gas\n" +
    "it spends outside the called contract's code); --update-snapshot also rewrites test/gas-snapshot.json, which npm test compares against.`,
  flags: {
    "update-snapshot": flag.bool("also rewrite the committed snapshot test/gas-snapshot.json"),
  },
  examples: ["npm run bench:gas", "npm run bench:gas -- --update-snapshot"],
  needsBuild: true,
  async run(args) {
    const [{ inProcessChain }, { toJson, writeFileAtomic }, { GAS_SNAPSHOT, measureGas }, { chainFacts, provenance }] = await Promise.all([
      import("../lib/chain.js"),
      import("../lib/files.js"),
      import("../bench/gasReport.js"),
      import("../lib/provenance.js"),
    ]);
    const chain = await inProcessChain();
    const { readFloor, transactions, ...report } = await measureGas(chain, { floor: true });
    const record = await provenance({ tool: "bench:gas", ...(await chainFacts(chain, "replica")) });
    await writeFileAtomic(BENCH_GAS_OUT, toJson({ ...report, readFloor, transactions, provenance: record }));
    if (args["update-snapshot"]) await writeFileAtomic(GAS_SNAPSHOT, toJson(report));
    process.stdout.write(toJson({ ...report, readFloor, transactions }));
    process.stderr.write(`bench:gas -> ${BENCH_GAS_OUT}${args["update-snapshot"] ? ` and ${GAS_SNAPSHOT}` : ""}\n`);
    await chain.close();
  },
});
