/**
 * Hedge mode (docs/KEEPER.md): for every account that approved the keeper as its hedger (`OptIns`) and every
 * hedge market, read the module's `greeksRisk` at the tick's block and, when the book's delta (perpetual
 * included) is outside its gamma band, trade the account's perpetual by `hedgeDelta` (`tradeFor` on the
 * engine) through the transaction manager: simulated first, sent with the keeper's nonces and fees,
 * replaced when stuck, confirmed.
 *
 * No double hedge: a hedge is not idempotent, so a pair (account, market) is never decided while its
 * hedge is in flight, and after a hedge confirms in block B it is decided again only from a read of a
 * block after B (which shows the new position). A failed hedge pauses the pair for the cooldown.
 */
import type { Provider } from "ethers";

import { engineInterface, moduleInterface } from "./abi.js";
import { mapLimit } from "./chunks.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { OptIns } from "./optIns.js";
import type { Rpc } from "./rpc.js";
import type { BlockContext, KeeperTask } from "./tasks.js";
import type { TxJob, TxManager, TxOutcome } from "./txManager.js";

/** `IRiskModule.GreeksRisk`, the figures hedge mode reads (WAD). */
export interface GreeksRisk {
  delta: bigint;
  gamma: bigint;
  vega: bigint;
  perpSize: bigint;
  spot: bigint;
  worstLoss: bigint;
  allowed: bigint;
  hedgeDelta: bigint;
  rebalanceBand: bigint;
}

export function decodeGreeksRisk(data: string): GreeksRisk {
  const [r] = moduleInterface.decodeFunctionResult("greeksRisk", data) as unknown as [
    {
      greeks: { delta: bigint; gamma: bigint; vega: bigint };
      perpSize: bigint;
      spot: bigint;
      worstLoss: bigint;
      allowed: bigint;
      hedgeDelta: bigint;
      rebalanceBand: bigint;
    },
  ];
  return {
    delta: r.greeks.delta,
    gamma: r.greeks.gamma,
    vega: r.greeks.vega,
    perpSize: r.perpSize,
    spot: r.spot,
    worstLoss: r.worstLoss,
    allowed: r.allowed,
    hedgeDelta: r.hedgeDelta,
    rebalanceBand: r.rebalanceBand,
  };
}

export type HedgeDecision = { action: "hold"; reason: "inside-band" | "below-min-trade" } | { action: "trade"; sizeDelta: bigint };

/** Trade `hedgeDelta` when `|delta|` exceeds the band and the trade is at least `minTrade` (WAD units). */
export function hedgeDecision(risk: Pick<GreeksRisk, "delta" | "hedgeDelta" | "rebalanceBand">, minTrade: bigint): HedgeDecision {
  const abs = (v: bigint) => (v < 0n ? -v : v);
  if (abs(risk.delta) <= risk.rebalanceBand) return { action: "hold", reason: "inside-band" };
  if (abs(risk.hedgeDelta) < minTrade || risk.hedgeDelta === 0n) return { action: "hold", reason: "below-min-trade" };
  return { action: "trade", sizeDelta: risk.hedgeDelta };
}

export const hedgeKey = (account: string, market: bigint) => `hedge:${account}:${market}`;

/** The hedge job: `tradeFor(account, market, sizeDelta)` on the engine, with the reverts mapped. */
export function hedgeJob(engine: string, account: string, market: bigint, sizeDelta: bigint, risk: GreeksRisk): TxJob {
  return {
    key: hedgeKey(account, market),
    kind: "hedge",
    to: engine,
    data: engineInterface.encodeFunctionData("tradeFor", [account, market, sizeDelta]),
    errors: moduleInterface,
    onRevert: (revert) => {
      switch (revert?.name) {
        case "NotHedger":
          return "drop";
        case "PriceInvalid":
        case "PriceUnavailable":
        case "SequencerDown":
        case "SequencerGracePeriod":
        case "PriceDivergence":
        case "DepthStale":
        case "VolatilityStale":
          return "skip";
        default:
          return "fail";
      }
    },
    context: {
      job: "hedge",
      account,
      market,
      sizeDelta,
      delta: risk.delta,
      band: risk.rebalanceBand,
      worstLoss: risk.worstLoss,
      allowed: risk.allowed,
    },
  };
}

export interface HedgerOptions {
  module: string;
  engine: string;
  markets: readonly bigint[];
  minTrade: bigint;
  concurrency: number;
  cooldownMs: number;
  inShard: (account: string) => boolean;
}

/** A hedge submitted at a tick, and its outcome when it settles. */
export interface HedgeSubmission {
  account: string;
  market: bigint;
  sizeDelta: bigint;
  outcome: Promise<TxOutcome>;
}

/** A hedge this task decided at a block. */
export interface HedgeTrade {
  account: string;
  market: bigint;
  sizeDelta: bigint;
}

