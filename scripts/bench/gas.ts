/**
 * `npm run bench:gas [-- --update-snapshot]`: gas of Ballast's entry points, measured on an in-process
 * chain, written to `reports/bench/gas.json` keyed by function and case (see `riskGas.ts` and
 * `pokeGas.ts` for what each case measures). `--update-snapshot` also rewrites the committed snapshot
 * (`test/gas-snapshot.json`) that `npm test` compares against.
 */
import { z } from "zod";

import { inProcessChain } from "../lib/chain.js";
import { parseCli, runCli } from "../lib/cli.js";
import { toJson, writeFileAtomic } from "../lib/files.js";
import { GAS_SNAPSHOT, measureGas } from "./gasReport.js";

const OUT = "reports/bench/gas.json";

await runCli(async () => {
  const args = parseCli(
    process.argv.slice(2),
    { "update-snapshot": { type: "boolean" } },
    z.object({ "update-snapshot": z.boolean().default(false) }),
  );
  const chain = await inProcessChain();
  const report = await measureGas(chain);
  await writeFileAtomic(OUT, toJson(report));
  if (args["update-snapshot"]) await writeFileAtomic(GAS_SNAPSHOT, toJson(report));
  process.stdout.write(toJson(report));
  process.stderr.write(`bench:gas -> ${OUT}${args["update-snapshot"] ? ` and ${GAS_SNAPSHOT}` : ""}\n`);
  await chain.close();
}, "usage: npm run bench:gas [-- --update-snapshot]");
