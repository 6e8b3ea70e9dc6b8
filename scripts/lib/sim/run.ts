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
  /** Stop once the book is open (for calibration). */
  openOnly?: boolean;
}

export interface SimResult {
  summary: PolicySummary;
  /** Open interest right after the book opened, before the path (USD). */
  openingOpenInterest: number;
  series: PolicySeries;
  /** User reductions that reverted (must be zero under every policy). */
  failedReductions: number;
  /** Whether every rolling deleverage window stayed within its capacity (Ballast). */
  windowRespected: boolean;
}

const ABI = AbiCoder.defaultAbiCoder();
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
  const reflexivity = options.reflexivity ?? 0.5;
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
      await (await engine.connect(wallets[index]!).trade(market.id, wad(delta.toFixed(12)))).wait();
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
  const opening = await engine.openInterest(market.id);
  const openingOpenInterest = (Number(opening[0] + opening[1]) / 1e18) * market.startPrice;
  if (options.openOnly) {
    return { summary, openingOpenInterest, series: { policy: policy.name, points, events }, failedReductions, windowRespected: true };
  }

  let drift = 0;
  let lastUsdcRound = (await latest()).timestamp;
  let previousTime = lastUsdcRound;
  const calmSteps = Math.max(1, Math.ceil(path.length * 0.1));
  let calmSum = 0;
  for (const [stepIndex, step] of path.entries()) {
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

    // Traders: some top up towards their target, some cut their position in half.
    const activity = 1 - Math.exp(-(options.activityPerHour ?? 0.6) * hours);
    const panic = 1 - Math.exp(-(options.panicPerHour ?? 0.2) * hours);
    for (let i = 0; i < book.length; i++) {
      const roll = random.next();
      if (roll < activity) await increase(i, oracle);
      else if (roll < activity + panic) {
        const current = await size(addresses[i]!);
        if (current === 0n) continue;
        try {
          await (await engine.connect(wallets[i]!).trade(market.id, -current / 2n)).wait();
        } catch {
          failedReductions++;
        }
      }
    }

    // Keeper (Ballast), then the liquidator; what they did is read back from the logs of these blocks.
    const fromBlock = (await latest()).number + 1;
    if (isBallast) {
      if (options.keeper?.pokes !== true) {
        await (await ballast.volatilityOracle.poke(market.feed.address)).wait();
        if (usdcDue) await (await ballast.volatilityOracle.poke(system.feeds.usdc.address)).wait();
      }
      await module
        .refreshDepth(market.id)
        .then((tx) => tx.wait())
        .catch(() => undefined);
      if (options.keeper === undefined) await sweep(system, addresses, market.id);
      else await options.keeper.act();
    }
    const flags = await engine.liquidatable(addresses);
    for (const [i, flag] of flags.entries()) {
      if (flag)
        await engine
          .liquidate(addresses[i]!)
          .then((tx) => tx.wait())
          .catch(() => undefined);
    }
    const logs = await ethers.provider.getLogs({ fromBlock, toBlock: "latest" });

    let baseFlow = 0n;
    for (const log of logs) {
      const fromModule = log.address === moduleAddress ? module.interface.parseLog(log) : null;
      if (fromModule?.name === "Deleveraged") {
        const notional = fromModule.args.notional as bigint;
        summary.deleverages++;
        summary.deleveragedNotional += Number(notional) / 1e18;
        events.push({ t: step.t, kind: "deleverage", notional: Number(notional) / 1e18, account: fromModule.args.account as string });
        const [, capacity] = await module.deleverageCapacity(market.id, { blockTag: log.blockNumber - 1 });
        windowLog.push({ t: (await ethers.provider.getBlock(log.blockNumber))!.timestamp, notional, capacity });
        continue;
      }
      const fromEngine = log.address === engineAddress ? engine.interface.parseLog(log) : null;
      if (fromEngine?.name === "Liquidated") {
        const notional = Number(fromEngine.args.closedNotional as bigint) / 1e18;
        summary.liquidations++;
        summary.liquidatedNotional += notional;
        events.push({ t: step.t, kind: "liquidation", notional, account: fromEngine.args.account as string });
      }
      // Closed longs sell the base, closed shorts buy it, seized base collateral is sold.
      if (fromEngine?.name === "PositionChanged" && fromEngine.args.market === market.id)
        baseFlow += (fromEngine.args.sizeAfter as bigint) - (fromEngine.args.sizeBefore as bigint);
      if (fromEngine?.name === "CollateralSeized" && fromEngine.args.asset === market.base)
        baseFlow -= seizedWad(fromEngine.args.amount as bigint, market);
    }
    if (baseFlow !== 0n) await unwindInto(connection, environment.swapper, market, baseFlow, oracle);
    const poolPrice = priceFromSqrtPriceX96((await readSlot0(market.pool)).sqrtPriceX96, market.orientation);
    const impact = poolPrice / oracle - 1;
    summary.maxPoolImpact = Math.max(summary.maxPoolImpact, Math.abs(impact));
    drift += reflexivity * impact;

    const [longSize, shortSize] = await engine.openInterest(market.id);
    const openInterest = (Number(longSize + shortSize) / 1e18) * oracle;
    if (stepIndex < calmSteps) calmSum += openInterest;
    const point: SeriesPoint = { t: step.t, price: oracle, openInterest, badDebt: Number(await engine.badDebt()) / 1e18 };
    if (isBallast) Object.assign(point, await capsAndBindings(system, addresses));
    points.push(point);
    await hooks.afterStep?.(step, stepIndex);
    options.onStep?.(stepIndex + 1, path.length);
  }

  summary.calmCapacity = calmSum / calmSteps;
  summary.badDebt = Number(await engine.badDebt()) / 1e18;
  for (const address of addresses) summary.finalEquity += Number((await engine.margin(address)).equity) / 1e18;
  const windowSeconds = isBallast ? Number((await module.marketConfig(market.id)).deleverageWindow) : 0;
  return {
    summary,
    openingOpenInterest,
    series: { policy: policy.name, points, events },
    failedReductions,
    windowRespected: windowRespected(windowLog, windowSeconds),
  };
}

/** The keeper's rule, inline: every account the lens reports over its cap, worst `notional / cap` first. */
export async function sweep(system: System, accounts: readonly string[], market: bigint): Promise<void> {
  const { riskModule, riskLens } = system.ballast;
  const entries = await riskLens.statusBatch(await riskModule.getAddress(), [...accounts]);
  const over = [...entries].filter((e) => e.ok && e.status.status === 1n).sort((a, b) => (b.status.ratio > a.status.ratio ? 1 : -1));
  for (const entry of over) {
    // The window may be exhausted, or the breach gone: the next step tries again.
    await riskModule
      .deleverage(entry.account, market)
      .then((tx) => tx.wait())
      .catch(() => undefined);
  }
}

/** Aggregate cap of the open positions and how many each bound binds. */
async function capsAndBindings(system: System, accounts: readonly string[]): Promise<{ cap: number; binding: Record<string, number> }> {
  const { riskModule, riskLens } = system.ballast;
  const binding: Record<string, number> = {};
  let cap = 0;
  for (const entry of await riskLens.statusBatch(await riskModule.getAddress(), [...accounts])) {
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
