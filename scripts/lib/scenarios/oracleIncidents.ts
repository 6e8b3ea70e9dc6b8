import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { wad } from "../ballast/params.js";
import { deployFeed, type Feed, switchAggregator } from "../chainlink/feeds.js";
import type { Environment } from "../environment.js";
import { Random } from "../random.js";
import { BOUND_NAMES, type Bound } from "../riskMath.js";
import { generateBook } from "../sim/book.js";
import { calibrateLeverage } from "../sim/calibrate.js";
import { crashPath, type PathStep } from "../sim/paths.js";
import { ballastPolicy, baselinePolicy, type Policy } from "../sim/policies.js";
import { bookWallet, runPolicy, type SimHooks, type SimResult, sweep } from "../sim/run.js";
import { type Connection, depositCollateral, deploySystem, ETH_MARKET, type System } from "../system.js";
import { swapExactIn } from "../uniswap/index.js";
import { addThinAsset, type ThinAsset } from "./assets.js";
import { cascadeSystemOptions } from "./cascade.js";
import { attempt, type Outcome, scenarioInterfaces } from "./probes.js";
import { scenarioPolicy, type ScenarioSummary } from "./summary.js";

/** The thin token's market id in the incident scenarios. */
export const THIN_MARKET = 2n;

export interface IncidentOptions {
  seed: number;
  /** Accounts of the crash scenarios' book (default 40). */
  accounts?: number;
  /** A mainnet-fork environment; default: a fresh replica. */
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

// ---------------------------------------------------------------------------------------------- helpers

/**
 * The leverage Ballast allows a small USDC-backed ETH position in the calm market the system starts in (its
 * cap for a fresh 5,000 USDC account, where the liquidation-distance bound binds rather than depth, over the
 * account's equity): the static baseline's leverage where no book calibrates it. Measured on a probe account
 * inside a snapshot; the chain is left as it was.
 */
export async function calmLeverage(system: System): Promise<number> {
  const { connection } = system;
  const snapshot = await connection.networkHelpers.takeSnapshot();
  const probe = (await connection.ethers.getSigners())[9]!;
  const equity = 5_000;
  await depositCollateral(connection, system.environment, await system.ballast.engine.getAddress(), probe, { usdc: equity });
  const cap = Number((await system.ballast.riskModule.positionRisk(await probe.getAddress(), ETH_MARKET)).cap) / 1e18;
  await snapshot.restore();
  return cap / equity;
}

/** The block timestamp of the chain head. */
async function now(connection: Connection): Promise<number> {
  return (await connection.ethers.provider.getBlock("latest"))!.timestamp;
}

/** Switches a Chainlink proxy to a new aggregator as its owner would (impersonated on a fork). */
export async function switchPhase(connection: Connection, feed: Feed): Promise<void> {
  const { ethers, networkHelpers } = connection;
  const owner = await feed.proxy.owner();
  const [signer] = await ethers.getSigners();
  if (owner.toLowerCase() === signer!.address.toLowerCase()) {
    await switchAggregator(ethers, feed);
    return;
  }
  await networkHelpers.impersonateAccount(owner);
  await networkHelpers.setBalance(owner, 10n ** 18n);
  const proxy = feed.proxy;
  feed.proxy = proxy.connect(await ethers.getSigner(owner));
  try {
    await switchAggregator(ethers, feed);
  } finally {
    feed.proxy = proxy;
    await networkHelpers.stopImpersonatingAccount(owner);
  }
}

// ------------------------------------------------------------------------------------- Mango (Oct 2022)

/** What one policy let the Mango attacker do. */
export interface MangoRun {
  policy: "ballast" | "static";
  /** The thin long the attacker asked for (90 % of what the static cap allows its collateral), USD. */
  requested: number;
  request: Outcome;
  /** The thin long it held before the pump, USD at the start price. */
  opened: number;
  /** Ballast: the position's cap and its binding bound once opened. */
  cap?: number;
  binding?: string;
  /** USDC paid into the thin pool to push it, and what the round trip (push, then sell back) cost. */
  pushCapital: number;
  pushCost: number;
  /** Pool spot and module TWAP (Ballast's depth state) right after the push, USD. */
  pumpedPrice: number;
  twapPrice: number;
  /** Unrealized PnL at the pumped oracle price, USD. */
  manufacturedPnl: number;
  /** Withdrawing all the USDC collateral, then opening the largest ETH long the policy shows. */
  withdraw: Outcome;
  increase: Outcome;
  increaseNotional: number;
  /** The keeper's deleverages at the pumped price (Ballast) and the PnL they realized into the ledger. */
  deleverages: number;
  deleveragedNotional: number;
  realized: number;
  /** After the attacker sold back and the oracle followed the pool. */
  returnedPrice: number;
  liquidated: boolean;
  liquidatedNotional: number;
  badDebt: number;
  /** Collateral the attacker took out, USD. */
  withdrawn: number;
}

export interface MangoResult {
  summary: ScenarioSummary;
  runs: MangoRun[];
  staticLeverage: number;
  pump: number;
  asset: ThinAsset;
  system: System;
}

/**
 * `oracle-mango-pump` (Mango Markets, Oct 2022): a thin token listed as a market (its own pool as reference)
 * and as collateral. The attacker deposits USDC and some of the token and asks for a long as large as the
 * static cap allows; then buys the thin pool up about 5x, and the Chainlink feed follows the manipulated
 * venue (the pool TWAP lags). Against the inflated PnL it tries to withdraw its USDC and to open the
 * largest ETH long the policy shows. The keeper acts (Ballast); the attacker sells back what it bought,
 * the oracle follows the pool back, and the liquidator acts. Run with Ballast, then from the same chain
 * state with the static cap at Ballast's calm ETH leverage.
 */
export async function runMangoPump(connection: NetworkConnection, options: IncidentOptions): Promise<MangoResult> {
  const { ethers, networkHelpers } = connection;
  const random = new Random(options.seed);
  const system = await deploySystem(connection, options.environment === undefined ? {} : { environment: options.environment });
  const asset = await addThinAsset(system, { collateral: true, market: { id: THIN_MARKET } });
  const staticLeverage = await calmLeverage(system);
  const pump = random.uniform(4.5, 5.5);
  const deposits = { usdc: 100_000, token: Math.round(random.uniform(5_000, 15_000)) };
  const base = await networkHelpers.takeSnapshot();
  const [admin] = await ethers.getSigners();

  const ballast = await mangoRun(system, asset, ballastPolicy(system), { pump, deposits, staticLeverage });
  await base.restore();
  const policy = await baselinePolicy(system, "static", staticLeverage, admin!);
  await asset.listIn(policy.engine);
  const baseline = await mangoRun(system, asset, policy, { pump, deposits, staticLeverage });

  const entry = (run: MangoRun): ScenarioSummary["policies"][number] => ({
    policy: run.policy,
    badDebt: run.badDebt,
    liquidations: run.liquidated ? 1 : 0,
    liquidatedNotional: run.liquidatedNotional,
    deleverages: run.deleverages,
    deleveragedNotional: run.deleveragedNotional,
    maxPoolImpact: run.pumpedPrice / asset.startPrice - 1,
  });
  return {
    summary: { scenario: "oracle-mango-pump", seed: options.seed, policies: [entry(ballast), entry(baseline)] },
    runs: [ballast, baseline],
    staticLeverage,
    pump,
    asset,
    system,
  };
}

async function mangoRun(
  system: System,
  asset: ThinAsset,
  policy: Policy,
  options: { pump: number; deposits: { usdc: number; token: number }; staticLeverage: number },
): Promise<MangoRun> {
  const { connection, environment, ballast } = system;
  const { ethers, networkHelpers } = connection;
  const interfaces = scenarioInterfaces(system);
  const attacker: Signer = (await ethers.getSigners())[8]!;
  const account = await attacker.getAddress();
  const engine = policy.engine.connect(attacker);
  const engineAddress = await engine.getAddress();
  const price = asset.startPrice;
  const isBallast = policy.name === "ballast";

  await depositCollateral(connection, environment, engineAddress, attacker, { usdc: options.deposits.usdc });
  await asset.deposit(engineAddress, attacker, options.deposits.token);

  // The long: first 90 % of what the static cap (and the engine's maintenance margin) allows its collateral,
  // then, if refused, 98 % of what the policy shows.
  const leverage = Math.min(options.staticLeverage, 1e18 / Number(asset.marketConfig!.maintenanceMargin));
  const requested = 0.9 * leverage * (options.deposits.usdc + options.deposits.token * price);
  const request = await attempt(interfaces, async () => (await engine.trade(THIN_MARKET, wad((requested / price).toFixed(12)))).wait());
  if (!request.ok) {
    const allowed = await policy.allowed(account, THIN_MARKET);
    await (await engine.trade(THIN_MARKET, wad(((0.98 * allowed) / price).toFixed(12)))).wait();
  }
  const opened = (Number((await engine.position(account, THIN_MARKET))[0]) / 1e18) * price;
  let cap: number | undefined;
  let binding: string | undefined;
  if (isBallast) {
    const risk = await ballast.riskModule.positionRisk(account, THIN_MARKET);
    cap = Number(risk.cap) / 1e18;
    binding = BOUND_NAMES[Number(risk.binding) as Bound];
  }

  // The push: buy the thin pool up, and the oracle follows the manipulated venue a few minutes later.
  const push = (await asset.movePool(price * options.pump))!;
  const quoteIn = asset.orientation.baseIsToken0 ? push.amount1 : push.amount0;
  const bought = -(asset.orientation.baseIsToken0 ? push.amount0 : push.amount1);
  const pumpedPrice = await asset.poolPrice();
  await networkHelpers.time.increase(300);
  await asset.setPrice(pumpedPrice);
  if (isBallast) {
    await (await ballast.volatilityOracle.poke(asset.feed.address)).wait();
    await ballast.riskModule
      .refreshDepth(THIN_MARKET)
      .then((tx) => tx.wait())
      .catch(() => undefined);
  }
  const twapPrice = isBallast ? Number((await ballast.riskModule.depthState(THIN_MARKET)).twapPrice) / 1e18 : 0;
  const manufacturedPnl = Number((await engine.margin(account)).unrealizedPnl) / 1e18;

  // Extraction: take the USDC out, then open the largest ETH long the policy shows.
  const usdcUnits = BigInt(options.deposits.usdc) * 10n ** 6n;
  const usdc = await environment.usdc.getAddress();
  const withdraw = await attempt(interfaces, async () => (await engine.withdraw(usdc, usdcUnits)).wait());
  const ethPrice = Number(await engine.markPrice(ETH_MARKET)) / 1e18;
  const shown = await policy.allowed(account, ETH_MARKET);
  const increaseNotional = 0.95 * (shown > 0 ? shown : options.staticLeverage * manufacturedPnl);
  const increase = await attempt(interfaces, async () =>
    (await engine.trade(ETH_MARKET, wad((increaseNotional / ethPrice).toFixed(12)))).wait(),
  );

  // The keeper (Ballast) acts on the over-cap position at the pumped price.
  let deleverages = 0;
  let deleveragedNotional = 0;
  const ledgerBefore = (await engine.margin(account)).ledger;
  if (isBallast) {
    const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
    await sweep(system, [account], THIN_MARKET);
    const logs = await ballast.riskModule.queryFilter(ballast.riskModule.filters.Deleveraged(account), fromBlock);
    deleverages = logs.length;
    deleveragedNotional = logs.reduce((sum, l) => sum + Number(l.args.notional) / 1e18, 0);
  }
  const realized = Number((await engine.margin(account)).ledger - ledgerBefore) / 1e18;

  // The attacker sells back what it bought; the oracle follows the pool back.
  await networkHelpers.time.increase(300);
  const back = await swapExactIn(connection, environment, asset.pool, { zeroForOne: asset.orientation.baseIsToken0, amountIn: bought });
  const quoteOut = -(asset.orientation.baseIsToken0 ? back.amount1 : back.amount0);
  const returnedPrice = await asset.poolPrice();
  await asset.setPrice(returnedPrice);
  if (isBallast) await (await ballast.volatilityOracle.poke(asset.feed.address)).wait();

  // The liquidator.
  let liquidated = false;
  let liquidatedNotional = 0;
  if ((await policy.engine.liquidatable([account]))[0]) {
    const receipt = (await (await policy.engine.liquidate(account)).wait())!;
    for (const log of receipt.logs) {
      const parsed = policy.engine.interface.parseLog(log);
      if (parsed?.name === "Liquidated") {
        liquidated = true;
        liquidatedNotional = Number(parsed.args.closedNotional as bigint) / 1e18;
      }
    }
  }
  return {
    policy: policy.name === "ballast" ? "ballast" : "static",
    requested,
    request,
    opened,
    ...(cap === undefined ? {} : { cap }),
    ...(binding === undefined ? {} : { binding }),
    pushCapital: Number(quoteIn) / 1e6,
    pushCost: Number(quoteIn - quoteOut) / 1e6,
    pumpedPrice,
    twapPrice,
    manufacturedPnl,
    withdraw,
    increase,
    increaseNotional,
    deleverages,
    deleveragedNotional,
    realized,
    returnedPrice,
    liquidated,
    liquidatedNotional,
    badDebt: Number(await policy.engine.badDebt()) / 1e18,
    withdrawn: withdraw.ok ? options.deposits.usdc : 0,
  };
}

// ------------------------------------------------------------------------------ crash-time oracle faults

/** What the probes saw at one step of a crash (after the oracle published, before anyone acted). */
export interface StepProbe {
  index: number;
  t: number;
  /** Seconds since the ETH/USD feed's latest round. */
  priceAge: number;
  /** A small ETH increase by a healthy account. */
  increase: Outcome;
  /** A deleverage of the book's largest position (Ballast). */
  deleverage?: Outcome;
  /** Half of the book's largest position closed by its owner. */
  reduce: Outcome;
  /** Every error a liquidation call of a book account would revert with (empty: all would go through). */
  liquidationErrors: string[];
}

/** One policy's run through a crash with an oracle incident. */
export interface IncidentRun {
  result: SimResult;
  probes: StepProbe[];
}

interface CrashIncident {
  name: string;
  /** Steps (from the crash's start) during which the ETH/USD feed publishes nothing. */
  outage?: { from: number; steps: number };
  /** Whether the static baseline runs too. */
  baseline: boolean;
  /** Which steps to probe (default: none). */
  probe?: (step: PathStep, index: number) => boolean;
  /** Chain setup after the system is deployed (before the snapshot both policies start from). */
  setup?: (system: System) => Promise<void>;
  /** The incident's hooks (each policy's run gets its own). */
  hooks?: (system: System, path: readonly PathStep[]) => SimHooks;
}

export interface CrashIncidentResult {
  summary: ScenarioSummary;
  system: System;
  path: PathStep[];
  book: { accounts: string[] };
  ballast: IncidentRun;
  baseline?: IncidentRun;
  staticLeverage?: number;
}

const CALM_STEPS = 12;

async function runCrashIncident(
  connection: NetworkConnection,
  options: IncidentOptions,
  incident: CrashIncident,
): Promise<CrashIncidentResult> {
  const { networkHelpers, ethers } = connection;
  const system = await deploySystem(connection, cascadeSystemOptions(options.environment));
  await incident.setup?.(system);
  const start = await now(connection);
  const path = crashPath({
    seed: options.seed,
    start,
    startPrice: system.environment.ethPrice,
    ...(incident.outage === undefined ? {} : { outage: incident.outage }),
  });
  const book = generateBook({ accounts: options.accounts ?? 40, seed: options.seed, ethPrice: system.environment.ethPrice });
  const accounts = book.map((a) => bookWallet(system, options.seed, a.index).address);
  const base = await networkHelpers.takeSnapshot();
  const [admin] = await ethers.getSigners();
  const progress = (label: string) => (done: number, total: number) => options.onProgress?.(label, done, total);

  const run = async (policy: Policy, extra: SimHooks): Promise<IncidentRun> => {
    const probes: StepProbe[] = [];
    const prober = await probeTrader(system, policy);
    const hooks: SimHooks = {
      ...extra,
      async afterOracle(step, index) {
        await extra.afterOracle?.(step, index);
        if (incident.probe?.(step, index) === true) probes.push(await probeStep(system, policy, prober, accounts, step, index));
      },
    };
    const result = await runPolicy(system, { policy, book, path, seed: options.seed, hooks, onStep: progress(policy.name) });
    return { result, probes };
  };

  const ballast = await run(ballastPolicy(system), incident.hooks?.(system, path) ?? {});
  let baseline: IncidentRun | undefined;
  let staticLeverage: number | undefined;
  if (incident.baseline) {
    const calibration = await calibrateLeverage({
      system,
      book,
      path,
      seed: options.seed,
      targetCapacity: ballast.result.summary.calmCapacity,
      restore: () => base.restore(),
      policy: (leverage) => baselinePolicy(system, "static", leverage, admin!),
    });
    staticLeverage = calibration.leverage;
    baseline = await run(calibration.policy, incident.hooks?.(system, path) ?? {});
  }
  return {
    summary: {
      scenario: incident.name,
      seed: options.seed,
      policies: [ballast, ...(baseline === undefined ? [] : [baseline])].map((r) => scenarioPolicy(r.result.summary)),
    },
    system,
    path,
    book: { accounts },
    ballast,
    ...(baseline === undefined ? {} : { baseline }),
    ...(staticLeverage === undefined ? {} : { staticLeverage }),
  };
}

/** A healthy account with room to increase (1,000,000 USDC and a 0.01 ETH long) in the policy's engine. */
async function probeTrader(system: System, policy: Policy): Promise<Signer> {
  const { connection, environment } = system;
  const trader = (await connection.ethers.getSigners())[7]!;
  const engine = policy.engine.connect(trader);
  await depositCollateral(connection, environment, await engine.getAddress(), trader, { usdc: 1_000_000 });
  await (await engine.trade(ETH_MARKET, wad(0.01))).wait();
  return trader;
}

/** Probes, without changing the chain, what each actor could do at this step. */
async function probeStep(
  system: System,
  policy: Policy,
  trader: Signer,
  accounts: readonly string[],
  step: PathStep,
  index: number,
): Promise<StepProbe> {
  const { connection, ballast } = system;
  const interfaces = scenarioInterfaces(system);
  const engine = policy.engine;
  const [, , , updatedAt] = await system.feeds.eth.proxy.latestRoundData();
  const priceAge = (await now(connection)) - Number(updatedAt);
  const increase = await attempt(interfaces, () => engine.connect(trader).trade.staticCall(ETH_MARKET, wad(0.01)));

  let largest = accounts[0]!;
  let largestSize = 0n;
  for (const account of accounts) {
    const [size] = await engine.position(account, ETH_MARKET);
    const abs = size < 0n ? -size : size;
    if (abs > largestSize) [largest, largestSize] = [account, abs];
  }
  const probe: StepProbe = { index, t: step.t, priceAge, increase, reduce: { ok: true }, liquidationErrors: [] };
  if (largestSize > 0n) {
    const [size] = await engine.position(largest, ETH_MARKET);
    const reader = engine.connect(connection.ethers.provider);
    probe.reduce = await attempt(interfaces, () => reader.trade.staticCall(ETH_MARKET, -size / 2n, { from: largest }));
    if (policy.name === "ballast")
      probe.deleverage = await attempt(interfaces, () => ballast.riskModule.deleverage.staticCall(largest, ETH_MARKET));
  }
  const errors = new Set<string>();
  for (const account of accounts) {
    const outcome = await attempt(interfaces, () => engine.liquidate.staticCall(account));
    if (!outcome.ok) errors.add(outcome.error);
  }
  probe.liquidationErrors = [...errors];
  return probe;
}

// ----------------------------------------------------------------------------------- oracle-stale-feed

/** The ETH/USD outage of `oracle-stale-feed`: from the crash's 6th step, two hours without a round. */
export const STALE_OUTAGE = { from: 6, steps: 12 } as const;

/**
 * `oracle-stale-feed`: the cascade's crash, during which the ETH/USD feed publishes nothing for two hours
 * (longer than `maxPriceAge`, 65 minutes) while the pool keeps moving. Every step from the outage to two
 * steps after it is probed: a small increase, a deleverage of the largest position, a user reduction, and
 * a liquidation call of every account. Ballast and the static cap (same calm-market capacity).
 */
export async function runStaleFeed(connection: NetworkConnection, options: IncidentOptions): Promise<CrashIncidentResult> {
  const first = CALM_STEPS + STALE_OUTAGE.from;
  const last = first + STALE_OUTAGE.steps + 2;
  return runCrashIncident(connection, options, {
    name: "oracle-stale-feed",
    outage: STALE_OUTAGE,
    baseline: true,
    probe: (_, index) => index >= first && index < last,
  });
}

// ----------------------------------------------------------------------------- oracle-sequencer-outage

/** The sequencer outage: down at the crash's 16th step for 40 minutes, then a one-hour grace period. */
export const SEQUENCER_OUTAGE = { from: 16, steps: 4, grace: 3_600 } as const;

export interface SequencerResult extends CrashIncidentResult {
  sequencer: Feed;
  /** `startedAt` of the down and up rounds (the sequencer's status changes). */
  downAt: number;
  upAt: number;
}

/**
 * `oracle-sequencer-outage`: the system configured for an L2 (`configureSequencer` with a Chainlink-style
 * uptime feed: answer 0 up, 1 down, `startedAt` the time of the change; grace period one hour). During the
 * cascade's crash the sequencer goes down for 40 minutes, then comes back; each status change is dated 5
 * minutes before the step that sees it. Every step from the outage to the end of the grace period is
 * probed. Ballast and the static cap (which has no sequencer check).
 */
export async function runSequencerOutage(connection: NetworkConnection, options: IncidentOptions): Promise<SequencerResult> {
  const { ethers } = connection;
  let sequencer: Feed | undefined;
  const times = { downAt: 0, upAt: 0 };
  const down = CALM_STEPS + SEQUENCER_OUTAGE.from;
  const up = down + SEQUENCER_OUTAGE.steps;
  const last = up + SEQUENCER_OUTAGE.grace / 600 + 2;
  const statusAt = async (index: number, step: PathStep) => {
    if (index !== down && index !== up) return;
    const aggregator = sequencer!.aggregator;
    const round = Number(await aggregator.latestRound()) + 1;
    const startedAt = step.t - 300;
    await (await aggregator.setRound(round, index === down ? 1 : 0, startedAt, startedAt, round)).wait();
    if (index === down) times.downAt = startedAt;
    else times.upAt = startedAt;
  };
  const result = await runCrashIncident(connection, options, {
    name: "oracle-sequencer-outage",
    baseline: true,
    probe: (_, index) => index >= down - 1 && index < last,
    async setup(system) {
      sequencer = await deployFeed(ethers, 0, "L2 Sequencer Uptime Status Feed");
      const since = (await now(connection)) - 86_400;
      await (await sequencer.aggregator.setRound(1, 0, since, since, 1)).wait();
      await (await system.ballast.riskModule.connect(system.admin).configureSequencer(sequencer.address, SEQUENCER_OUTAGE.grace)).wait();
    },
    hooks: () => ({ beforeOracle: (step, index) => statusAt(index, step) }),
  });
  return { ...result, sequencer: sequencer!, ...times };
}

// -------------------------------------------------------------------------------- oracle-phase-change

/** The phase change: the ETH/USD proxy's owner switches aggregators at the crash's 15th step. */
export const PHASE_SWITCH_STEP = 15;

/** The proxy and the volatility oracle at the end of one step. */
export interface PhaseObservation {
  index: number;
  t: number;
  proxyPhase: number;
  /** Phase of the volatility oracle's cursor (the last round id it read). */
  cursorPhase: number;
  sigma: number;
  stale: boolean;
  /** Rounds the oracle folded during the step, with their proxy round ids. */
  folded: bigint[];
}

export interface PhaseChangeResult extends CrashIncidentResult {
  observations: PhaseObservation[];
  switchIndex: number;
}

/**
 * `oracle-phase-change`: mid-crash, the ETH/USD proxy's owner proposes and confirms a new aggregator (a new
 * phase: proxy round ids jump from `(p << 64) | n` to `((p + 1) << 64) | 1`). The volatility oracle, the
 * module and the engine keep reading through the proxy. Ballast only (a static cap reads no rounds).
 */
export async function runPhaseChange(connection: NetworkConnection, options: IncidentOptions): Promise<PhaseChangeResult> {
  const observations: PhaseObservation[] = [];
  const switchIndex = CALM_STEPS + PHASE_SWITCH_STEP;
  const result = await runCrashIncident(connection, options, {
    name: "oracle-phase-change",
    baseline: false,
    hooks: (system) => {
      const oracle = system.ballast.volatilityOracle;
      const feed = system.feeds.eth;
      let fromBlock = 0;
      return {
        async beforeOracle(_, index) {
          fromBlock = (await connection.ethers.provider.getBlockNumber()) + 1;
          if (index === switchIndex) await switchPhase(connection, feed);
        },
        async afterStep(step, index) {
          const [sigma, stale] = await oracle.getVolatility(feed.address);
          const logs = await oracle.queryFilter(oracle.filters.RoundFolded(feed.address), fromBlock);
          observations.push({
            index,
            t: step.t,
            proxyPhase: Number(await feed.proxy.phaseId()),
            cursorPhase: Number((await oracle.feedState(feed.address)).cursor >> 64n),
            sigma: Number(sigma) / 1e18,
            stale,
            folded: logs.map((l) => l.args.roundId),
          });
        },
      };
    },
  });
  return { ...result, observations, switchIndex };
}
