/**
 * The prefilter of `scanMode: "prefilter"`: an off-chain model of the module's account evaluation
 * (`AccountLogic`: prices, haircuts, equity, stressed requirements and every bound of RISK-MODEL.md section
 * 3, in floating point through `scripts/lib/riskMath.ts`), so that only the accounts that may be over cap
 * are evaluated on-chain each block.
 *
 * Why it never misses an over-cap account:
 * - The model only decides which accounts are evaluated exactly; every deleverage is decided by the lens
 *   (and re-checked by the module on-chain). An account is a *suspect*, evaluated on-chain, when its model
 *   ratio `notional / (cap * (1 + tauTrigger))` is at least `1 - margin` (default 5 %, far above the 1e-9
 *   agreement of the float model with the contracts), or when the model cannot evaluate it (unknown
 *   market or collateral, invalid price, snapshot not loaded).
 * - Market-wide inputs (prices, volatility, depth, open interest, configuration, tiers) are read fresh at
 *   every block; only account snapshots are cached, and a snapshot is dropped whenever an engine log names
 *   the account in an indexed topic (the reference engine logs every change of a snapshot that way:
 *   `PositionChanged`, `Deposited`, `Withdrawn`, `KeeperPaid`, `Liquidated`), and all of them after a reorg.
 *   An engine whose snapshots change without such a log (e.g. funding accruing per second) must not use
 *   this mode.
 * - A safety sweep evaluates `sweepPerBlock` more accounts on-chain every block, round robin, whatever the
 *   model says; an over-cap account found by the sweep that the model did not flag is counted
 *   (`keeper_prefilter_misses_total`), logged, and evaluated on-chain every block from then on.
 */
import { getAddress, type Provider } from "ethers";

import { adverseMove, positionCap, stressedMove, ownVolHaircut } from "../lib/riskMath.js";
import { aggregatorInterface, engineInterface, erc20Interface, moduleInterface, oracleInterface } from "./abi.js";
import { chunk, mapLimit } from "./chunks.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Rpc } from "./rpc.js";

const WAD = 1e18;

/** An engine snapshot in the model's units (amounts as floats of their natural unit). */
export interface ModelSnapshot {
  collateral: { asset: string; amount: bigint }[];
  positions: { market: bigint; size: number; entryPrice: number }[];
  adjustments: number;
}

/** A market's inputs at one block; `price` undefined when the module would find it invalid. */
export interface ModelMarket {
  price: number | undefined;
  sigma: number;
  horizon: number;
  z: number;
  m: number;
  kappa: number;
  kappaOI: number;
  sigmaTarget: number;
  tauTrigger: number;
  oiCapLong: number;
  oiCapShort: number;
  depthDown: number;
  depthUp: number;
  /** Open interest per side in base units. */
  oiLong: number;
  oiShort: number;
  /** The oracle and the pool TWAP diverge: the module judges positions at both prices (evaluated on-chain). */
  diverged: boolean;
}

/** A collateral's inputs at one block; `haircut` includes the own-volatility part. */
export interface ModelCollateral {
  price: number | undefined;
  decimals: number;
  haircut: number;
  leverage: number;
}

export type ModelVerdict = { ratio: number } | { unknown: string };

/**
 * The model's worst `notional / (cap * (1 + tauTrigger))` over the account's positions (0 with none): at
 * least 1 means over cap. Mirrors `AccountLogic._evaluate`, `_cap` and `_tierBound`.
 */
