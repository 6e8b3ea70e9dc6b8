/**
 * `npm run bench:gas`: gas of Ballast's entry points, measured on an in-process chain, written to
 * `reports/bench/gas.json` keyed by function and case. Every figure is the gas used by a whole
 * transaction (including the 21,000 base), each in a fresh transaction so storage reads are cold.
 */
import { inProcessChain } from "../lib/chain.js";
import { runCli } from "../lib/cli.js";
import { toJson, writeFileAtomic } from "../lib/files.js";
import { measurePokeGas } from "./pokeGas.js";

const OUT = "reports/bench/gas.json";

await runCli(async () => {
  const chain = await inProcessChain();
  const report = { poke: await measurePokeGas(chain.ethers) };
  await writeFileAtomic(OUT, toJson(report));
  process.stdout.write(toJson(report));
  process.stderr.write(`bench:gas -> ${OUT}\n`);
  await chain.close();
}, "usage: npm run bench:gas");
