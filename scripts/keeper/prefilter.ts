/**
 * The prefilter of `scanMode: "prefilter"`: the account rule evaluated off-chain with the shared model
 * (`scripts/lib/rule/account.ts`, the TypeScript mirror of the module's one evaluation: prices, haircuts,
 * equity, every market's stressed requirement with options books, buffer, free equity, every bound, and the
 * deleverage judgement at a fresh diverging pool TWAP), so that only the accounts that may be over cap are
 * evaluated on-chain each block.
 *
 * Why it never misses an over-cap account:
 * - The model only decides which accounts are evaluated exactly; every deleverage is decided by the lens
 *   (and re-checked by the module on-chain). An account is a *suspect*, evaluated on-chain, when its model
 *   ratio `notional / (cap * (1 + tauTrigger))` is at least `1 - margin` (default 5 %, far above the 1e-9
 *   agreement of the model with the contracts), or when the model cannot evaluate it (unknown market or
 *   collateral, a market whose Chainlink price is not fresh (the module then reads the pool TWAP live, which
 *   the model does not), snapshot not loaded).
 * - Market-wide inputs (prices, volatility, depth and the stored TWAP, open interest, configuration, tiers,
 *   Greeks sizing) are read fresh at every block. Account snapshots are cached, and a snapshot is dropped
 *   whenever an engine log names the account in an indexed topic (the reference engine logs every change of a
 *   snapshot that way: `PositionChanged`, `Deposited`, `Withdrawn`, `KeeperPaid`, `Liquidated`), and all of
 *   them after a reorg. An engine whose snapshots change without such a log (e.g. funding accruing per second)
 *   must not use this mode.
 * - Options books move with the price and time, without logs: in a module with Greeks sizing, every account's
 *   book is read in every Greeks market at every block, and the snapshot of an account holding one is read
 *   again at every block (its mark value is in the snapshot's adjustments).
 * - A safety sweep evaluates `sweepPerBlock` more accounts on-chain every block, round robin, whatever the
 *   model says; an over-cap account found by the sweep that the model did not flag is counted
 *   (`keeper_prefilter_misses_total`), logged, and evaluated on-chain every block from then on.
 */
import { getAddress, type Provider } from "ethers";

import { ownVolHaircut } from "../lib/riskMath.js";
import {
  type AccountInputs,
  accountStatus,
  type AccountStatus as RuleStatus,
  type CollateralInputs,
  evaluate,
  type Greeks,
  judge,
  type Judgement,
  type MarketInputs,
  PriceSource,
  type RuleInputs,
} from "../lib/rule/account.js";
import { aggregatorInterface, engineInterface, erc20Interface, moduleInterface, oracleInterface } from "./abi.js";
import { chunk, mapLimit } from "./chunks.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Rpc } from "./rpc.js";

const WAD = 1e18;
/** The volatility the module's math accepts at most (`RiskMath.MAX_SIGMA`). */
const MAX_SIGMA = 10;
/** The longest horizon of the module's math (`RiskMath.MAX_HORIZON`, 7 days). */
const MAX_HORIZON = 7 * 86_400;

export interface PrefilterOptions {
  module: string;
  engine: string;
  oracle: string;
  /** Suspect from a model ratio of `1 - margin` up. */
  margin: number;
  /** Accounts per `accountSnapshot` batch (JSON-RPC batches), and batches in flight. */
  snapshotConcurrency: number;
}

const wad = (v: bigint) => Number(v) / WAD;

/** A Chainlink round as the module reads it: the answer when positive, its age, and whether it is fresh. */
interface Round {
  price: number | undefined;
  fresh: boolean;
  age: number;
}

