/**
 * `npm run bench:crashes [-- --params <file>] [--gap <x>] [--engine model|evm] [--accounts <n>] [--seed <n>] [--out <dir>]`:
 * the crash paths built from public knowledge of real crashes (`scripts/lib/sim/crashes.ts`) through Ballast and
 * both baselines: bad debt, liquidations (and write-offs) per policy, and the calm capacity each policy had,
 * with the default market, a parameters file's (`npm run calibrate`), and/or a gap floor `--gap`. Writes each
 * crash's hourly bars to `<dir>/<name>.csv` (replayable with `npm run simulate`) and `<dir>/crashes.json`.
 */
import path from "node:path";

import { wad } from "../lib/ballast/params.js";
import { type MarketParamsFile, readParamsFile } from "../lib/ballast/paramsFile.js";
import { toJson, writeFileAtomic } from "../lib/files.js";
import { provenance } from "../lib/provenance.js";
import { CRASHES, crashPricePath, pricePathCsv } from "../lib/sim/crashes.js";
import { defaultModelConfig } from "../lib/sim/model/market.js";
import { simulateModel } from "../lib/sim/model/simulate.js";
import { replayPrices } from "../lib/sim/replay.js";
import type { Simulation } from "../lib/sim/simulate.js";
import { formatSummaryTable } from "../lib/sim/table.js";

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const gap = flag("gap");
const engine = flag("engine") ?? "model";
const accounts = Number(flag("accounts") ?? 50);
const seed = Number(flag("seed") ?? 7);
const out = flag("out") ?? "reports/crashes";
const paramsFile = flag("params");
const params: MarketParamsFile = paramsFile === undefined ? { market: {}, volatility: {} } : await readParamsFile(paramsFile);
const market = { ...params.market, ...(gap === undefined ? {} : { gap: wad(gap) }) };
const overrides = { ...params, market };
const rows = [];
for (const spec of CRASHES) {
  const pricePath = crashPricePath(spec, seed);
  const file = path.join(out, `${spec.name}.csv`);
  await writeFileAtomic(file, pricePathCsv(pricePath));
  const replay = replayPrices({ ...pricePath, file });
  const options = { replay, policies: ["ballast", "static", "tiered"] as const, accounts, seed, noSeries: true };
  let sim: Simulation;
  if (engine === "evm") {
    const [{ inProcessChain, SIMULATION_CHAIN }, { simulate }] = await Promise.all([
      import("../lib/chain.js"),
      import("../lib/sim/simulate.js"),
    ]);
    const chain = await inProcessChain(undefined, SIMULATION_CHAIN);
    const weth = params.baseCollateral === undefined ? {} : { collaterals: { weth: { baseHaircut: params.baseCollateral.baseHaircut } } };
    sim = await simulate(chain, { ...options, setup: { market, volatility: params.volatility, ...weth } });
    await chain.close();
  } else {
    sim = await simulateModel({ ...options, config: defaultModelConfig(overrides) });
  }
  process.stdout.write(`\n${spec.name}: ${spec.about}\n${formatSummaryTable(sim.summary)}\n`);
  rows.push({ crash: spec.name, about: spec.about, policies: sim.summary.policies, leverage: sim.leverage });
}
const record = await provenance("bench:crashes", seed, { params: paramsFile }, { engine, accounts, gap: gap ?? "default" });
await writeFileAtomic(path.join(out, "crashes.json"), toJson({ crashes: rows, provenance: record }));
process.stdout.write(`-> ${path.join(out, "crashes.json")}\n`);
