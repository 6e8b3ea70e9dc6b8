/**
 * The simulation on the model engine: the same book, path, traders, keeper rule, liquidator, unwinds and
 * baselines as the EVM engine's `simulate`, without a chain (see `world.ts`).
 */
import type { TickSnapshot } from "../../uniswap/index.js";
import { generateBook } from "../book.js";
import { leverageForCapacity } from "../calibrate.js";
import type { PolicyName } from "../policies.js";
import { type Replay, replaySteps } from "../replay.js";
import { assembleSimulation, ORDER, type Simulation } from "../simulate.js";
import { runSteps, type SimResult } from "../steps.js";
import { type ModelConfig, ModelMarket } from "./market.js";

export interface ModelSimulationOptions {
  replay: Replay;
  /** Seed the pool from a tick snapshot (default: a generated concentrated profile at the path's first price). */
  pool?: { file: string; snapshot: TickSnapshot };
  policies: readonly PolicyName[];
  accounts: number;
  seed: number;
  /** The market's configuration (default: the defaults, `defaultModelConfig`). */
  config?: ModelConfig;
  /** The market to start from (default: `ModelMarket.synthetic`); the parity tests pass one read from a chain. */
  market?: ModelMarket;
  activityPerHour?: number;
  panicPerHour?: number;
  title?: string;
  /** Keep no series (Monte Carlo runs need the summaries only). */
  noSeries?: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** See the module comment. Ballast runs first: its calm capacity is what each baseline is sized to. */
export async function simulateModel(options: ModelSimulationOptions): Promise<Simulation> {
  const first = options.replay.rounds[0];
  if (first === undefined) throw new Error("the replay has no rounds");
  const market =
    options.market ??
    ModelMarket.synthetic({
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.pool === undefined ? { ethPrice: first.price } : { profile: options.pool.snapshot }),
    });
  const startPrice = market.start.startPrice;
  const scale = startPrice / first.price;
  const path = replaySteps(options.replay, market.start.time, scale);
  const book = generateBook({ accounts: options.accounts, seed: options.seed, ethPrice: startPrice });
  const trader = {
    ...(options.activityPerHour === undefined ? {} : { activityPerHour: options.activityPerHour }),
    ...(options.panicPerHour === undefined ? {} : { panicPerHour: options.panicPerHour }),
  };
  const common = { book, path, seed: options.seed, startPrice, ...trader, ...(options.noSeries === true ? { noSeries: true } : {}) };
  const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);

  const results: Simulation["results"] = {};
  const leverage: Simulation["leverage"] = {};
  const wanted = options.policies.includes("ballast");
  const ballast: SimResult = await runSteps(market.world("ballast"), {
    ...common,
    ...(wanted ? { onStep: progress("ballast") } : { calmOnly: true }),
  });
  if (wanted) results.ballast = ballast;
  for (const name of ORDER) {
    if (name === "ballast" || !options.policies.includes(name)) continue;
    const l = await leverageForCapacity({
      targetCapacity: ballast.summary.calmCapacity,
      book,
      startPrice,
      trial: async (x) => (await runSteps(market.world(name, x), { ...common, calmOnly: true })).summary.calmCapacity,
    });
    leverage[name] = l;
    results[name] = await runSteps(market.world(name, l), { ...common, onStep: progress(name) });
  }
  return assembleSimulation({
    options,
    results,
    leverage,
    rounds: path.length,
    startPrice,
    priceScale: scale,
    chainStart: path[0]?.t ?? market.start.time,
    params: { keeper: "inline sweep", engine: "model", mining: "phase", market: { ...market.config.params } },
  });
}