/** Snapshots cache, market state reader and classifier (see the module comment). */
export class Prefilter {
  private readonly snapshots = new Map<string, AccountInputs>();
  private readonly books = new Map<string, Map<bigint, Greeks>>();
  /** Accounts the model missed once: always evaluated on-chain. */
  private readonly exactOnly = new Set<string>();
  private readonly decimals = new Map<string, number>();
  private inputs: RuleInputs = { markets: new Map(), collaterals: new Map() };
  private greeksMarkets: bigint[] = [];

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly options: PrefilterOptions,
    private readonly logger: Logger,
  ) {}

  /** Drops the snapshots of accounts an engine log named. */
  invalidate(accounts: Iterable<string>): void {
    for (const a of accounts) this.snapshots.delete(a);
  }

  /** Drops every snapshot (after a reorg). */
  invalidateAll(): void {
    this.snapshots.clear();
  }

  /** The model missed this account: evaluate it on-chain from now on. */
  markMissed(account: string): void {
    this.exactOnly.add(account);
  }

  get cachedSnapshots(): number {
    return this.snapshots.size;
  }

  /** The account's cached snapshot (as the rule reads it), undefined when not loaded. */
  snapshotOf(account: string): AccountInputs | undefined {
    return this.snapshots.get(account);
  }

  /** The market and collateral inputs of the last `refresh`. */
  get ruleInputs(): RuleInputs {
    return this.inputs;
  }

  /** Loads books, missing snapshots and every market and collateral input at `blockTag`. */
  async refresh(accounts: readonly string[], blockTag: number): Promise<void> {
    this.greeksMarkets = await this.readGreeksMarkets(blockTag);
    if (this.greeksMarkets.length > 0) await this.loadBooks(accounts, blockTag);
    const missing = accounts.filter((a) => !this.exactOnly.has(a) && (!this.snapshots.has(a) || this.holdsBook(a)));
    await mapLimit(chunk(missing, 100), this.options.snapshotConcurrency, async (part) => {
      await Promise.all(part.map((account) => this.loadSnapshot(account, blockTag)));
    });
    const marketIds = new Set<bigint>(this.greeksMarkets);
    const assets = new Set<string>();
    for (const s of this.snapshots.values()) {
      for (const p of s.positions) marketIds.add(p.market);
      for (const c of s.collateral) assets.add(c.asset);
    }
    const block = await this.rpc.call("eth_getBlockByNumber", () => this.provider.getBlock(blockTag));
    const now = block?.timestamp ?? Math.floor(Date.now() / 1000);
    const markets = new Map<bigint, MarketInputs>();
    const collaterals = new Map<string, CollateralInputs>();
    const tiers = new Map<number, number>();
    await Promise.all([
      ...[...marketIds].map(async (id) => {
        const market = await this.readMarket(id, blockTag, now).catch((error: unknown) => {
          this.logger.warn(
            { market: id, error: describeError(error) },
            "prefilter: cannot read market inputs; its accounts are evaluated on-chain",
          );
          return undefined;
        });
        if (market !== undefined) markets.set(id, market);
      }),
      ...[...assets].map(async (asset) => {
        const collateral = await this.readCollateral(asset, blockTag, now, tiers).catch((error: unknown) => {
          this.logger.warn(
            { asset, error: describeError(error) },
            "prefilter: cannot read collateral inputs; its accounts are evaluated on-chain",
          );
          return undefined;
        });
        if (collateral !== undefined) collaterals.set(asset, collateral);
      }),
    ]);
    this.inputs = { markets, collaterals };
  }

  /** The accounts to evaluate on-chain: suspects, unknowns and accounts the model missed before. */
  suspects(accounts: readonly string[]): { suspects: string[]; unknown: number } {
    const suspects: string[] = [];
    let unknown = 0;
    const threshold = 1 - this.options.margin;
    for (const account of accounts) {
      const ratio = this.exactOnly.has(account) ? undefined : this.ratio(account);
      if (ratio === undefined) {
        suspects.push(account);
        unknown++;
      } else if (!(ratio < threshold)) suspects.push(account);
    }
    return { suspects, unknown };
  }

  /** The model's status of one account (the rule's figures); undefined when it cannot evaluate it. */
  status(account: string): RuleStatus | undefined {
    const snapshot = this.snapshots.get(account);
    if (snapshot === undefined) return undefined;
    // Every market of the account must be priced from a fresh Chainlink round (a live TWAP is the module's).
    for (const p of snapshot.positions) if (this.inputs.markets.get(p.market)?.source !== PriceSource.Chainlink) return undefined;
    for (const m of snapshot.books.keys()) if (this.inputs.markets.get(m)?.source !== PriceSource.Chainlink) return undefined;
    const status = accountStatus(snapshot, this.inputs);
    return "unknown" in status ? undefined : status;
  }

  /** Every position of the account judged as `deleverage` judges it (for tests and logs); undefined when unknown. */
  judgements(account: string): Judgement[] | undefined {
    const snapshot = this.snapshots.get(account);
    if (snapshot === undefined || this.status(account) === undefined) return undefined;
    const evaluation = evaluate(snapshot, this.inputs);
    if (!evaluation.ok) return undefined;
    return evaluation.account.positions.map((p) => judge(snapshot, this.inputs, evaluation.account, p));
  }

  /** The model's worst `notional / (cap * (1 + tauTrigger))` (0 with no position); undefined when unknown. */
  ratio(account: string): number | undefined {
    const status = this.status(account);
    if (status === undefined) return undefined;
    const worst = status.worst;
    if (worst === undefined) return 0;
    const tau = this.inputs.markets.get(worst.market)!.tauTrigger;
    if (worst.deleverageNotional > 0) return Math.max(1, worst.notional / (worst.cap * (1 + tau)));
    return worst.cap <= 0 ? (worst.notional > 0 ? Infinity : 0) : worst.notional / (worst.cap * (1 + tau));
  }

  private holdsBook(account: string): boolean {
    return (this.books.get(account)?.size ?? 0) > 0;
  }

  private async call(to: string, data: string, blockTag: number): Promise<string> {
    return this.rpc.call("eth_call", () => this.provider.call({ to, data, blockTag }));
  }

  private async readGreeksMarkets(blockTag: number): Promise<bigint[]> {
    const data = await this.call(this.options.module, moduleInterface.encodeFunctionData("greeksMarkets"), blockTag);
    return [...(moduleInterface.decodeFunctionResult("greeksMarkets", data)[0] as bigint[])];
  }

  /** Every account's book in every market with Greeks sizing (a book the engine cannot report is unknown). */
  private async loadBooks(accounts: readonly string[], blockTag: number): Promise<void> {
    await mapLimit(chunk(accounts, 100), this.options.snapshotConcurrency, async (part) => {
      await Promise.all(
        part.map(async (account) => {
          const held = new Map<bigint, Greeks>();
          try {
            for (const market of this.greeksMarkets) {
              const data = await this.call(
                this.options.engine,
                engineInterface.encodeFunctionData("bookGreeks", [account, market]),
                blockTag,
              );
              const [g] = engineInterface.decodeFunctionResult("bookGreeks", data) as unknown as [
                { delta: bigint; gamma: bigint; vega: bigint },
              ];
              if (g.delta !== 0n || g.gamma !== 0n || g.vega !== 0n)
                held.set(market, { delta: wad(g.delta), gamma: wad(g.gamma), vega: wad(g.vega) });
            }
            this.books.set(account, held);
          } catch (error) {
            this.books.delete(account);
            this.snapshots.delete(account);
            this.logger.debug({ account, error: describeError(error) }, "prefilter: book not loaded");
          }
        }),
      );
    });
  }

  private async loadSnapshot(account: string, blockTag: number): Promise<void> {
    try {
      const data = await this.call(this.options.engine, engineInterface.encodeFunctionData("accountSnapshot", [account]), blockTag);
      const [s] = engineInterface.decodeFunctionResult("accountSnapshot", data) as unknown as [
        {
          collateral: { asset: string; amount: bigint }[];
          positions: { market: bigint; size: bigint; entryPrice: bigint }[];
          adjustments: bigint;
        },
      ];
      if (this.greeksMarkets.length > 0 && !this.books.has(account)) return;
      this.snapshots.set(account, {
        collateral: s.collateral.map((c) => ({ asset: getAddress(c.asset), amount: c.amount })),
        positions: s.positions.map((p) => ({ market: p.market, size: wad(p.size), entryPrice: wad(p.entryPrice) })),
        adjustments: wad(s.adjustments),
        books: this.books.get(account) ?? new Map(),
      });
    } catch (error) {
      // Left out of the cache: the account is evaluated on-chain.
      this.snapshots.delete(account);
      this.logger.debug({ account, error: describeError(error) }, "prefilter: snapshot not loaded");
    }
  }

  private async decimalsOf(address: string, blockTag: number, erc20: boolean): Promise<number> {
    const cached = this.decimals.get(address);
    if (cached !== undefined) return cached;
    const iface = erc20 ? erc20Interface : aggregatorInterface;
    const value = Number(
      iface.decodeFunctionResult("decimals", await this.call(address, iface.encodeFunctionData("decimals"), blockTag))[0],
    );
    this.decimals.set(address, value);
    return value;
  }

  /** The latest round of `feed` as the module's deleverage-level read classifies it. */
  private async round(feed: string, maxAge: number, blockTag: number, now: number): Promise<Round> {
    try {
      const round = aggregatorInterface.decodeFunctionResult(
        "latestRoundData",
        await this.call(feed, aggregatorInterface.encodeFunctionData("latestRoundData"), blockTag),
      );
      const answer = round[1] as bigint;
      const updatedAt = Number(round[3] as bigint);
      if (answer <= 0n || updatedAt > now) return { price: undefined, fresh: false, age: 0 };
      const price = Number(answer) / 10 ** (await this.decimalsOf(feed, blockTag, false));
      return { price, fresh: now - updatedAt <= maxAge, age: now - updatedAt };
    } catch {
      return { price: undefined, fresh: false, age: 0 };
    }
  }

  private async sigma(feed: string, blockTag: number): Promise<number> {
    const data = await this.call(this.options.oracle, oracleInterface.encodeFunctionData("getVolatility", [feed]), blockTag);
    return Math.min(MAX_SIGMA, wad(oracleInterface.decodeFunctionResult("getVolatility", data)[0] as bigint));
  }

  private async readMarket(id: bigint, blockTag: number, now: number): Promise<MarketInputs> {
    const greeks = this.greeksMarkets.includes(id);
    const [configData, depthData, oiData, greeksData] = await Promise.all([
      this.call(this.options.module, moduleInterface.encodeFunctionData("marketConfig", [id]), blockTag),
      this.call(this.options.module, moduleInterface.encodeFunctionData("depthState", [id]), blockTag),
      this.call(this.options.engine, engineInterface.encodeFunctionData("openInterest", [id]), blockTag),
      greeks ? this.call(this.options.module, moduleInterface.encodeFunctionData("greeksConfig", [id]), blockTag) : undefined,
    ]);
    const [c] = moduleInterface.decodeFunctionResult("marketConfig", configData) as unknown as [Record<string, bigint> & { feed: string }];
    const [d] = moduleInterface.decodeFunctionResult("depthState", depthData) as unknown as [
      { down: bigint; up: bigint; twapPrice: bigint; updatedAt: bigint },
    ];
    const [oiLong, oiShort] = engineInterface.decodeFunctionResult("openInterest", oiData) as unknown as [bigint, bigint];
    const [round, sigma] = await Promise.all([this.round(c.feed, Number(c.maxPriceAge), blockTag, now), this.sigma(c.feed, blockTag)]);
    const twapFresh = d.updatedAt !== 0n && d.twapPrice !== 0n && now - Number(d.updatedAt) <= Number(c.depthMaxAge);
    let greeksConfig: MarketInputs["greeks"];
    if (greeksData !== undefined) {
      const [g] = moduleInterface.decodeFunctionResult("greeksConfig", greeksData) as unknown as [{ volShock: bigint; buffer: bigint }];
      greeksConfig = { volShock: wad(g.volShock), buffer: wad(g.buffer) };
    }
    return {
      // Only a fresh Chainlink price is modelled; without one the module reads the pool TWAP live.
      price: round.fresh ? round.price : undefined,
      source: round.fresh ? PriceSource.Chainlink : PriceSource.LiveTwap,
      storedTwap: twapFresh ? wad(d.twapPrice) : undefined,
      sigma,
      horizon: Number(c.horizon),
      z: wad(c.z!),
      gap: wad(c.gap!),
      m: wad(c.maintenanceMargin!),
      kappa: wad(c.kappa!),
      kappaOI: wad(c.kappaOI!),
      sigmaTarget: wad(c.sigmaTarget!),
      maxDeviation: wad(c.maxDeviation!),
      tauTrigger: wad(c.tauTrigger!),
      tauTarget: wad(c.tauTarget!),
      oiCapLong: wad(c.oiCapLong!),
      oiCapShort: wad(c.oiCapShort!),
      depthDown: wad(d.down),
      depthUp: wad(d.up),
      oiLong: wad(oiLong),
      oiShort: wad(oiShort),
      greeks: greeksConfig,
    };
  }

  /**
   * A collateral as a deleverage values it: at its fresh price; a stale one at its last price with the
   * own-volatility haircut over `volHorizon` plus the round's age where `volZ` is set; nothing otherwise.
   */
  private async readCollateral(asset: string, blockTag: number, now: number, tiers: Map<number, number>): Promise<CollateralInputs> {
    const [c] = moduleInterface.decodeFunctionResult(
      "collateralConfig",
      await this.call(this.options.module, moduleInterface.encodeFunctionData("collateralConfig", [asset]), blockTag),
    ) as unknown as [{ feed: string; maxPriceAge: bigint; tier: bigint; baseHaircut: bigint; volZ: bigint; volHorizon: bigint }];
    const tier = Number(c.tier);
    let leverage = tiers.get(tier);
    if (leverage === undefined) {
      leverage = wad(
        moduleInterface.decodeFunctionResult(
          "tierLeverage",
          await this.call(this.options.module, moduleInterface.encodeFunctionData("tierLeverage", [tier]), blockTag),
        )[0] as bigint,
      );
      tiers.set(tier, leverage);
    }
    const [round, decimals] = await Promise.all([
      this.round(c.feed, Number(c.maxPriceAge), blockTag, now),
      this.decimalsOf(asset, blockTag, true),
    ]);
    let horizon = Number(c.volHorizon);
    let price = round.price;
    if (!round.fresh) {
      horizon += round.age;
      if (c.volZ === 0n || horizon > MAX_HORIZON) price = undefined;
    }
    let haircut = wad(c.baseHaircut);
    if (c.volZ !== 0n && price !== undefined) haircut = ownVolHaircut(haircut, await this.sigma(c.feed, blockTag), horizon, wad(c.volZ));
    return { price, decimals, haircut, leverage };
  }
}
