/**
 * `npm run calibrate -- (--prices <file.csv> | --rounds <file.csv> --decimals <n>) [--pool <ticks.json>] [--out <dir>] [...]`
 *
 * Recommends a market's Ballast parameters from its history: Monte Carlo paths (a stationary block bootstrap of
 * the real hourly returns, and stressed variants with more volatility, gaps and falls), a sweep of the market
 * parameters within the module's hard bounds on the model engine, the set with the largest calm-market capacity
 * that meets the target, and a check of it on the EVM. Writes `<dir>/params.json` (an Ignition parameters file,
 * also read by `npm run simulate -- --params`), `<dir>/calibration.json` and `<dir>/report.html`.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { rm } from "node:fs/promises";

import { z } from "zod";

import { candidateOverridesFile } from "./lib/calibrate/output.js";
import { annualizedVolatility, hourly, hourlyFromPath, logReturns, worstMove } from "./lib/calibrate/history.js";
import { DEFAULT_STRESS, generatePaths } from "./lib/calibrate/paths.js";
import { EvaluatorPool } from "./lib/calibrate/pool.js";
import type { BreakingPath, CalibrationReport } from "./lib/calibrate/report.js";
import { writeCalibrationReport } from "./lib/calibrate/report.js";
import { AXES, candidateKey, defaultCandidate } from "./lib/calibrate/space.js";
import { BAD_DEBT_EPSILON, sweep } from "./lib/calibrate/sweep.js";
import { intFlag, numberFlag, parseCli, runCli } from "./lib/cli.js";
import { toJson, writeFileAtomic } from "./lib/files.js";
import { readPricePath } from "./lib/prices.js";
import { Progress } from "./lib/progress.js";
import { provenance } from "./lib/provenance.js";
import { readRounds } from "./lib/rounds.js";
import { readTickSnapshot } from "./lib/uniswap/index.js";

const USAGE = `usage: npm run calibrate -- (--prices <file.csv> | --rounds <file.csv> --decimals <n>) [--pool <ticks.json>]
                            [--out <dir>] [--paths <n>] [--hours <n>] [--block <hours>] [--accounts <n>] [--seed <n>]
                            [--target <share>] [--max-deleveraged <share>] [--stress-share <share>]
                            [--stress-vol <min:max>] [--stress-gaps <min:max>] [--threads <n>] [--verify <n>] [--quiet]
  --prices           the market's history: header timestamp,open,high,low,close or timestamp,price
  --rounds           real Chainlink rounds instead: header roundId,answer,startedAt,updatedAt,answeredInRound
  --decimals         decimals of the rounds' answers (with --rounds)
  --pool             a tick snapshot of the market's pool (default: a generated concentrated profile)
  --out              directory for params.json, calibration.json and report.html (default reports/calibrate)
  --paths            Monte Carlo paths (default 1000)
  --hours            hours per path (default 168: a week)
  --block            mean block length of the bootstrap, hours (default 24)
  --accounts         accounts in each simulated book (default 20)
  --seed             seed of the paths, the book and the traders (default 20250312)
  --target           share of paths that must end with zero bad debt (default 0.999)
  --max-deleveraged  largest share of positions deleveraged on the calm paths (default 0.25)
  --stress-share     share of stressed paths (default 0.3)
  --stress-vol       volatility multiplier range of the stressed paths (default 1.5:3)
  --stress-gaps      size range of their one-hour gaps, fractions (default 0.15:0.25)
  --threads          worker threads (default: the machine's cores)
  --verify           paths re-run on the EVM with the recommended set (default 2; 0 to skip)`;

const range = z
  .string()
  .regex(/^\d+(\.\d+)?:\d+(\.\d+)?$/, "expected min:max, e.g. 1.5:3")
  .transform((v) => v.split(":").map(Number) as [number, number])
  .refine(([a, b]) => a <= b, "min must not exceed max");

const Args = z
  .object({
    prices: z.string().min(1).optional(),
    rounds: z.string().min(1).optional(),
    decimals: intFlag(0, 36).optional(),
    pool: z.string().min(1).optional(),
    out: z.string().min(1).default("reports/calibrate"),
    paths: intFlag(10, 100_000).default(1_000),
    hours: intFlag(48, 24 * 365).default(168),
    block: intFlag(1, 24 * 30).default(24),
    accounts: intFlag(1, 1_000).default(20),
    seed: intFlag(0, 2 ** 31).default(20_250_312),
    target: numberFlag(0.5, 1).default(0.999),
    "max-deleveraged": numberFlag(0, 1).default(0.25),
    "stress-share": numberFlag(0, 1).default(DEFAULT_STRESS.share),
    "stress-vol": range.default([...DEFAULT_STRESS.volScale] as [number, number]),
    "stress-gaps": range.refine(([, b]) => b < 1, "gaps must be below 1").default([...DEFAULT_STRESS.gaps] as [number, number]),
    threads: intFlag(0, 64).default(Math.max(1, availableParallelism())),
    verify: intFlag(0, 20).default(2),
    quiet: z.boolean().default(false),
  })
  .refine((a) => (a.prices === undefined) !== (a.rounds === undefined), {
    path: ["prices"],
    message: "give exactly one of --prices and --rounds",
  })
  .refine((a) => a.rounds === undefined || a.decimals !== undefined, { path: ["decimals"], message: "required with --rounds (e.g. 8)" })
  .refine((a) => a.rounds !== undefined || a.decimals === undefined, { path: ["decimals"], message: "only with --rounds" });

const OPTIONS = {
  prices: { type: "string" },
  rounds: { type: "string" },
  decimals: { type: "string" },
  pool: { type: "string" },
  out: { type: "string" },
  paths: { type: "string" },
  hours: { type: "string" },
  block: { type: "string" },
  accounts: { type: "string" },
  seed: { type: "string" },
  target: { type: "string" },
  "max-deleveraged": { type: "string" },
  "stress-share": { type: "string" },
  "stress-vol": { type: "string" },
  "stress-gaps": { type: "string" },
  threads: { type: "string" },
  verify: { type: "string" },
  quiet: { type: "boolean" },
} as const;

await runCli(async () => {
  const args = parseCli(process.argv.slice(2), OPTIONS, Args);
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
  for (const warning of snapshot?.warnings ?? []) process.stderr.write(`warning: ${args.pool}: ${warning}\n`);
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
    const { verifyOnEvm } = await import("./lib/calibrate/verify.js");
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
  const record = await provenance(
    "calibrate",
    args.seed,
    { prices: args.prices, rounds: args.rounds, pool: args.pool },
    { ...settings, decimals: args.decimals },
  );
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
}, USAGE);
