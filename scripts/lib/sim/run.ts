import { AbiCoder, keccak256, Wallet } from "ethers";

import { wad } from "../ballast/params.js";
import { setPrice } from "../chainlink/feeds.js";
import { Random } from "../random.js";
import type { PolicyEvent, PolicySeries, PolicySummary, SeriesPoint } from "../report/types.js";
import { BOUND_NAMES, type Bound } from "../riskMath.js";
import type { System } from "../system.js";
import { priceFromSqrtPriceX96, readSlot0 } from "../uniswap/index.js";
import type { BookAccount } from "./book.js";
import { baseDecimals, ethSimMarket, type SimMarket, unwindInto } from "./market.js";
import type { PathStep } from "./paths.js";
import type { Policy } from "./policies.js";

/**
 * Who deleverages under Ballast at each step. `sweep` (default) is the keeper's decision rule run inline:
 * every account the lens reports over its cap, worst `notional / cap` first. A `StepKeeper` hands the step
 * to something else (the real keeper, `npm run demo`) and returns once it has acted.
 */
export interface StepKeeper {
  /** Called after the step's oracle round is published; resolves when the keeper is done with it. */
  act(): Promise<void>;
  /** True when the keeper pokes the volatility oracle itself. */
  pokes: boolean;
}

/**
 * Points where a scenario acts inside a step (an oracle incident, probes of what the module allows). Each
 * receives the step and its index; the simulation waits for it.
 */
export interface SimHooks {
  /** After time moved to the step, before the pool is aligned and the oracle publishes. */
  beforeOracle?(step: PathStep, index: number): Promise<void>;
  /** After the oracle published (and the pool was aligned), before traders, keeper and liquidator act. */
  afterOracle?(step: PathStep, index: number): Promise<void>;
  /** At the end of the step, after the unwinds. */
  afterStep?(step: PathStep, index: number): Promise<void>;
}

export interface SimOptions {
  policy: Policy;
  /** The market the book trades (default: the system's ETH market). */
  market?: SimMarket;
  hooks?: SimHooks;
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** Share of the pool's price impact the oracle follows at the next step (arbitrage). Default 0.5. */
  reflexivity?: number;
  /** Top-ups towards its target per account per hour. Default 0.6. */
  activityPerHour?: number;
  /** Cuts of half the position per account per hour (user reductions). Default 0.2. */
  panicPerHour?: number;
  /** The keeper under Ballast (default: the inline sweep). */
  keeper?: StepKeeper;
  onStep?: (done: number, total: number) => void;
  /** Stop after the calm window, the first 10 % of the path (for calibration). */
  calmOnly?: boolean;
}

export interface SimResult {
  summary: PolicySummary;
  series: PolicySeries;
  /** User reductions that reverted (must be zero under every policy). */
  failedReductions: number;
  /** Whether every rolling deleverage window stayed within its capacity (Ballast). */
  windowRespected: boolean;
}

/** Trader behaviour and the oracle's reflexivity when a run does not say otherwise. */
export const SIM_DEFAULTS = { activityPerHour: 0.6, panicPerHour: 0.2, reflexivity: 0.5 } as const;

const ABI = AbiCoder.defaultAbiCoder();
const MAX_POINTS = 1_000;
/** A fixed gas limit: the simulator's transactions skip estimation (a revert is mined and counted the same). */
const GAS = { gasLimit: 5_000_000n };
const USDC_HEARTBEAT = 12 * 3_600;

/** A deterministic wallet per (seed, account index), so every policy trades with the same accounts. */
export function bookWallet(system: System, seed: number, index: number): Wallet {
  const key = keccak256(ABI.encode(["string", "uint256", "uint256"], ["ballast-sim", seed, index]));
  return new Wallet(key, system.connection.ethers.provider);
}

/**
 * Runs one policy over a path on the system's chain: opens the book, then at every step moves the oracle
 * (the exogenous path plus the reflexive drift) and lets arbitrage align the pool, lets traders top up and
 * cut, runs the keeper (Ballast: volatility pokes, depth refresh, deleverage of every over-cap account,
 * worst first), runs the liquidator, and sells what deleverages and liquidations closed (and the base
 * collateral they seized, e.g. WETH) into the market's real pool. Returns the policy's figures and its time
 * series. The market is the system's ETH market unless `market` names another (a thin asset's).
 */
