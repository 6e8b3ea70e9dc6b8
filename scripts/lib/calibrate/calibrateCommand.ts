/**
 * The body of `npm run calibrate` (`scripts/commands/calibrate.ts` parses and validates the flags): reads the
 * market's history, generates the Monte Carlo paths, sweeps the market parameters on the model engine in worker
 * threads, checks the recommendation on the EVM, and writes `params.json`, `calibration.json` and `report.html`.
 * Nothing written depends on the clock: the same inputs and seed give the same bytes.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { toJson, writeFileAtomic } from "../files.js";
import { readPricePath } from "../prices.js";
import { Progress } from "../progress.js";
import { provenance } from "../provenance.js";
import { readRounds } from "../rounds.js";
import { readTickSnapshot } from "../uniswap/index.js";
import { annualizedVolatility, hourly, hourlyFromPath, logReturns, worstMove } from "./history.js";
import { candidateOverridesFile } from "./output.js";
import { DEFAULT_STRESS, generatePaths } from "./paths.js";
import { EvaluatorPool } from "./pool.js";
import type { BreakingPath, CalibrationReport } from "./report.js";
import { writeCalibrationReport } from "./report.js";
import { AXES, candidateKey, defaultCandidate } from "./space.js";
import { BAD_DEBT_EPSILON, sweep } from "./sweep.js";

export interface CalibrateArgs {
  prices: string | undefined;
  rounds: string | undefined;
  decimals: number | undefined;
  pool: string | undefined;
  out: string;
  paths: number;
  hours: number;
  block: number;
  accounts: number;
  seed: number;
  target: number;
  "max-deleveraged": number;
  "stress-share": number;
  "stress-vol": [number, number];
  "stress-gaps": [number, number];
  threads: number;
  verify: number;
  quiet: boolean;
}

export async function runCalibrateCommand(args: CalibrateArgs): Promise<void> {
  const files = {
    params: path.join(args.out, "params.json"),
    json: path.join(args.out, "calibration.json"),
    report: path.join(args.out, "report.html"),
  };
  await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
  const log = (line: string) => {
    if (!args.quiet) process.stderr.write(`${line}\n`);
  };

  // Inputs, all checked before any work.
  const series =
    args.prices !== undefined
      ? hourlyFromPath(await readPricePath(args.prices))
      : hourly(
          args.rounds!,
          (await readRounds(args.rounds!)).map((r) => ({ t: Number(r.updatedAt), price: Number(r.answer) / 10 ** args.decimals! })),
        );
  const snapshot = args.pool === undefined ? undefined : await readTickSnapshot(args.pool);
  for (const warning of snapshot?.warnings ?? []) process.stderr.write(`warning: ${args.pool!}: ${warning}\n`);
  const profile = snapshot?.snapshot;
  const returns = logReturns(series);
  // Without a snapshot the pool is generated at the history's first price; with one, paths are scaled to its price.
  const startPrice = series.prices[0]!;
  const market = {
    file: series.file,
    hours: series.prices.length,
    annualVolatility: annualizedVolatility(returns),
    worstHour: Math.exp(-worstMove(series, 1)) - 1,
    worstDay: Math.exp(-worstMove(series, 24)) - 1,
  };
  log(
    `calibrate: ${series.file}: ${market.hours} hours, volatility ${(market.annualVolatility * 100).toFixed(0)} %, worst hour ${(market.worstHour * 100).toFixed(1)} %, worst day ${(market.worstDay * 100).toFixed(1)} %`,
  );

  const stress = { share: args["stress-share"], volScale: args["stress-vol"], gaps: args["stress-gaps"], upShare: DEFAULT_STRESS.upShare };
  const paths = generatePaths(returns, {
    count: args.paths,
    hours: args.hours,
    meanBlock: args.block,
    seed: args.seed,
    startPrice: series.prices[0]!,
    stress,
  });
  const stressedIds = paths.filter((p) => p.kind === "stressed").map((p) => p.id);
  const bootstrapIds = paths.filter((p) => p.kind === "bootstrap").map((p) => p.id);
  // The screening set: a tenth of the paths, stressed and bootstrap alike (at least 8 of each when there are).
  const share = Math.max(8, Math.ceil(args.paths / 20));
  const screen = [...stressedIds.slice(0, share), ...bootstrapIds.slice(0, share)];
  const all = [...stressedIds, ...bootstrapIds];
  log(
    `calibrate: ${paths.length} paths (${stressedIds.length} stressed) of ${args.hours} hours; screening on ${screen.length}; ${args.threads} threads`,
  );

  const setup = { accounts: args.accounts, seed: args.seed, startPrice, ...(profile === undefined ? {} : { profile }) };
  const pool = EvaluatorPool.start(args.threads, setup, paths);
  let bar: Progress | undefined;
  let result;
  try {
    result = await sweep(pool, paths, {
      target: args.target,
      maxDeleveragedShare: args["max-deleveraged"],
      screen,
      all,
      onProgress: (done, total) => {
        bar ??= new Progress("calibrate (paths x parameter sets)", total, args.quiet);
        bar.update(done);
      },
    });
  } finally {
    await pool.close();
  }
  const { chosen } = result;
  if (chosen === undefined) log("calibrate: no parameter set met the target; the report shows the safest found");
  else log(`calibrate: recommended ${candidateKey(chosen.candidate)}`);

  // The paths that break it: the chosen set's failures, else those of its next riskier neighbour on the gap axis
  // (the same set with the largest smaller gap that failed; else any such set evaluated).
  const breaking: BreakingPath[] = [];
  if (chosen !== undefined) {
    const lower = result.results.filter((r) => r.failures > 0 && r.candidate.gap < chosen.candidate.gap);
    const same = lower.filter((r) => AXES.every((a) => a.name === "gap" || r.candidate[a.name] === chosen.candidate[a.name]));
    const riskier = (same.length > 0 ? same : lower).sort((a, b) => b.candidate.gap - a.candidate.gap || b.evaluated - a.evaluated)[0];
    const source = chosen.failures > 0 ? chosen : riskier;
    for (const w of source?.worst.slice(0, 4) ?? []) {
      const p = paths[w.id]!;
      breaking.push({
        id: p.id,
        kind: p.kind,
        under: source!.key,
        badDebt: w.badDebt,
        volScale: p.volScale,
        gaps: p.gaps,
        prices: p.prices,
      });
    }
  }

  // The check on the EVM: the paths closest to breaking the recommendation (most deleverages under it).
  let verification: CalibrationReport["verification"] = [];
  if (chosen !== undefined && args.verify > 0) {
    const ranked = [...result.outcomes].sort(
      (a, b) => b.badDebt - a.badDebt || b.liquidations - a.liquidations || b.deleverages - a.deleverages || a.id - b.id,
    );
    const picked = ranked.slice(0, args.verify).map((o) => paths[o.id]!);
    log(`calibrate: verifying on the EVM: paths ${picked.map((p) => p.id).join(", ")}`);
    const { verifyOnEvm } = await import("./verify.js");
    const verifyBar = new Progress("verify (EVM)", picked.length, args.quiet);
    verification = await verifyOnEvm(picked, chosen.candidate, {
      accounts: args.accounts,
      seed: args.seed,
      ...(profile === undefined ? {} : { profile }),
      onPath: (done) => verifyBar.update(done),
    });
  }

  const settings = {
    paths: args.paths,
    hours: args.hours,
    block: args.block,
    accounts: args.accounts,
    target: args.target,
    maxDeleveragedShare: args["max-deleveraged"],
    stress,
    screening: screen.length,
    badDebtEpsilon: BAD_DEBT_EPSILON,
  };
  const record = await provenance({
    tool: "calibrate",
    mode: "none",
    inputs: [args.prices ?? args.rounds!, ...(args.pool === undefined ? [] : [args.pool])],
    seed: args.seed,
    parameters: { ...settings, ...(args.decimals === undefined ? {} : { decimals: args.decimals }) },
  });
  const gapCurve = result.results
    .filter((r) => r.stage === "screen" && AXES.every((a) => a.name === "gap" || r.candidate[a.name] === defaultCandidate()[a.name]))
    .sort((a, b) => a.candidate.gap - b.candidate.gap)
    .map((r) => ({ gap: r.candidate.gap, capacity: r.capacity, pBadDebt: r.pBadDebt }));
  const report: CalibrationReport = {
    title: `Ballast calibration: ${series.file}`,
    market,
    settings,
    defaults: defaultCandidate(),
    chosen,
    results: result.results,
    frontier: result.frontier,
    gapCurve,
    breaking,
    verification,
    provenance: { ...record },
  };
  if (chosen !== undefined) await writeFileAtomic(files.params, candidateOverridesFile(chosen, record));
  await writeFileAtomic(
    files.json,
    toJson({
      market,
      settings,
      chosen,
      frontier: result.frontier,
      results: result.results,
      breaking: breaking.map(({ prices: _, ...b }) => b),
      verification,
      provenance: record,
    }),
  );
  await writeCalibrationReport(files.report, report);
  process.stdout.write(
    [
      chosen === undefined ? "no parameter set met the target" : `recommended: ${candidateKey(chosen.candidate)}`,
      chosen === undefined
        ? ""
        : `  calm capacity ${Math.round(chosen.capacity).toLocaleString("en-US")} USD; bad debt on ${(chosen.pBadDebt * 100).toFixed(2)} % of ${chosen.evaluated} paths; ${(chosen.deleveragedShare * 100).toFixed(0)} % of positions deleveraged on calm paths`,
      ...verification.map((v) => `  EVM check, path ${v.id} (${v.kind}): ${v.agrees ? "agrees" : `differs: ${v.mismatches.join("; ")}`}`),
      ...(chosen === undefined ? [] : [`-> ${files.params}`]),
      `-> ${files.json}`,
      `-> ${files.report}`,
    ]
      .filter((l) => l !== "")
      .join("\n") + "\n",
  );
  if (verification.some((v) => !v.agrees)) process.exitCode = 1;
}
