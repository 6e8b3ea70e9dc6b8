/**
 * The body of `npm run bench:crashes` (`scripts/commands/benchCrashes.ts`): the crash paths built from public
 * knowledge of real crashes (`scripts/lib/sim/crashes.ts`) through Ballast and both baselines: bad debt,
 * liquidations (and write-offs) per policy, and the calm capacity each policy had, with the default market, a
 * parameters file's (`npm run calibrate`), and/or a gap floor. Writes each crash's hourly bars to
 * `<out>/<name>.csv` (replayable with `npm run simulate`) and `<out>/crashes.json`.
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

export interface CrashesArgs {
  params: string | undefined;
  gap: number | undefined;
  engine: "model" | "evm";
  accounts: number;
  seed: number;
  out: string;
}

export async function benchCrashes(args: CrashesArgs): Promise<void> {
  const { gap, engine, accounts, seed, out, params: paramsFile } = args;
  const params: MarketParamsFile = paramsFile === undefined ? { market: {}, volatility: {} } : await readParamsFile(paramsFile);
  const market = { ...params.market, ...(gap === undefined ? {} : { gap: wad(String(gap)) }) };
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
      const [{ simulationChain }, { simulate }] = await Promise.all([import("../lib/chain.js"), import("../lib/sim/simulate.js")]);
      const chain = await simulationChain();
      const weth = params.baseCollateral === undefined ? {} : { collaterals: { weth: { baseHaircut: params.baseCollateral.baseHaircut } } };
      sim = await simulate(chain, { ...options, setup: { market, volatility: params.volatility, ...weth } });
      await chain.close();
    } else {
      sim = await simulateModel({ ...options, config: defaultModelConfig(overrides) });
    }
    process.stdout.write(`\n${spec.name}: ${spec.about}\n${formatSummaryTable(sim.summary)}\n`);
    rows.push({ crash: spec.name, about: spec.about, policies: sim.summary.policies, leverage: sim.leverage });
  }
  const record = await provenance({
    tool: "bench:crashes",
    mode: engine === "evm" ? "replica" : "none",
    inputs: paramsFile === undefined ? [] : [paramsFile],
    seed,
    parameters: { engine, accounts, gap: gap ?? "default" },
  });
  await writeFileAtomic(path.join(out, "crashes.json"), toJson({ crashes: rows, provenance: record }));
  process.stdout.write(`-> ${path.join(out, "crashes.json")}\n`);
}