export function modelAccount(
  snapshot: ModelSnapshot,
  markets: ReadonlyMap<bigint, ModelMarket>,
  collaterals: ReadonlyMap<string, ModelCollateral>,
): ModelVerdict {
  const positions: { market: ModelMarket; size: number; notional: number; x: number; requirement: number }[] = [];
  let requirement = 0;
  let totalNotional = 0;
  let pnl = snapshot.adjustments;
  for (const p of snapshot.positions) {
    const market = markets.get(p.market);
    if (market === undefined) return { unknown: `market ${p.market} not loaded` };
    if (market.price === undefined) return { unknown: `market ${p.market} price invalid` };
    if (market.diverged) return { unknown: `market ${p.market}: oracle and pool TWAP diverge` };
    const notional = Math.abs(p.size) * market.price;
    const x = adverseMove(stressedMove(market.sigma, market.horizon, market.z), p.size > 0);
    const req = notional * (market.m + x);
    positions.push({ market, size: p.size, notional, x, requirement: req });
    requirement += req;
    totalNotional += notional;
    pnl += p.size * (market.price - p.entryPrice);
  }
  let collateralValue = 0;
  let tierCapacity = 0;
  for (const c of snapshot.collateral) {
    const state = collaterals.get(c.asset);
    if (state === undefined) return { unknown: `collateral ${c.asset} not loaded` };
    if (state.price === undefined) return { unknown: `collateral ${c.asset} price invalid` };
    const adjusted = (Number(c.amount) / 10 ** state.decimals) * state.price * (1 - state.haircut);
    collateralValue += adjusted;
    tierCapacity += adjusted * state.leverage;
  }
  const equity = collateralValue + pnl;
  let worst = 0;
  for (const p of positions) {
    const isLong = p.size > 0;
    const { market } = p;
    const depth = isLong ? market.depthDown : market.depthUp;
    const capacity =
      equity <= 0 || collateralValue === 0 ? 0 : equity >= collateralValue ? tierCapacity : (tierCapacity * equity) / collateralValue;
    const others = totalNotional - p.notional;
    const { cap } = positionCap({
      equity,
      otherRequirement: requirement - p.requirement,
      sigma: market.sigma,
      horizon: market.horizon,
      z: market.z,
      m: market.m,
      isLong,
      sigmaTarget: market.sigmaTarget,
      depth,
      kappa: market.kappa,
      oiCap: Math.min(isLong ? market.oiCapLong : market.oiCapShort, depth * market.kappaOI),
      oiSide: Math.max((isLong ? market.oiLong : market.oiShort) * market.price!, p.notional),
      current: p.notional,
      tierCapacity: Math.max(0, capacity - others),
      greeksBound: Infinity,
    });
    const ratio = cap <= 0 ? (p.notional > 0 ? Infinity : 0) : p.notional / (cap * (1 + market.tauTrigger));
    if (ratio > worst) worst = ratio;
  }
  return { ratio: worst };
}

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

/** Snapshots cache, market state reader and classifier (see the module comment). */
export class Prefilter {
  private readonly snapshots = new Map<string, ModelSnapshot>();
  /** Accounts the model missed once: always evaluated on-chain. */
  private readonly exactOnly = new Set<string>();
  private readonly decimals = new Map<string, number>();
  private markets = new Map<bigint, ModelMarket>();
  private collaterals = new Map<string, ModelCollateral>();

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

  /** Loads missing snapshots and every market and collateral input at `blockTag`. */
  async refresh(accounts: readonly string[], blockTag: number): Promise<void> {
    const missing = accounts.filter((a) => !this.snapshots.has(a) && !this.exactOnly.has(a));
    await mapLimit(chunk(missing, 100), this.options.snapshotConcurrency, async (part) => {
      await Promise.all(part.map((account) => this.loadSnapshot(account, blockTag)));
    });
    const marketIds = new Set<bigint>();
    const assets = new Set<string>();
    for (const s of this.snapshots.values()) {
      for (const p of s.positions) marketIds.add(p.market);
      for (const c of s.collateral) assets.add(c.asset);
    }
    const block = await this.rpc.call("eth_getBlockByNumber", () => this.provider.getBlock(blockTag));
    const now = block?.timestamp ?? Math.floor(Date.now() / 1000);
    const markets = new Map<bigint, ModelMarket>();
    const collaterals = new Map<string, ModelCollateral>();
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
    this.markets = markets;
    this.collaterals = collaterals;
  }

  /** The accounts to evaluate on-chain: suspects, unknowns and accounts the model missed before. */
  suspects(accounts: readonly string[]): { suspects: string[]; unknown: number } {
    const suspects: string[] = [];
    let unknown = 0;
    const threshold = 1 - this.options.margin;
    for (const account of accounts) {
      const snapshot = this.snapshots.get(account);
      if (snapshot === undefined || this.exactOnly.has(account)) {
        suspects.push(account);
        unknown++;
        continue;
      }
      const verdict = modelAccount(snapshot, this.markets, this.collaterals);
      if ("unknown" in verdict) {
        suspects.push(account);
        unknown++;
      } else if (!(verdict.ratio < threshold)) suspects.push(account);
    }
    return { suspects, unknown };
  }