export class Hedger implements KeeperTask {
  readonly name = "hedge";
  /** The hedges decided at the last block run. */
  lastHedges: HedgeTrade[] = [];
  /** Called with each hedge's outcome (the keeper's `hedgeOutcome` event). */
  onHedgeOutcome: (hedge: HedgeTrade, outcome: TxOutcome) => void = () => undefined;
  /** Block of each pair's last confirmed hedge. */
  private readonly confirmedAt = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly optIns: OptIns,
    private readonly tx: TxManager,
    private readonly options: HedgerOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {}

  learnMarkets(): void {
    /* hedge mode works on its configured markets */
  }

  /** Adds the hedges due at the block to its batch. */
  async run(block: BlockContext): Promise<void> {
    const due = await this.due(block.number);
    this.lastHedges = due.map(({ hedge }) => hedge);
    for (const { hedge, key, job } of due) {
      block.batch.push({
        job,
        onOutcome: (outcome) => {
          this.onOutcome(key, outcome);
          this.onHedgeOutcome(hedge, outcome);
        },
      });
    }
  }

  /** Reads every opted-in pair at `blockTag`, decides, and submits the hedges due on their own. */
  async tick(blockTag: number): Promise<HedgeSubmission[]> {
    const due = await this.due(blockTag);
    return this.tx
      .submitAll(
        due.map((d) => d.job),
        this.options.concurrency,
      )
      .map((outcome, i) => {
        const d = due[i]!;
        const settled = outcome.then((o) => {
          this.onOutcome(d.key, o);
          return o;
        });
        return { ...d.hedge, outcome: settled };
      });
  }

  /** Reads every opted-in pair at `blockTag` and decides: the hedge jobs due. */
  private async due(blockTag: number): Promise<{ hedge: HedgeTrade; key: string; job: TxJob }[]> {
    await this.optIns.syncTo(blockTag);
    const accounts = this.optIns.accounts().filter(this.options.inShard);
    this.metrics.hedgeAccounts.set(accounts.length);
    const now = Date.now();
    const pairs = accounts
      .flatMap((account) => this.options.markets.map((market) => ({ account, market, key: hedgeKey(account, market) })))
      .filter(
        (p) => !this.tx.isInFlight(p.key) && (this.pausedUntil.get(p.key) ?? 0) <= now && (this.confirmedAt.get(p.key) ?? -1) < blockTag,
      );
    const reads = await mapLimit(pairs, this.options.concurrency, async (p) => {
      try {
        const data = await this.rpc.call("eth_call", () =>
          this.provider.call({
            to: this.options.module,
            data: moduleInterface.encodeFunctionData("greeksRisk", [p.account, p.market]),
            blockTag,
          }),
        );
        return { ...p, risk: decodeGreeksRisk(data) };
      } catch (error) {
        // One account's book that cannot be read (no Greeks sizing, an oracle fault) never stops the others.
        this.logger.warn({ account: p.account, market: p.market, error: describeError(error) }, "greeksRisk failed; not hedged this block");
        return undefined;
      }
    });
    const due = reads.flatMap((r) => {
      if (r === undefined) return [];
      const decision = hedgeDecision(r.risk, this.options.minTrade);
      return decision.action === "trade" ? [{ ...r, sizeDelta: decision.sizeDelta }] : [];
    });
    if (due.length === 0) return [];
    this.logger.info(
      {
        block: blockTag,
        hedges: due.map((d) => ({
          account: d.account,
          market: d.market,
          delta: d.risk.delta,
          band: d.risk.rebalanceBand,
          sizeDelta: d.sizeDelta,
        })),
      },
      "books outside their gamma band",
    );
    return due.map((d) => ({
      hedge: { account: d.account, market: d.market, sizeDelta: d.sizeDelta },
      key: d.key,
      job: hedgeJob(this.options.engine, d.account, d.market, d.sizeDelta, d.risk),
    }));
  }

  private onOutcome(key: string, outcome: TxOutcome): void {
    switch (outcome.status) {
      case "mined":
      case "confirmed":
        this.confirmedAt.set(key, outcome.receipt.blockNumber);
        this.metrics.hedgesConfirmed.inc();
        this.logger.info({ key, hash: outcome.hash, block: outcome.receipt.blockNumber }, "hedge confirmed");
        break;
      case "reverted":
      case "failed":
      case "cancelled":
        this.pausedUntil.set(key, Date.now() + this.options.cooldownMs);
        this.metrics.hedgesFailed.inc({ reason: outcome.status === "failed" ? outcome.reason : outcome.status });
        this.logger.warn({ key, outcome: outcome.status, ...("reason" in outcome ? { reason: outcome.reason } : {}) }, "hedge not done");
        break;
      default:
        break;
    }
  }
}