export async function runPolicy(system: System, options: SimOptions): Promise<SimResult> {
  const { policy, book, path } = options;
  const { connection, environment, ballast } = system;
  const { ethers, networkHelpers } = connection;
  const random = new Random(options.seed ^ 0x5eed);
  const reflexivity = options.reflexivity ?? SIM_DEFAULTS.reflexivity;
  const engine = policy.engine;
  const engineAddress = await engine.getAddress();
  const module = ballast.riskModule;
  const moduleAddress = await module.getAddress();
  const isBallast = policy.name === "ballast";
  const market = options.market ?? (await ethSimMarket(system));
  const hooks = options.hooks ?? {};

  const wallets = book.map((a) => bookWallet(system, options.seed, a.index));
  const addresses = wallets.map((w) => w.address);
  const summary: PolicySummary = {
    policy: policy.name,
    badDebt: 0,
    liquidations: 0,
    liquidatedNotional: 0,
    deleverages: 0,
    deleveragedNotional: 0,
    blockedIncreases: 0,
    maxPoolImpact: 0,
    calmCapacity: 0,
    finalEquity: 0,
  };
  const points: SeriesPoint[] = [];
  const events: PolicyEvent[] = [];
  const windowLog: { t: number; notional: bigint; capacity: bigint }[] = [];
  let failedReductions = 0;

  const latest = async () => (await ethers.provider.getBlock("latest"))!;
  const size = async (account: string) => (await engine.position(account, market.id))[0];
  const increase = async (index: number, price: number): Promise<void> => {
    const account = book[index]!;
    let allowed: number;
    try {
      allowed = await policy.allowed(addresses[index]!, market.id);
    } catch {
      // The policy cannot size the position (e.g. a stale price): the increase is refused before it is sent.
      summary.blockedIncreases++;
      return;
    }
    const current = (Math.abs(Number(await size(addresses[index]!))) / 1e18) * price;
    const target = account.fraction * allowed;
    if (target <= current * 1.02 || target - current < 10) return;
    const delta = ((target - current) / price) * account.direction;
    try {
      await (await engine.connect(wallets[index]!).trade(market.id, wad(delta.toFixed(12)), GAS)).wait();
    } catch {
      summary.blockedIncreases++;
    }
  };

  // Open the book at the first price.
  for (const [i, account] of book.entries()) {
    await networkHelpers.setBalance(addresses[i]!, 10n ** 20n);
    await market.deposit(engineAddress, wallets[i]!, account);
    await increase(i, market.startPrice);
  }

  let drift = 0;
  let lastUsdcRound = (await latest()).timestamp;
  let previousTime = lastUsdcRound;
  const calmSteps = Math.max(1, Math.ceil(path.length * 0.1));
  // The series keeps at most about MAX_POINTS points (every step's figures still count in the summary).
  const sampleEvery = Math.max(1, Math.ceil(path.length / MAX_POINTS));
  let calmSum = 0;
  for (const [stepIndex, step] of path.entries()) {
    const fromBlock = (await latest()).number + 1;
    if (step.t > (await latest()).timestamp) await networkHelpers.time.increaseTo(step.t);
    const hours = Math.max(0, step.t - previousTime) / 3_600;
    previousTime = step.t;
    await hooks.beforeOracle?.(step, stepIndex);
    const oracle = step.price * (1 + drift);
    await market.movePool(oracle);
    if (step.publish) await setPrice(market.feed, oracle);
    const usdcDue = step.t - lastUsdcRound >= USDC_HEARTBEAT;
    if (usdcDue) {
      await setPrice(system.feeds.usdc, 1);
      lastUsdcRound = step.t;
    }
    await hooks.afterOracle?.(step, stepIndex);
    // Ballast's upkeep as the round lands (the keeper's job): volatility pokes, unless the keeper pokes
    // itself, and the depth refresh.
    if (isBallast) {
      if (options.keeper?.pokes !== true) {
        await (await ballast.volatilityOracle.poke(market.feed.address, GAS)).wait();
        if (usdcDue) await (await ballast.volatilityOracle.poke(system.feeds.usdc.address, GAS)).wait();
      }
      await module
        .refreshDepth(market.id, GAS)
        .then((tx) => tx.wait())
        .catch(() => undefined);
    }

    // Traders: some top up towards their target, some cut their position in half.
    const activity = 1 - Math.exp(-(options.activityPerHour ?? SIM_DEFAULTS.activityPerHour) * hours);
    const panic = 1 - Math.exp(-(options.panicPerHour ?? SIM_DEFAULTS.panicPerHour) * hours);
    for (let i = 0; i < book.length; i++) {
      const roll = random.next();
      if (roll < activity) await increase(i, oracle);
      else if (roll < activity + panic) {
        const current = await size(addresses[i]!);
        if (current === 0n) continue;
        try {
          await (await engine.connect(wallets[i]!).trade(market.id, -current / 2n, GAS)).wait();
        } catch {
          failedReductions++;
        }
      }
    }

    // Keeper (Ballast), then the liquidator; what they did (a real keeper may act at any time) is read back
    // from the logs of the step's blocks.
    if (isBallast) {
      if (options.keeper === undefined) await sweep(system, addresses, market.id);
      else await options.keeper.act();
    }
    const flags = await engine.liquidatable(addresses);
    for (const [i, flag] of flags.entries()) {
      if (flag)
        await engine
          .liquidate(addresses[i]!, GAS)
          .then((tx) => tx.wait())
          .catch(() => undefined);
    }
    const logs = await ethers.provider.getLogs({ fromBlock, toBlock: "latest" });

    // What deleverages and liquidations closed (and the WETH they seized) is unwound into the pool; the
    // traders' own trades are not.
    const closing = new Set<string>();
    const parsed = logs.map((log) => {
      const event =
        log.address === moduleAddress
          ? module.interface.parseLog(log)
          : log.address === engineAddress
            ? engine.interface.parseLog(log)
            : null;
      if (event?.name === "Deleveraged" || event?.name === "Liquidated") closing.add(log.transactionHash);
      return { log, event };
    });
    let baseFlow = 0n;
    for (const { log, event } of parsed) {
      if (event === null) continue;
      if (event.name === "Deleveraged" && log.address === moduleAddress) {
        const notional = event.args.notional as bigint;
        summary.deleverages++;
        summary.deleveragedNotional += Number(notional) / 1e18;
        events.push({ t: step.t, kind: "deleverage", notional: Number(notional) / 1e18, account: event.args.account as string });
        const [, capacity] = await module.deleverageCapacity(market.id, { blockTag: log.blockNumber - 1 });
        windowLog.push({ t: (await ethers.provider.getBlock(log.blockNumber))!.timestamp, notional, capacity });
      }
      if (log.address !== engineAddress) continue;
      if (event.name === "Liquidated") {
        const notional = Number(event.args.closedNotional as bigint) / 1e18;
        summary.liquidations++;
        summary.liquidatedNotional += notional;
        events.push({ t: step.t, kind: "liquidation", notional, account: event.args.account as string });
      }
      if (!closing.has(log.transactionHash)) continue;
      // Closed longs sell the base, closed shorts buy it, seized base collateral is sold.
      if (event.name === "PositionChanged" && event.args.market === market.id)
        baseFlow += (event.args.sizeAfter as bigint) - (event.args.sizeBefore as bigint);
      if (event.name === "CollateralSeized" && event.args.asset === market.base) baseFlow -= seizedWad(event.args.amount as bigint, market);
    }
    if (baseFlow !== 0n) await unwindInto(connection, environment.swapper, market, baseFlow, oracle);
    const poolPrice = priceFromSqrtPriceX96((await readSlot0(market.pool)).sqrtPriceX96, market.orientation);
    const impact = poolPrice / oracle - 1;
    summary.maxPoolImpact = Math.max(summary.maxPoolImpact, Math.abs(impact));
    drift += reflexivity * impact;

    const [longSize, shortSize] = await engine.openInterest(market.id);
    const openInterest = (Number(longSize + shortSize) / 1e18) * oracle;
    if (stepIndex < calmSteps) calmSum += openInterest;
    if (stepIndex % sampleEvery === 0 || stepIndex === path.length - 1) {
      const point: SeriesPoint = { t: step.t, price: oracle, openInterest, badDebt: Number(await engine.badDebt()) / 1e18 };
      if (isBallast) Object.assign(point, await capsAndBindings(system, addresses));
      points.push(point);
    }
    await hooks.afterStep?.(step, stepIndex);
    options.onStep?.(stepIndex + 1, path.length);
    if (options.calmOnly === true && stepIndex + 1 >= calmSteps) break;
  }

  summary.calmCapacity = calmSum / calmSteps;
  summary.badDebt = Number(await engine.badDebt()) / 1e18;
  for (const address of addresses) summary.finalEquity += Number((await engine.margin(address)).equity) / 1e18;
  const windowSeconds = isBallast ? Number((await module.marketConfig(market.id)).deleverageWindow) : 0;
  return {
    summary,
    series: { policy: policy.name, points, events },
    failedReductions,
    windowRespected: windowRespected(windowLog, windowSeconds),
  };
}

