/**
 * The deleverage task: each block, the status of every account of the keeper's shard (`full`), or of the
 * prefilter's suspects and a sweep slice (`prefilter`), through the lens, or through the deployless
 * `StatusPreview` when a poke is in the block's batch (the statuses the next block will show); the
 * over-cap accounts ranked most over cap first; one deleverage job per account not in flight, not cooling
 * down and not in a market whose window is exhausted. Each job is simulated through `DeleveragePreview`
 * (the poke applied first when one is pending), follows the block's pokes (`after`), and passes the
 * profitability gate. Accounts that cannot be evaluated are counted and reported.
 */
import { getAddress, type Provider, type TransactionReceipt } from "ethers";

import { DELEVERAGED_TOPIC, moduleInterface, Status } from "./abi.js";
import { profitGate, type NativePrice } from "./economics.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Prefilter } from "./prefilter.js";
import { decodeDeleveragePreview, deleveragePreviewData, previewInterface } from "./preview.js";
import { rankOverCap } from "./ranking.js";
import type { Rpc } from "./rpc.js";
import type { Scanner } from "./scanner.js";
import { inShard } from "./shard.js";
import type { BlockContext, KeeperTask } from "./tasks.js";
import type { TxJob, TxManager, TxOutcome } from "./txManager.js";
import type { AccountStatus, Candidate } from "./types.js";
import { Interface } from "ethers";

/** The figures of a confirmed deleverage (from the `Deleveraged` event). */
export interface DeleverageResult {
  account: string;
  market: bigint;
  keeper: string;
  sizeBefore: bigint;
  sizeAfter: bigint;
  /** The price the breach was evaluated at (Chainlink, or the pool TWAP when it showed the larger breach). */
  price: bigint;
  notional: bigint;
  cap: bigint;
  binding: number;
  keeperFee: bigint;
}

export interface DeleveragerOptions {
  module: string;
  oracle: string;
  shardIndex: number;
  shardCount: number;
  sweepPerBlock: number;
  readConcurrency: number;
  cooldownSeconds: number;
  unprofitable: "skip" | "send";
}

/** The module's errors and the previews' results: what a deleverage simulation can revert with. */
const deleverageErrors = new Interface([...moduleInterface.fragments, ...previewInterface.fragments]);

export class Deleverager implements KeeperTask {
  readonly name = "deleverage";
  /** Accounts of this keeper's shard, in discovery order. */
  readonly owned: string[] = [];
  /** Accounts (after a failure) and positions (after a deleverage) paused until a time. */
  private readonly cooldown = new Map<string, number>();
  /** Markets whose deleverage window is exhausted. */
  private readonly windowWait = new Set<bigint>();
  private sweepCursor = 0;
  /** What the last block found: over-cap accounts, and those submitted. */
  last: { overCap: Candidate[]; submitted: Candidate[]; unevaluable: number } = { overCap: [], submitted: [], unevaluable: 0 };
  /** Called with each deleverage's outcome (the keeper's `outcome` event). */
  onResult: (candidate: Candidate, outcome: TxOutcome, result: DeleverageResult | undefined) => void = () => undefined;

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly tx: TxManager,
    private readonly scanner: Scanner,
    private readonly prefilter: Prefilter | undefined,
    private readonly nativePrice: NativePrice,
    private readonly options: DeleveragerOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {}

  learnMarkets(): void {
    /* every market an account holds is evaluated by the module */
  }

  /** Adds newly discovered accounts (those of this shard are owned). */
  addAccounts(accounts: readonly string[]): void {
    for (const a of accounts) if (inShard(a, this.options.shardIndex, this.options.shardCount)) this.owned.push(a);
  }

  async run(block: BlockContext): Promise<void> {
    const timer = this.metrics.scanSeconds.startTimer();
    const statuses = await this.scan(block);
    timer();
    const overCap = rankOverCap(statuses);
    this.metrics.accountsOverCap.set(overCap.length);
    this.reportUnevaluable(statuses, block.number);
    const now = Date.now();
    const blocked = this.windowWait.size > 0 ? await this.windowBlocked(block.number) : new Set<bigint>();
    const submitted = overCap.filter((c) => !this.tx.isInFlight(jobKey(c)) && !this.coolingDown(c, now) && !blocked.has(c.market));
    if (overCap.length > 0) {
      this.logger.info(
        {
          block: block.number,
          overCap: overCap.length,
          submitting: submitted.length,
          afterPoke: block.pendingFeeds.length > 0 || undefined,
          top: overCap.slice(0, 5).map((c) => ({ account: c.account, market: c.market, ratio: c.ratio })),
        },
        "over-cap accounts",
      );
    }
    const usdPerNative = this.options.unprofitable === "skip" ? await this.nativePrice.read(block.number) : undefined;
    for (const candidate of submitted) {
      block.batch.push({
        job: this.job(candidate, block, usdPerNative),
        onOutcome: (outcome) => this.onOutcome(candidate, outcome),
      });
    }
    this.last = { overCap, submitted, unevaluable: this.last.unevaluable };
  }

