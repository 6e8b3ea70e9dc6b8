/**
 * The simulator's step loop, one policy over one path, on any `SimWorld` (the EVM chain or the model): it
 * decides what traders, the keeper and the liquidator do and accounts for it; the world executes. One loop for
 * both engines is what keeps them comparable: they can differ only in how a world executes an action.
 */
import { Random } from "../random.js";
import type { PolicyEvent, PolicySeries, PolicySummary, SeriesPoint } from "../report/types.js";
import type { BookAccount } from "./book.js";
import type { PathStep } from "./paths.js";
import type { DeleverageEvent, Outcome, SimWorld } from "./world.js";

/** Trader behaviour and the oracle's reflexivity when a run does not say otherwise. */
export const SIM_DEFAULTS = { activityPerHour: 0.6, panicPerHour: 0.2, reflexivity: 0.5 } as const;

/** The series keeps at most about this many points (every step still counts in the summary). */
const MAX_POINTS = 1_000;
/** The collateral feed (USDC/USD) publishes on its heartbeat. */
const COLLATERAL_HEARTBEAT = 12 * 3_600;

/**
 * Who deleverages under Ballast at each step. By default the keeper's decision rule runs in the loop: every
 * account the module reports over its cap, worst `notional / cap` first. A `StepKeeper` hands the step to
 * something else (the real keeper, `npm run demo`; EVM world in auto mode only) and returns once it has acted.
 */
export interface StepKeeper {
  /** Called after the step's oracle round is published; resolves when the keeper is done with it. */
  act(): Promise<void>;
  /** True when the keeper pokes the volatility oracle itself. */
  pokes: boolean;
}

/**
 * Points where a scenario acts inside a step (an oracle incident, probes of what the module allows). Each
 * receives the step and its index; the simulation waits for it. EVM world in auto mode only.
 */
export interface SimHooks {
  /** After time moved to the step, before the pool is aligned and the oracle publishes. */
  beforeOracle?(step: PathStep, index: number): Promise<void>;
  /** After the oracle published (and the pool was aligned), before traders, keeper and liquidator act. */
  afterOracle?(step: PathStep, index: number): Promise<void>;
  /** At the end of the step, after the unwinds. */
  afterStep?(step: PathStep, index: number): Promise<void>;
}

export interface StepOptions {
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** Share of the pool's price impact the oracle follows at the next step (arbitrage). Default 0.5. */
  reflexivity?: number;
  /** Top-ups towards its target per account per hour. Default 0.6. */
  activityPerHour?: number;
  /** Cuts of half the position per account per hour (user reductions). Default 0.2. */
  panicPerHour?: number;
  /** The keeper under Ballast (default: the rule in the loop). */
  keeper?: StepKeeper;
  hooks?: SimHooks;
  /** The price the book opens at (default: the path's first price). */
  startPrice?: number;
  onStep?: (done: number, total: number) => void;
  /** Stop after the calm window, the first 10 % of the path (for calibration). */
  calmOnly?: boolean;
  /** Keep no series (calibration and Monte Carlo runs need the summary only). */
  noSeries?: boolean;
}

export interface SimResult {
  summary: PolicySummary;
  series: PolicySeries;
  /** User reductions that reverted (must be zero under every policy). */
  failedReductions: number;
  /** Whether every rolling deleverage window stayed within its capacity (Ballast). */
  windowRespected: boolean;
}