/** Accounts per lens call: an account costs up to ~0.6M gas of view when its market diverges from the TWAP. */
const LENS_CHUNK = 25;

/** Every account's status through the lens, in chunks that stay far below the block gas limit. */
async function statuses(system: System, accounts: readonly string[]) {
  const { riskModule, riskLens } = system.ballast;
  const module = await riskModule.getAddress();
  const entries = [];
  for (let i = 0; i < accounts.length; i += LENS_CHUNK)
    entries.push(...(await riskLens.statusBatch(module, accounts.slice(i, i + LENS_CHUNK))));
  return entries;
}

/** The keeper's rule, inline: every account the lens reports over its cap, worst `notional / cap` first. */
export async function sweep(system: System, accounts: readonly string[], market: bigint): Promise<void> {
  const { riskModule } = system.ballast;
  const entries = await statuses(system, accounts);
  const over = [...entries].filter((e) => e.ok && e.status.status === 1n).sort((a, b) => (b.status.ratio > a.status.ratio ? 1 : -1));
  for (const entry of over) {
    // The window may be exhausted, or the breach gone: the next step tries again.
    await riskModule
      .deleverage(entry.account, market, GAS)
      .then((tx) => tx.wait())
      .catch(() => undefined);
  }
}

/** Aggregate cap of the open positions and how many each bound binds. */
async function capsAndBindings(system: System, accounts: readonly string[]): Promise<{ cap: number; binding: Record<string, number> }> {
  const binding: Record<string, number> = {};
  let cap = 0;
  for (const entry of await statuses(system, accounts)) {
    if (!entry.ok || entry.status.worst.size === 0n) continue;
    cap += Number(entry.status.worst.cap) / 1e18;
    const name = BOUND_NAMES[Number(entry.status.worst.binding) as Bound];
    binding[name] = (binding[name] ?? 0) + 1;
  }
  return { cap, binding };
}

/** A seized collateral amount (token units) of the market's base, in WAD. */
function seizedWad(amount: bigint, market: SimMarket): bigint {
  return (amount * 10n ** 18n) / 10n ** BigInt(baseDecimals(market.orientation));
}

/** Every rolling window of `window` seconds sums to at most the largest capacity seen in it. */
function windowRespected(log: readonly { t: number; notional: bigint; capacity: bigint }[], window: number): boolean {
  return log.every((start) => {
    const inside = log.filter((w) => w.t >= start.t && w.t < start.t + window);
    const total = inside.reduce((sum, w) => sum + w.notional, 0n);
    const capacity = inside.reduce((max, w) => (w.capacity > max ? w.capacity : max), 0n);
    return total <= capacity;
  });
}
