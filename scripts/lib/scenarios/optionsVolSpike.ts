import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { Wallet } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { ReferenceMarginEngine, ReferenceOptionsEngine } from "../../../typechain-types/index.js";
import { wad } from "../ballast/params.js";
import { setPrice } from "../chainlink/feeds.js";
import type { Environment } from "../environment.js";
import { DEFAULT_GREEKS, deployOptions, enableGreeks, listStraddle, shortStraddleGreeks } from "../options/setup.js";
import { Random } from "../random.js";
import { Bound, BOUND_NAMES } from "../riskMath.js";
import { baselinePolicy } from "../sim/policies.js";
import { startSimKeeper } from "../sim/keeperRun.js";
import { depositCollateral, deploySystem, ETH_MARKET, type System } from "../system.js";
import type { ScenarioSummary } from "./summary.js";

/** Greeks sizing of the ETH market in this scenario (RISK-MODEL.md section 7): the defaults. */
export const GREEKS = DEFAULT_GREEKS;
/** The engines' requirement per unit of short option underlying notional in this scenario (5 %). */
export const SHORT_MARGIN = 0.05;
/**
 * Straddles each writer asks for: underlying notional (one straddle counted once) as a multiple of its equity.
 * The engines' short-option margin on both legs then needs 95 % of the equity: the most they accept.
 */
export const DESIRED_NOTIONAL = 9.5;
const STEP_SECONDS = 600;
const EXPIRY_DAYS = 30;