  /** Statuses of the accounts to evaluate this block: every owned one, or the prefilter's suspects and the sweep. */
  private async scan(block: BlockContext): Promise<AccountStatus[]> {
    const feeds = block.pendingFeeds;
    if (this.prefilter === undefined) {
      this.metrics.accountsScanned.set(this.owned.length);
      return this.scanner.scan(this.owned, block.number, feeds);
    }
    const prefilter = this.prefilter;
    if (block.sync.reorged) prefilter.invalidateAll();
    else prefilter.invalidate(block.sync.touched);
    await prefilter.refresh(this.owned, block.number);
    const { suspects } = prefilter.suspects(this.owned);
    const flagged = new Set(suspects);
    const sweep = this.nextSweep(this.options.sweepPerBlock).filter((a) => !flagged.has(a));
    this.metrics.prefilterSuspects.set(suspects.length);
    this.metrics.accountsScanned.set(suspects.length + sweep.length);
    const statuses = await this.scanner.scan([...suspects, ...sweep], block.number, feeds);
    for (const s of statuses) {
      if (flagged.has(s.account) || !s.ok || s.status !== Status.OverCap) continue;
      // With a pending poke the model still reads the old volatility: a breach it did not flag is expected.
      if (feeds.length > 0) continue;
      this.metrics.prefilterMisses.inc();
      prefilter.markMissed(s.account);
      this.logger.error(
        { account: s.account, modelRatio: prefilter.ratio(s.account), ratio: s.ratio },
        "prefilter missed an over-cap account (found by the sweep); it is evaluated on-chain every block from now on",
      );
    }
    return statuses;
  }

  /** The next `count` owned accounts, round robin. */
  private nextSweep(count: number): string[] {
    if (this.owned.length === 0 || count === 0) return [];
    const out: string[] = [];
    for (let i = 0; i < Math.min(count, this.owned.length); i++) out.push(this.owned[(this.sweepCursor + i) % this.owned.length]!);
    this.sweepCursor = (this.sweepCursor + out.length) % this.owned.length;
    return out;
  }

  /** Counts accounts that cannot be evaluated (oracle invalid, evaluation reverted) and warns when the count changes. */
  private reportUnevaluable(statuses: readonly AccountStatus[], block: number): void {
    const bad = statuses.filter((s) => !s.ok || s.status === Status.OracleInvalid);
    this.metrics.accountsUnevaluable.set(bad.length);
    if (bad.length !== this.last.unevaluable) {
      if (bad.length > 0) {
        this.logger.warn(
          {
            block,
            unevaluable: bad.length,
            scanned: statuses.length,
            examples: bad
              .slice(0, 5)
              .map((s) => ({ account: s.account, status: s.ok ? "OracleInvalid" : "reverted", reason: s.ok ? undefined : s.reason })),
          },
          "accounts cannot be evaluated (a price is invalid or stale, or the evaluation reverts): they cannot be deleveraged until it clears",
        );
      } else {
        this.logger.info({ block }, "every scanned account can be evaluated again");
      }
    }
    this.last.unevaluable = bad.length;
  }

  private coolingDown(c: Candidate, now: number): boolean {
    return (this.cooldown.get(c.account) ?? 0) > now || (this.cooldown.get(`${c.account}:${c.market}`) ?? 0) > now;
  }

  /** Markets whose window is exhausted and still has no room. */
  private async windowBlocked(blockTag: number): Promise<Set<bigint>> {
    const blocked = new Set<bigint>();
    for (const market of this.windowWait) {
      try {
        const data = await this.rpc.call("eth_call", () =>
          this.provider.call({
            to: this.options.module,
            data: moduleInterface.encodeFunctionData("deleverageCapacity", [market]),
            blockTag,
          }),
        );
        const [remaining] = moduleInterface.decodeFunctionResult("deleverageCapacity", data) as unknown as [bigint, bigint];
        if (remaining === 0n) blocked.add(market);
        else this.windowWait.delete(market);
      } catch {
        blocked.add(market);
      }
    }
    return blocked;
  }

