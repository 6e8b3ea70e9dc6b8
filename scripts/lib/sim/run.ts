import { AbiCoder, type ContractTransactionReceipt, keccak256, Wallet } from "ethers";

import { wad } from "../ballast/params.js";
import { setPrice } from "../chainlink/feeds.js";
import { Random } from "../random.js";
import type { PolicyEvent, PolicySeries, PolicySummary, SeriesPoint } from "../report/types.js";
import { BOUND_NAMES, type Bound } from "../riskMath.js";
import { depositCollateral, ETH_MARKET, movePoolTo, type System } from "../system.js";
import { fundToken, priceFromSqrtPriceX96, readSlot0, swapExactIn } from "../uniswap/index.js";
import { USDC_WETH } from "../environment.js";
import type { BookAccount } from "./book.js";
import type { PathStep } from "./paths.js";
import type { Policy } from "./policies.js";

export interface SimOptions {
  policy: Policy;
  book: readonly BookAccount[];
  path: readonly PathStep[];
  seed: number;
  /** Share of the pool's price impact the oracle follows at the next step (arbitrage). Default 0.5. */
  reflexivity?: number;
  /** Share of accounts that top their position up towards their target each step. Default 0.1. */
  activity?: number;
  /** Share of accounts that cut their position by half each step (user reductions). Default 0.03. */
  panic?: number;
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

/** A deterministic wallet per (seed, account index), so every policy trades with the same accounts. */
export function bookWallet(system: System, seed: number, index: number): Wallet {
  const key = keccak256(ABI.encode(["string", "uint256", "uint256"], ["ballast-sim", seed, index]));
  return new Wallet(key, system.connection.ethers.provider);
}

/**
 * Runs one policy over a path on the system's chain: opens the book, then at every step moves the oracle
 * (the exogenous path plus the reflexive drift), lets arbitrage align the pool, runs the keeper (Ballast:
 * volatility pokes, depth refresh, ranked deleverage), lets traders top up and panic-sell, runs the
 * liquidator, and sells what deleverages and liquidations closed into the real pool. Returns the figures
 * of the policy and its time series.
 */
export async function runPolicy(system: System, options: SimOptions): Promise<SimResult> {
  const { policy, book, path } = options;
  const { connection, environment, ballast } = system;
  const { ethers, networkHelpers } = connection;
  const random = new Random(options.seed ^ 0x5eed);
  const reflexivity = options.reflexivity ?? 0.5;
  const activity = options.activity ?? 0.1;
  const panic = options.panic ?? 0.03;
  const engine = policy.engine;
  const engineAddress = await engine.getAddress();
  const isBallast = policy.name === "ballast";

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

  const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;
  const size = async (account: string) => (await engine.position(account, ETH_MARKET))[0];
  const increase = async (index: number, price: number): Promise<void> => {
    const account = book[index]!;
    const allowed = await policy.allowed(addresses[index]!);
    const current = (Math.abs(Number(await size(addresses[index]!))) / 1e18) * price;
    const target = account.fraction * allowed;
    if (target <= current * 1.02 || target - current < 10) return;
    const delta = ((target - current) / price) * account.direction;
    try {
      await (await engine.connect(wallets[index]!).trade(ETH_MARKET, wad(delta.toFixed(12)))).wait();
    } catch {
      summary.blockedIncreases++;
    }
  };

  // Open the book at the first price.
  for (const [i, account] of book.entries()) {
    await networkHelpers.setBalance(addresses[i]!, 10n ** 20n);
    await depositCollateral(connection, environment, engineAddress, wallets[i]!, { usdc: account.usdc, weth: account.weth });
    await increase(i, environment.ethPrice);
  }
  const opening = await engine.openInterest(ETH_MARKET);
  const openingOpenInterest = (Number(opening[0] + opening[1]) / 1e18) * environment.ethPrice;
  if (options.openOnly)
    return { summary, openingOpenInterest, series: { policy: policy.name, points, events }, failedReductions, windowRespected: true };

  let drift = 0;
  const calmSteps = Math.max(1, Math.ceil(path.length * 0.1));
  let calmSum = 0;
  for (const [stepIndex, step] of path.entries()) {
    if (step.t > (await now())) await networkHelpers.time.increaseTo(step.t);
    const oracle = step.price * (1 + drift);
    await movePoolTo(connection, environment, oracle);
    if (step.publish) {
      await setPrice(system.feeds.eth, oracle);
      await setPrice(system.feeds.usdc, 1);
    }
    const flows: ContractTransactionReceipt[] = [];

    if (isBallast) {
      for (const feed of [system.feeds.eth, system.feeds.usdc]) await (await ballast.volatilityOracle.poke(feed.address)).wait();
      await ballast.riskModule
        .refreshDepth(ETH_MARKET)
        .then((tx) => tx.wait())
        .catch(() => undefined);
    }

    // Traders: some top up towards their target, some cut their position in half.
    for (let i = 0; i < book.length; i++) {
      const roll = random.next();
      if (roll < activity) await increase(i, oracle);
      else if (roll < activity + panic) {
        const current = await size(addresses[i]!);
        if (current === 0n) continue;
        try {
          await (await engine.connect(wallets[i]!).trade(ETH_MARKET, -current / 2n)).wait();
        } catch {
          failedReductions++;
        }
      }
    }

    // Keeper (Ballast): every over-cap account, worst ratio first.
    const bindings: Record<string, number> = {};
    let capSum = 0;
    if (isBallast) {
      const entries = await ballast.riskLens.statusBatch(await ballast.riskModule.getAddress(), addresses);
      const over = [...entries].filter((e) => e.ok && e.status.status === 1n).sort((a, b) => (b.status.ratio > a.status.ratio ? 1 : -1));
      for (const entry of over) {
        const [, capacity] = await ballast.riskModule.deleverageCapacity(ETH_MARKET);
        try {
          const receipt = (await (await ballast.riskModule.deleverage(entry.account, ETH_MARKET)).wait())!;
          const event = receipt.logs.map((l) => ballast.riskModule.interface.parseLog(l)).find((e) => e?.name === "Deleveraged")!;
          const notional = event.args.notional as bigint;
          summary.deleverages++;
          summary.deleveragedNotional += Number(notional) / 1e18;
          events.push({ t: step.t, kind: "deleverage", notional: Number(notional) / 1e18, account: entry.account });
          windowLog.push({ t: (await ethers.provider.getBlock(receipt.blockNumber))!.timestamp, notional, capacity });
          flows.push(receipt);
        } catch {
          // The window is exhausted or the breach is gone: the next step retries.
        }
      }
      for (const entry of await ballast.riskLens.statusBatch(await ballast.riskModule.getAddress(), addresses)) {
        if (!entry.ok || entry.status.worst.size === 0n) continue;
        capSum += Number(entry.status.worst.cap) / 1e18;
        const name = BOUND_NAMES[Number(entry.status.worst.binding) as Bound];
        bindings[name] = (bindings[name] ?? 0) + 1;
      }
    }

    // Liquidator.
    const flags = await engine.liquidatable(addresses);
    for (const [i, flag] of flags.entries()) {
      if (!flag) continue;
      try {
        const receipt = (await (await engine.liquidate(addresses[i]!)).wait())!;
        const event = receipt.logs.map((l) => engine.interface.parseLog(l)).find((e) => e?.name === "Liquidated")!;
        const notional = Number(event.args.closedNotional as bigint) / 1e18;
        summary.liquidations++;
        summary.liquidatedNotional += notional;
        events.push({ t: step.t, kind: "liquidation", notional, account: addresses[i]! });
        flows.push(receipt);
      } catch {
        // Healthy again by the time the liquidator acts.
      }
    }

    // What deleverages and liquidations closed is unwound in the pool: closed longs sell ETH, shorts buy it,
    // and seized WETH collateral is sold.
    let baseFlow = 0n;
    const weth = await environment.weth.getAddress();
    for (const receipt of flows) {
      for (const log of receipt.logs) {
        const parsed = engine.interface.parseLog(log);
        if (parsed?.name === "PositionChanged") baseFlow += (parsed.args.sizeAfter as bigint) - (parsed.args.sizeBefore as bigint);
        if (parsed?.name === "CollateralSeized" && parsed.args.asset === weth) baseFlow -= parsed.args.amount as bigint;
      }
    }
    if (baseFlow !== 0n) await unwind(system, baseFlow, oracle);
    const poolPrice = priceFromSqrtPriceX96((await readSlot0(environment.pool)).sqrtPriceX96, USDC_WETH);
    const impact = poolPrice / oracle - 1;
    summary.maxPoolImpact = Math.max(summary.maxPoolImpact, Math.abs(impact));
    drift += reflexivity * impact;

    const [longSize, shortSize] = await engine.openInterest(ETH_MARKET);
    const openInterest = (Number(longSize + shortSize) / 1e18) * oracle;
    if (stepIndex < calmSteps) calmSum += openInterest;
    const point: SeriesPoint = { t: step.t, price: oracle, openInterest, badDebt: Number(await engine.badDebt()) / 1e18 };
    if (isBallast) {
      point.cap = capSum;
      point.binding = bindings;
    }
    points.push(point);
    options.onStep?.(stepIndex + 1, path.length);
  }

  summary.calmCapacity = calmSum / calmSteps;
  summary.badDebt = Number(await engine.badDebt()) / 1e18;
  for (const address of addresses) summary.finalEquity += Number((await engine.margin(address)).equity) / 1e18;
  const windowSeconds = isBallast ? Number((await ballast.riskModule.marketConfig(ETH_MARKET)).deleverageWindow) : 0;
  return {
    summary,
    openingOpenInterest,
    series: { policy: policy.name, points, events },
    failedReductions,
    windowRespected: windowRespected(windowLog, windowSeconds),
  };
}

/** Sells (`baseFlow < 0`) or buys ETH in the reference pool, as the liquidator or the insurance fund would. */
async function unwind(system: System, baseFlow: bigint, price: number): Promise<void> {
  const { connection, environment } = system;
  const sell = baseFlow < 0n;
  const base = sell ? -baseFlow : baseFlow;
  const token = sell ? environment.weth : environment.usdc;
  const amountIn = sell ? base : BigInt(Math.ceil((Number(base) / 1e18) * price * 1e6));
  await fundToken(connection, await token.getAddress(), environment.swapper, amountIn);
  // WETH is token1: selling it is oneForZero.
  await swapExactIn(connection, environment, environment.pool, { zeroForOne: !sell, amountIn });
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
