import type { NetworkConnection } from "hardhat/types/network";

import type { PolicySeries, ReportData, Summary } from "../report/types.js";
import { deploySystem, ETH_MARKET, type System, type SystemOptions } from "../system.js";
import type { TickSnapshot } from "../uniswap/index.js";
import { generateBook } from "./book.js";
import { calibrateLeverage } from "./calibrate.js";
import { ballastPolicy, baselinePolicy, type PolicyName } from "./policies.js";
import { type Replay, replaySteps } from "./replay.js";
import { runPolicy, SIM_DEFAULTS, type SimResult, type StepKeeper } from "./run.js";
import { fundSwapper, type MiningMode } from "./evm/world.js";
import { ethSimMarket } from "./market.js";

/** A keeper started for one Ballast run and stopped after it (the chain is rewound between policies). */
export interface RunningKeeper extends StepKeeper {
  stop(): Promise<void>;
}

export interface SimulationOptions {
  replay: Replay;
  /** Seed the pool from a tick snapshot (default: a generated concentrated profile at the path's first price). */
  pool?: { file: string; snapshot: TickSnapshot };
  policies: readonly PolicyName[];
  accounts: number;
  /** Ballast's market, collateral and estimator parameters and the generated pool's liquidity (default: the defaults). */
  setup?: Pick<SystemOptions, "market" | "collaterals" | "totalLiquidity" | "volatility">;
  seed: number;
  /** Ballast's keeper: the inline sweep by default, or a real keeper started for the run. */
  keeper?: (system: System) => Promise<RunningKeeper>;
  /** Trader behaviour (see `SimOptions`). */
  activityPerHour?: number;
  panicPerHour?: number;
  title?: string;
  onProgress?: (label: string, done: number, total: number) => void;
  /** How the chain mines (default: `phase`, one block per phase of a step; `auto` with a real keeper). */
  mining?: MiningMode;
  /** Called with the deployed system before any policy runs (e.g. to read the model engine's start from it). */
  onSystem?: (system: System) => Promise<void>;
}

export interface Simulation {
  summary: Summary;
  report: ReportData;
  results: Partial<Record<PolicyName, SimResult>>;
  /** Leverage each baseline was sized to. */
  leverage: Partial<Record<Exclude<PolicyName, "ballast">, number>>;
}

export const ORDER: readonly PolicyName[] = ["ballast", "static", "tiered"];

/**
 * Replays a market through every requested policy on one chain: deploys the replica and Ballast (the
 * market's feed publishing the replay's rounds, the pool at the path's first price, or seeded from a
 * snapshot with the path scaled to its price), opens the same book under each policy from the same chain
 * state, and sizes each baseline to Ballast's calm-market capacity. Ballast runs first (its capacity is the
 * baselines' target; when it is not requested only its calm window is run).
 */
export async function simulate(connection: NetworkConnection, options: SimulationOptions): Promise<Simulation> {
  const { ethers, networkHelpers } = connection;
  const first = options.replay.rounds[0];
  if (first === undefined) throw new Error("the replay has no rounds");
  const system = await deploySystem(connection, {
    ...options.setup,
    ...(options.pool === undefined ? { ethPrice: first.price } : { profile: options.pool.snapshot }),
  });
  const mining: MiningMode = options.mining ?? (options.keeper === undefined ? "phase" : "auto");
  if (mining === "phase") await fundSwapper(system, await ethSimMarket(system));
  await options.onSystem?.(system);
  const scale = system.environment.ethPrice / first.price;
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const path = replaySteps(options.replay, now, scale);
  const book = generateBook({ accounts: options.accounts, seed: options.seed, ethPrice: system.environment.ethPrice });
  const base = await networkHelpers.takeSnapshot();
  const [admin] = await ethers.getSigners();
  const trader = {
    ...(options.activityPerHour === undefined ? {} : { activityPerHour: options.activityPerHour }),
    ...(options.panicPerHour === undefined ? {} : { panicPerHour: options.panicPerHour }),
  };
  const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);
  const common = { book, path, seed: options.seed, mining, ...trader };

  const results: Simulation["results"] = {};
  const leverage: Simulation["leverage"] = {};
  let ballast: SimResult;
  if (options.policies.includes("ballast")) {
    const keeper = await options.keeper?.(system);
    try {
      ballast = await runPolicy(system, {
        policy: ballastPolicy(system),
        ...common,
        ...(keeper === undefined ? {} : { keeper }),
        onStep: progress("ballast"),
      });
    } finally {
      await keeper?.stop();
    }
    results.ballast = ballast;
  } else {
    ballast = await runPolicy(system, { policy: ballastPolicy(system), ...common, calmOnly: true });
  }
  for (const name of ORDER) {
    if (name === "ballast" || !options.policies.includes(name)) continue;
    const calibration = await calibrateLeverage({
      system,
      book,
      path,
      seed: options.seed,
      targetCapacity: ballast.summary.calmCapacity,
      restore: () => base.restore(),
      policy: (leverage) => baselinePolicy(system, name, leverage, admin!),
      run: { ...trader, mining },
    });
    leverage[name] = calibration.leverage;
    results[name] = await runPolicy(system, { policy: calibration.policy, ...common, onStep: progress(name) });
  }

  return assembleSimulation({
    options,
    results,
    leverage,
    rounds: path.length,
    startPrice: system.environment.ethPrice,
    priceScale: scale,
    chainStart: path[0]?.t ?? now,
    params: { keeper: options.keeper === undefined ? "inline sweep" : "keeper", engine: "evm", mining, market: await marketParams(system) },
  });
}