/** Runs one policy over the path in `world` (see the module comment). */
export async function runSteps(world: SimWorld, options: StepOptions): Promise<SimResult> {
  const { book, path } = options;
  const random = new Random(options.seed ^ 0x5eed);
  const reflexivity = options.reflexivity ?? SIM_DEFAULTS.reflexivity;
  const activityRate = options.activityPerHour ?? SIM_DEFAULTS.activityPerHour;
  const panicRate = options.panicPerHour ?? SIM_DEFAULTS.panicPerHour;
  const hooks = options.hooks ?? {};
  const summary: PolicySummary = {
    policy: world.policy,
    badDebt: 0,
    liquidations: 0,
    liquidatedNotional: 0,
    writeOffs: 0,
    deleverages: 0,
    deleveragedNotional: 0,
    blockedIncreases: 0,
    maxPoolImpact: 0,
    calmCapacity: 0,
    finalEquity: 0,
  };
  const points: SeriesPoint[] = [];
  const events: PolicyEvent[] = [];
  const windowLog: DeleverageEvent[] = [];
  let failedReductions = 0;
  const count = (outcomes: Outcome[]): void => {
    for (const o of outcomes) {
      if (o.ok) continue;
      if (o.kind === "increase") summary.blockedIncreases++;
      else if (o.kind === "reduction") failedReductions++;
    }
  };

  /** A trader tops up towards `fraction` of what the policy allows, at `price`. */
  const increase = async (index: number, price: number): Promise<void> => {
    const account = book[index]!;
    const allowed = await world.allowed(index);
    if (allowed === undefined) {
      // The policy cannot size the position (e.g. a stale price): the increase is refused before it is sent.
      summary.blockedIncreases++;
      return;
    }
    const current = Math.abs(allowed.size) * price;
    const target = account.fraction * allowed.allowed;
    if (target <= current * 1.02 || target - current < 10) return;
    await world.increase(index, ((target - current) / price) * account.direction);
  };

  // Open the book at the first price.
  await world.deposit(book);
  await world.endPhase();
  const startPrice = options.startPrice ?? path[0]?.price ?? 0;
  for (let i = 0; i < book.length; i++) await increase(i, startPrice);
  count(await world.endPhase());

  let drift = 0;
  let lastCollateralRound = -Infinity;
  let previousTime: number | undefined;
  const calmSteps = Math.max(1, Math.ceil(path.length * 0.1));
  const sampleEvery = Math.max(1, Math.ceil(path.length / MAX_POINTS));
  let calmSum = 0;
  for (const [stepIndex, step] of path.entries()) {
    await world.beginStep(step.t);
    const hours = previousTime === undefined ? 0 : Math.max(0, step.t - previousTime) / 3_600;
    previousTime = step.t;
    await hooks.beforeOracle?.(step, stepIndex);
    const oracle = step.price * (1 + drift);
    await world.arbitrage(oracle);
    const collateralDue = step.t - lastCollateralRound >= COLLATERAL_HEARTBEAT;
    if (collateralDue) lastCollateralRound = step.t;
    await world.publish(step.publish ? oracle : undefined, collateralDue);
    await hooks.afterOracle?.(step, stepIndex);
    await world.upkeep(collateralDue, options.keeper?.pokes !== true);
    await world.endPhase();

    // Traders: some top up towards their target, some cut their position in half.
    const activity = 1 - Math.exp(-activityRate * hours);
    const panic = 1 - Math.exp(-panicRate * hours);
    for (let i = 0; i < book.length; i++) {
      const roll = random.next();
      if (roll < activity) await increase(i, oracle);
      else if (roll < activity + panic && (await world.size(i)) !== 0) await world.halve(i);
    }
    count(await world.endPhase());

    // The keeper (the rule in the loop, worst first; or a real keeper), then the liquidator.
    let view;
    if (options.keeper !== undefined) await options.keeper.act();
    else {
      view = await world.keeperView();
      for (const { account } of view?.over ?? []) await world.deleverage(account);
      await world.endPhase();
    }
    const flags = await world.liquidatable();
    for (const [i, flag] of flags.entries()) if (flag) await world.liquidate(i);
    await world.endPhase();

    // What deleverages and liquidations closed (and the base collateral they seized) is unwound into the pool.
    const stepEvents = await world.stepEvents();
    for (const d of stepEvents.deleverages) {
      summary.deleverages++;
      summary.deleveragedNotional += d.notional;
      events.push({ t: step.t, kind: "deleverage", notional: d.notional, account: world.label(d.account) });
      windowLog.push(d);
    }
    for (const l of stepEvents.liquidations) {
      // A liquidation that closes nothing only writes off the bad debt a closed account left (see README).
      if (l.closedNotional === 0) {
        summary.writeOffs++;
        continue;
      }
      summary.liquidations++;
      summary.liquidatedNotional += l.closedNotional;
      events.push({ t: step.t, kind: "liquidation", notional: l.closedNotional, account: world.label(l.account) });
    }
    if (stepEvents.baseFlow !== 0) {
      await world.unwind(stepEvents.baseFlow, oracle);
      await world.endPhase();
    }
    const impact = (await world.poolPrice()) / oracle - 1;
    summary.maxPoolImpact = Math.max(summary.maxPoolImpact, Math.abs(impact));
    drift += reflexivity * impact;

    const openInterest = (await world.openInterest()) * oracle;
    if (stepIndex < calmSteps) calmSum += openInterest;
    if (options.noSeries !== true && (stepIndex % sampleEvery === 0 || stepIndex === path.length - 1)) {
      const point: SeriesPoint = { t: step.t, price: oracle, openInterest, badDebt: await world.badDebt() };
      if (view !== undefined) Object.assign(point, view.caps);
      points.push(point);
    }
    await hooks.afterStep?.(step, stepIndex);
    options.onStep?.(stepIndex + 1, path.length);
    if (options.calmOnly === true && stepIndex + 1 >= calmSteps) break;
  }

  summary.calmCapacity = calmSum / calmSteps;
  summary.badDebt = await world.badDebt();
  summary.finalEquity = await world.totalEquity();
  await world.close();
  return {
    summary,
    series: { policy: world.policy, points, events },
    failedReductions,
    windowRespected: windowRespected(windowLog, world.windowSeconds),
  };
}

/** Every rolling window of `window` seconds sums to at most the largest capacity seen in it (relative 1e-9). */
export function windowRespected(log: readonly DeleverageEvent[], window: number): boolean {
  return log.every((start) => {
    const inside = log.filter((w) => w.t >= start.t && w.t < start.t + window);
    const total = inside.reduce((sum, w) => sum + w.notional, 0);
    const capacity = inside.reduce((max, w) => Math.max(max, w.capacity), 0);
    return total <= capacity * (1 + 1e-9);
  });
}