  /** The deleverage job of a candidate: previewed (after the block's pending pokes), behind them, gated on profit. */
  private job(c: Candidate, block: BlockContext, usdPerNative: bigint | undefined): TxJob {
    const feeds = [...block.pendingFeeds];
    return {
      key: jobKey(c),
      kind: "deleverage",
      to: this.options.module,
      data: moduleInterface.encodeFunctionData("deleverage", [c.account, c.market]),
      errors: deleverageErrors,
      preview: {
        data: deleveragePreviewData(this.options.oracle, feeds, this.options.module, c.account, c.market),
        decode: decodeDeleveragePreview,
      },
      after: [...block.prerequisites],
      evaluatedAt: block.number,
      gate: profitGate(this.options.unprofitable, usdPerNative),
      onRevert: (revert) => {
        switch (revert?.name) {
          case "NothingToDeleverage":
          case "AlreadyDeleveraged":
            return "drop";
          case "DeleverageWindowExhausted":
            return "wait";
          case "PriceInvalid":
          case "MarketUnpriced":
          case "SequencerDown":
          case "SequencerGracePeriod":
            return "skip";
          default:
            return "fail";
        }
      },
      context: { job: "deleverage", account: c.account, market: c.market, ratio: c.ratio, notional: c.notional, cap: c.cap },
    };
  }

  private onOutcome(candidate: Candidate, outcome: TxOutcome): void {
    const key = `${candidate.account}:${candidate.market}`;
    const context = { account: candidate.account, market: candidate.market };
    const pause = (k: string) => this.cooldown.set(k, Date.now() + this.options.cooldownSeconds * 1000);
    let result: DeleverageResult | undefined;
    switch (outcome.status) {
      case "confirmed":
      case "mined":
        result = deleveragedEvent(outcome.receipt, this.options.module, candidate.account, candidate.market);
        if (outcome.status === "confirmed") this.metrics.deleveragesConfirmed.inc();
        pause(key);
        this.logger.info(
          {
            ...context,
            hash: outcome.hash,
            block: outcome.receipt.blockNumber,
            gasUsed: outcome.receipt.gasUsed,
            ...(outcome.status === "confirmed" ? { replacements: outcome.replacements } : { confirmations: outcome.confirmations }),
            ...(result === undefined
              ? {}
              : {
                  sizeBefore: result.sizeBefore,
                  sizeAfter: result.sizeAfter,
                  price: result.price,
                  notional: result.notional,
                  cap: result.cap,
                  binding: result.binding,
                  keeperFee: result.keeperFee,
                }),
          },
          outcome.status === "confirmed" ? "deleverage confirmed" : "deleverage mined (not yet final)",
        );
        break;
      case "reverted":
        this.metrics.deleveragesFailed.inc({ reason: "reverted" });
        pause(candidate.account);
        this.logger.warn(
          { ...context, hash: outcome.hash, block: outcome.receipt.blockNumber },
          "deleverage reverted on-chain (state changed after simulation)",
        );
        break;
      case "failed":
        this.metrics.deleveragesFailed.inc({ reason: outcome.reason });
        pause(candidate.account);
        break;
      case "cancelled":
        this.metrics.deleveragesFailed.inc({ reason: "cancelled" });
        break;
      case "waiting":
        this.windowWait.add(candidate.market);
        break;
      case "unprofitable":
        this.metrics.deleveragesUnprofitable.inc();
        pause(key);
        this.logger.info({ ...context, fee: outcome.fee, gasCost: outcome.cost }, "deleverage skipped: keeper fee below gas cost");
        break;
      default:
        break;
    }
    this.onResult(candidate, outcome, result);
  }
}

export const jobKey = (c: Pick<Candidate, "account" | "market">) => `deleverage:${c.account}:${c.market}`;

/** The `Deleveraged` event of `account`/`market` in a receipt. */
export function deleveragedEvent(
  receipt: TransactionReceipt,
  module: string,
  account: string,
  market: bigint,
): DeleverageResult | undefined {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== module.toLowerCase() || log.topics[0] !== DELEVERAGED_TOPIC) continue;
    const parsed = moduleInterface.parseLog(log);
    if (parsed === null) continue;
    const result: DeleverageResult = {
      account: getAddress(parsed.args.account as string),
      market: parsed.args.market as bigint,
      keeper: getAddress(parsed.args.keeper as string),
      sizeBefore: parsed.args.sizeBefore as bigint,
      sizeAfter: parsed.args.sizeAfter as bigint,
      price: parsed.args.price as bigint,
      notional: parsed.args.notional as bigint,
      cap: parsed.args.cap as bigint,
      binding: Number(parsed.args.binding),
      keeperFee: parsed.args.keeperFee as bigint,
    };
    if (result.account === getAddress(account) && result.market === market) return result;
  }
  return undefined;
}