/** What both engines' simulations report from their runs (the summary, the report's data). */
export function assembleSimulation(input: {
  options: Pick<SimulationOptions, "replay" | "pool" | "accounts" | "seed" | "activityPerHour" | "panicPerHour" | "title">;
  results: Simulation["results"];
  leverage: Simulation["leverage"];
  rounds: number;
  startPrice: number;
  priceScale: number;
  /** The time of the path's first step on the engine's clock (the chain starts at the wall clock). */
  chainStart: number;
  params: Record<string, unknown>;
}): Simulation {
  const { options, results, leverage } = input;
  const ran = ORDER.filter((name) => results[name] !== undefined);
  const summary: Summary = {
    path: options.replay.path,
    policies: ran.map((name) => results[name]!.summary),
    seed: options.seed,
    params: {
      accounts: options.accounts,
      rounds: input.rounds,
      rounds_origin: options.replay.origin,
      pool: options.pool?.file ?? "generated (concentrated around the first price)",
      startPrice: input.startPrice,
      priceScale: input.priceScale,
      activityPerHour: options.activityPerHour ?? SIM_DEFAULTS.activityPerHour,
      panicPerHour: options.panicPerHour ?? SIM_DEFAULTS.panicPerHour,
      reflexivity: SIM_DEFAULTS.reflexivity,
      leverage,
      ...input.params,
    },
  };
  // The report's times are the path's own (a generated path's from SIM_EPOCH), not the chain's: the chain
  // starts at the wall clock, and a rerun must write the same bytes.
  const pathStart = options.replay.origin === "generated" ? SIM_EPOCH : (options.replay.rounds[0]?.t ?? SIM_EPOCH);
  const shift = pathStart - input.chainStart;
  const series: PolicySeries[] = ran.map((name) => retime(results[name]!.series, shift));
  const report: ReportData = {
    title: options.title ?? `Ballast simulation: ${options.replay.path.file}`,
    subtitle: `${options.accounts} accounts, seed ${options.seed}, ${input.rounds} oracle rounds, policies ${ran.join(", ")}`,
    summary,
    series,
  };
  return { summary, report, results, leverage };
}

/** Where a generated path (which starts at 0) is placed on the report's time axis: 2025-01-01 00:00 UTC. */
export const SIM_EPOCH = 1_735_689_600;

function retime(series: PolicySeries, shift: number): PolicySeries {
  return {
    ...series,
    points: series.points.map((p) => ({ ...p, t: p.t + shift })),
    events: series.events.map((e) => ({ ...e, t: e.t + shift })),
  };
}

/** The ETH market's Ballast parameters, as plain numbers (fractions and seconds). */
async function marketParams(system: System): Promise<Record<string, number>> {
  const c = await system.ballast.riskModule.marketConfig(ETH_MARKET);
  const fraction = (v: bigint) => Number(v) / 1e18;
  return {
    horizonSeconds: Number(c.horizon),
    z: fraction(c.z),
    gap: fraction(c.gap),
    maintenanceMargin: fraction(c.maintenanceMargin),
    kappa: fraction(c.kappa),
    kappaOI: fraction(c.kappaOI),
    maxSlippage: fraction(c.maxSlippage),
    tauTrigger: fraction(c.tauTrigger),
    tauTarget: fraction(c.tauTarget),
    rho: fraction(c.rho),
    deleverageWindowSeconds: Number(c.deleverageWindow),
    maxDeviation: fraction(c.maxDeviation),
  };
}