export interface OptionsVolSpikeOptions {
  seed: number;
  /** Option writers (default 6). */
  accounts?: number;
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** One policy's run. */
export interface OptionsRun {
  policy: "ballast" | "static";
  badDebt: number;
  liquidations: number;
  liquidatedNotional: number;
  deleverages: number;
  deleveragedNotional: number;
  hedges: number;
  /** Deleverages by the bound that bound them (`Bound` names). */
  deleverageBounds: Record<string, number>;
  /** Straddles written per writer (units of underlying). */
  written: number[];
  /** Each writer's largest equity drawdown from its opening equity, USD. */
  worstLoss: number[];
  /** Each writer's admissible loss at the opening (`equity - buffer`, Ballast's allowance), USD. */
  allowance: number[];
}

export interface OptionsVolSpikeResult {
  summary: ScenarioSummary;
  system: System;
  path: { t: number; price: number }[];
  sigma: { before: number; peak: number };
  ballast: OptionsRun;
  baseline: OptionsRun;
}

/**
 * The path: an hour calm (about 60 % annualized volatility), then -20 % over twelve hours in ten-minute rounds
 * whose noise doubles the realized volatility (to about 120 %), ending exactly at -20 %.
 */
export function volSpikePath(seed: number, start: number, startPrice: number): { t: number; price: number }[] {
  const random = new Random(seed);
  const points: { t: number; price: number }[] = [];
  let price = startPrice;
  const calm = 6;
  const crash = 72;
  const drift = Math.log(0.8) / crash;
  for (let i = 1; i <= calm + crash; i++) {
    if (i <= calm) price = startPrice * (1 + (i % 2 === 0 ? 0.0013 : -0.0013));
    else price *= Math.exp(drift + 0.0033 * random.gaussian());
    points.push({ t: start + i * STEP_SECONDS, price });
  }
  points[points.length - 1]!.price = startPrice * 0.8;
  return points;
}

/**
 * `options-vol-spike`: option writers sell 30-day at-the-money straddles (short gamma, short vega) on ETH,
 * then ETH falls 20 % over twelve hours while its realized volatility doubles. With
 * Ballast, each writer's book is sized by the Greeks scenario grid (`maxOptionsTrade`) and the real keeper
 * runs in hedge mode, rebalancing each book's delta with a perpetual whenever it leaves its gamma band.
 * The baseline writes what the engine's short-option margin allows, with the same path and no hedging.
 * Options settle in cash: nothing is sold into the pool (`maxPoolImpact` is zero by construction).
 */
export async function runOptionsVolSpike(connection: NetworkConnection, options: OptionsVolSpikeOptions): Promise<OptionsVolSpikeResult> {
  const { ethers, networkHelpers } = connection;
  const system = await deploySystem(connection, options.environment === undefined ? {} : { environment: options.environment });
  const [admin, keeperSigner] = await ethers.getSigners();
  const start = (await ethers.provider.getBlock("latest"))!.timestamp;
  const startPrice = system.environment.ethPrice;
  const prices = volSpikePath(options.seed, start, startPrice);
  const random = new Random(options.seed ^ 0x0971);
  const equities = Array.from({ length: options.accounts ?? 6 }, () => Math.round(random.uniform(50_000, 150_000)));

  const { riskModule, volatilityOracle, engine } = system.ballast;
  await enableGreeks(system, GREEKS);
  const ballastOptions = await deployOptions(system, system.ballast.engine, SHORT_MARGIN);
  const expiry = start + EXPIRY_DAYS * 86_400;
  const base = await networkHelpers.takeSnapshot();
  const sigmaOf = async () => Number((await volatilityOracle.getVolatility(system.feeds.eth.address))[0]) / 1e18;
  const sigmaBefore = await sigmaOf();

  const run = async (policy: "ballast" | "static"): Promise<OptionsRun & { sigmaPeak: number }> => {
    const marginEngine = policy === "ballast" ? engine : (await baselinePolicy(system, "static", 1, admin!)).engine;
    const optionsEngine = policy === "ballast" ? ballastOptions : await deployOptions(system, marginEngine, SHORT_MARGIN);
    const { call, put } = await listStraddle(optionsEngine, admin!, expiry, startPrice);
    const writers = equities.map((_, i) => writerWallet(options.seed, policy, i).connect(ethers.provider));
    const written: number[] = [];
    const opening: number[] = [];
    const allowance: number[] = [];
    const keeperAddress = await keeperSigner!.getAddress();
    for (const [i, writer] of writers.entries()) {
      await networkHelpers.setBalance(writer.address, 10n ** 20n);
      await depositCollateral(connection, system.environment, await marginEngine.getAddress(), writer, { usdc: equities[i]! });
      const units = await straddleUnits(policy, system, optionsEngine, writer.address, call, put, equities[i]!, startPrice);
      const u = wad(units);
      // A wallet sends its estimate as the limit; the trade's gas moves with the block time (the Black–Scholes
      // series), so the writers add a margin as wallets do.
      for (const series of [put, call]) {
        const gasLimit = ((await optionsEngine.connect(writer).trade.estimateGas(series, -u)) * 5n) / 4n;
        await (await optionsEngine.connect(writer).trade(series, -u, { gasLimit })).wait();
      }
      if (policy === "ballast") await (await marginEngine.connect(writer).approveHedger(keeperAddress, true)).wait();
      written.push(units);
      const equity = Number((await marginEngine.margin(writer.address)).equity) / 1e18;
      opening.push(equity);
      allowance.push(equity * (1 - GREEKS.buffer));
    }
    const checkpointDir = await mkdtemp(path.join(tmpdir(), "ballast-options-"));
    const keeper =
      policy === "ballast"
        ? await startSimKeeper(system, {
            signer: keeperSigner!,
            checkpoint: path.join(checkpointDir, "keeper.json"),
            hedge: { markets: [ETH_MARKET] },
          })
        : undefined;
    const fromBlock = await ethers.provider.getBlockNumber();
    const minEquity = [...opening];
    let optionsLiquidated = 0;
    let sigmaPeak = 0;
    try {
      await keeper?.act();
      for (const [step, point] of prices.entries()) {
        // Blocks without a set time take the wall clock: on a loaded machine a step's transactions can run past the
        // next round's time, which then lands right after them instead.
        const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
        await networkHelpers.time.increaseTo(Math.max(point.t, latest + 1));
        await system.movePool(point.price);
        await setPrice(system.feeds.eth, point.price);
        await setPrice(system.feeds.usdc, 1);
        for (const feed of [system.feeds.eth, system.feeds.usdc]) await (await volatilityOracle.poke(feed.address)).wait();
        await (await riskModule.refreshDepth(ETH_MARKET)).wait();
        sigmaPeak = Math.max(sigmaPeak, await sigmaOf());
        await keeper?.act();
        const addresses = writers.map((w) => w.address);
        const liquidatable = await marginEngine.liquidatable(addresses);
        for (const [i, flag] of liquidatable.entries()) {
          if (!flag) continue;
          for (const holding of await optionsEngine.holdings(addresses[i]!))
            optionsLiquidated += (Math.abs(Number(holding.units)) / 1e18) * point.price;
          await (await marginEngine.connect(admin).liquidate(addresses[i]!)).wait();
        }
        for (const [i, address] of addresses.entries()) {
          minEquity[i] = Math.min(minEquity[i]!, Number((await marginEngine.margin(address)).equity) / 1e18);
        }
        options.onProgress?.(policy, step + 1, prices.length);
      }
    } finally {
      await keeper?.stop();
      await rm(checkpointDir, { recursive: true, force: true });
    }
    const counts = await tally(
      system,
      marginEngine,
      fromBlock,
      writers.map((w) => w.address),
    );
    return {
      policy,
      ...counts,
      liquidatedNotional: counts.liquidatedNotional + optionsLiquidated,
      written,
      worstLoss: opening.map((e, i) => e - minEquity[i]!),
      allowance,
      sigmaPeak,
    };
  };

  const ballast = await run("ballast");
  await base.restore();
  const baseline = await run("static");
  const entry = (r: OptionsRun) => ({
    policy: r.policy,
    badDebt: r.badDebt,
    liquidations: r.liquidations,
    liquidatedNotional: r.liquidatedNotional,
    deleverages: r.deleverages,
    deleveragedNotional: r.deleveragedNotional,
    maxPoolImpact: 0,
  });
  return {
    summary: { scenario: "options-vol-spike", seed: options.seed, policies: [entry(ballast), entry(baseline)] },
    system,
    path: prices,
    sigma: { before: sigmaBefore, peak: ballast.sigmaPeak },
    ballast,
    baseline,
  };
}

/** Straddles to write: what the writer asks for, capped under Ballast by the Greeks grid (with 2 % to spare). */
async function straddleUnits(
  policy: "ballast" | "static",
  system: System,
  optionsEngine: ReferenceOptionsEngine,
  account: string,
  call: bigint,
  put: bigint,
  equity: number,
  price: number,
): Promise<number> {
  const desired = (DESIRED_NOTIONAL * equity) / price;
  if (policy === "static") return round(desired);
  const perUnit = await shortStraddleGreeks(optionsEngine, call, put);
  const max = Number(await system.ballast.riskModule.maxOptionsTrade(account, ETH_MARKET, perUnit)) / 1e18;
  return round(Math.min(desired, 0.98 * max));
}

const round = (units: number) => Math.floor(units * 1e4) / 1e4;

function writerWallet(seed: number, policy: string, index: number): Wallet {
  return new Wallet(
    `0x${BigInt.asUintN(256, BigInt(seed) * 1_000_003n + BigInt(index) + (policy === "ballast" ? 1n : 2n) * 7n ** 40n)
      .toString(16)
      .padStart(64, "0")}`,
  );
}

/** Liquidations, deleverages and hedges of the run from the engine's and the module's events; bad debt. */
async function tally(
  system: System,
  marginEngine: ReferenceMarginEngine,
  fromBlock: number,
  writers: string[],
): Promise<
  Pick<
    OptionsRun,
    "badDebt" | "liquidations" | "liquidatedNotional" | "deleverages" | "deleveragedNotional" | "hedges" | "deleverageBounds"
  >
> {
  const liquidated = await marginEngine.queryFilter(marginEngine.filters.Liquidated(), fromBlock);
  const deleveraged =
    marginEngine === system.ballast.engine
      ? await system.ballast.riskModule.queryFilter(system.ballast.riskModule.filters.Deleveraged(), fromBlock)
      : [];
  const hedges = (await marginEngine.queryFilter(marginEngine.filters.PositionChanged(), fromBlock)).filter(
    (e) => writers.includes(e.args.account) && !liquidated.some((l) => l.transactionHash === e.transactionHash),
  );
  let negative = 0;
  for (const writer of writers) {
    const equity = Number((await marginEngine.margin(writer)).equity) / 1e18;
    if (equity < 0) negative -= equity;
  }
  return {
    badDebt: Number(await marginEngine.badDebt()) / 1e18 + negative,
    liquidations: liquidated.length,
    liquidatedNotional: liquidated.reduce((sum, e) => sum + Number(e.args.closedNotional) / 1e18, 0),
    deleverages: deleveraged.length,
    deleveragedNotional: deleveraged.reduce((sum, e) => sum + Number(e.args.notional) / 1e18, 0),
    hedges: hedges.length - deleveraged.length,
    deleverageBounds: deleveraged.reduce<Record<string, number>>((counts, e) => {
      const name = BOUND_NAMES[Number(e.args.binding) as Bound];
      counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    }, {}),
  };
}