  /** The model's ratio of one account (for tests and logs); undefined when it cannot evaluate it. */
  ratio(account: string): number | undefined {
    const snapshot = this.snapshots.get(account);
    if (snapshot === undefined) return undefined;
    const verdict = modelAccount(snapshot, this.markets, this.collaterals);
    return "ratio" in verdict ? verdict.ratio : undefined;
  }

  private async call(to: string, data: string, blockTag: number): Promise<string> {
    return this.rpc.call("eth_call", () => this.provider.call({ to, data, blockTag }));
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
      this.snapshots.set(account, {
        collateral: s.collateral.map((c) => ({ asset: getAddress(c.asset), amount: c.amount })),
        positions: s.positions.map((p) => ({ market: p.market, size: wad(p.size), entryPrice: wad(p.entryPrice) })),
        adjustments: wad(s.adjustments),
      });
    } catch (error) {
      // Left out of the cache: the account is evaluated on-chain.
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

  /** The price the module would use at a deleverage-level read (positive and fresh), undefined otherwise. */
  private async price(feed: string, maxAge: number, blockTag: number, now: number): Promise<number | undefined> {
    try {
      const round = aggregatorInterface.decodeFunctionResult(
        "latestRoundData",
        await this.call(feed, aggregatorInterface.encodeFunctionData("latestRoundData"), blockTag),
      );
      const answer = round[1] as bigint;
      const updatedAt = Number(round[3] as bigint);
      if (answer <= 0n || updatedAt > now || now - updatedAt > maxAge) return undefined;
      return Number(answer) / 10 ** (await this.decimalsOf(feed, blockTag, false));
    } catch {
      return undefined;
    }
  }

  private async sigma(feed: string, blockTag: number): Promise<number> {
    const data = await this.call(this.options.oracle, oracleInterface.encodeFunctionData("getVolatility", [feed]), blockTag);
    return wad(oracleInterface.decodeFunctionResult("getVolatility", data)[0] as bigint);
  }

  private async readMarket(id: bigint, blockTag: number, now: number): Promise<ModelMarket> {
    const [configData, depthData, oiData] = await Promise.all([
      this.call(this.options.module, moduleInterface.encodeFunctionData("marketConfig", [id]), blockTag),
      this.call(this.options.module, moduleInterface.encodeFunctionData("depthState", [id]), blockTag),
      this.call(this.options.engine, engineInterface.encodeFunctionData("openInterest", [id]), blockTag),
    ]);
    const [c] = moduleInterface.decodeFunctionResult("marketConfig", configData) as unknown as [Record<string, bigint> & { feed: string }];
    const [d] = moduleInterface.decodeFunctionResult("depthState", depthData) as unknown as [
      { down: bigint; up: bigint; twapPrice: bigint },
    ];
    const [oiLong, oiShort] = engineInterface.decodeFunctionResult("openInterest", oiData) as unknown as [bigint, bigint];
    const [price, sigma] = await Promise.all([this.price(c.feed, Number(c.maxPriceAge), blockTag, now), this.sigma(c.feed, blockTag)]);
    return {
      price,
      sigma,
      horizon: Number(c.horizon),
      z: wad(c.z!),
      m: wad(c.maintenanceMargin!),
      kappa: wad(c.kappa!),
      kappaOI: wad(c.kappaOI!),
      sigmaTarget: wad(c.sigmaTarget!),
      tauTrigger: wad(c.tauTrigger!),
      oiCapLong: wad(c.oiCapLong!),
      oiCapShort: wad(c.oiCapShort!),
      depthDown: wad(d.down),
      depthUp: wad(d.up),
      oiLong: wad(oiLong),
      oiShort: wad(oiShort),
      diverged: price !== undefined && d.twapPrice > 0n && Math.abs(price / wad(d.twapPrice) - 1) > wad(c.maxDeviation!) * (1 - 1e-9),
    };
  }

  private async readCollateral(asset: string, blockTag: number, now: number, tiers: Map<number, number>): Promise<ModelCollateral> {
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
    const [price, decimals] = await Promise.all([
      this.price(c.feed, Number(c.maxPriceAge), blockTag, now),
      this.decimalsOf(asset, blockTag, true),
    ]);
    let haircut = wad(c.baseHaircut);
    if (c.volZ !== 0n) haircut = ownVolHaircut(haircut, await this.sigma(c.feed, blockTag), Number(c.volHorizon), wad(c.volZ));
    return { price, decimals, haircut, leverage };
  }
}
