/**
 * Oracle poking, the first task of each block: every watched feed whose latest Chainlink round is newer
 * than the volatility oracle's cursor (`latestRoundData().roundId > feedState(feed).cursor`; proxy round ids
 * order by phase, then round) gets a poke, through the same transaction machinery as deleverages
 * (simulated first, dry-run respected, one pending poke per feed: see `run`). The poke is not waited for: its feed
 * is listed in the block's `pendingFeeds`, the deleverage task evaluates and simulates through the
 * deployless previews as if it were mined, and the deleverages go out right behind it at the next nonces
 * (`after`), so that one block mines the poke and the deleverages (docs/KEEPER.md, "Reaction").
 *
 * The watched feeds are the configured ones, or the feed of every market the keeper knows
 * (`module.marketConfig(market).feed`): seen in `PositionChanged`, or kept in the checkpoint.
 */
import { getAddress, type Provider } from "ethers";

import { aggregatorInterface, moduleInterface, oracleInterface } from "./abi.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Rpc } from "./rpc.js";
import type { BlockContext, KeeperTask } from "./tasks.js";
import type { TxJob, TxManager, TxOutcome } from "./txManager.js";

export interface PokerOptions {
  module: string;
  oracle: string;
  /** Fixed list of feeds; undefined: the market feeds. */
  feeds: readonly string[] | undefined;
  /** Pause after a feed's poke failed, milliseconds. */
  failurePauseMs: number;
}

export class OraclePoker implements KeeperTask {
  readonly name = "poke";
  private readonly marketFeeds = new Map<bigint, string>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly tx: TxManager,
    private readonly options: PokerOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {}

  /** Reads the feed of each market not seen yet. */
  async learnMarkets(markets: Iterable<bigint>): Promise<void> {
    if (this.options.feeds !== undefined) return;
    for (const market of markets) {
      if (this.marketFeeds.has(market)) continue;
      const data = await this.rpc.call("eth_call", () =>
        this.provider.call({ to: this.options.module, data: moduleInterface.encodeFunctionData("marketConfig", [market]) }),
      );
      const [config] = moduleInterface.decodeFunctionResult("marketConfig", data) as unknown as [{ feed: string }];
      this.marketFeeds.set(market, getAddress(config.feed));
      this.logger.info({ market, feed: config.feed }, "watching market feed");
    }
  }

  feeds(): string[] {
    return this.options.feeds !== undefined ? [...this.options.feeds] : [...new Set(this.marketFeeds.values())];
  }

  /** Feeds with a round the oracle has not read yet, at `blockTag`. */
  async staleFeeds(blockTag: number | "latest"): Promise<{ feed: string; roundId: bigint; cursor: bigint }[]> {
    const now = Date.now();
    const stale: { feed: string; roundId: bigint; cursor: bigint }[] = [];
    for (const feed of this.feeds()) {
      if ((this.pausedUntil.get(feed) ?? 0) > now) continue;
      try {
        const [round, state] = await Promise.all([
          this.rpc.call("eth_call", () =>
            this.provider.call({ to: feed, data: aggregatorInterface.encodeFunctionData("latestRoundData"), blockTag }),
          ),
          this.rpc.call("eth_call", () =>
            this.provider.call({ to: this.options.oracle, data: oracleInterface.encodeFunctionData("feedState", [feed]), blockTag }),
          ),
        ]);
        const roundId = aggregatorInterface.decodeFunctionResult("latestRoundData", round)[0] as bigint;
        const cursor = (oracleInterface.decodeFunctionResult("feedState", state)[0] as { cursor: bigint }).cursor;
        if (roundId > cursor) stale.push({ feed, roundId, cursor });
      } catch (error) {
        this.logger.warn({ feed, error: describeError(error) }, "cannot read the feed's round or the oracle's cursor; not poking it now");
      }
    }
    return stale;
  }

  /**
   * Adds a poke of every stale feed to the block's batch, and lists those feeds as pending. One poke per feed is
   * in flight: while it is pending it folds these rounds too when mined (the deleverages go behind it), so the
   * new one is skipped as in flight. But a poke already mined at or before this block, its confirmations not yet
   * counted, folded only older rounds: these get a poke of their own (keyed by round), at once, rather than wait
   * for the old one's confirmations.
   */
  async run(block: BlockContext): Promise<void> {
    const stale = await this.staleFeeds(block.number);
    for (const { feed, roundId, cursor } of stale) {
      const feedKey = `poke:${feed}`;
      const key = (await this.tx.minedBy(feedKey, block.number)) ? `${feedKey}:${roundId}` : feedKey;
      const job: TxJob = {
        key,
        kind: "poke",
        to: this.options.oracle,
        data: oracleInterface.encodeFunctionData("poke", [feed]),
        errors: oracleInterface,
        onRevert: () => "fail",
        confirmations: 1,
        context: { job: "poke", feed, roundId, cursor },
      };
      block.pendingFeeds.push(feed);
      block.prerequisites.push(job.key);
      block.batch.push({ job, onOutcome: (outcome) => this.record(feed, outcome) });
    }
  }

  private record(feed: string, outcome: TxOutcome): void {
    this.metrics.pokes.inc({ result: outcome.status });
    if (outcome.status === "confirmed") this.logger.info({ feed, hash: outcome.hash }, "volatility oracle poked");
    else if (outcome.status === "failed" || outcome.status === "reverted") {
      this.pausedUntil.set(feed, Date.now() + this.options.failurePauseMs);
      this.logger.warn(
        { feed, outcome: outcome.status, reason: "reason" in outcome ? outcome.reason : undefined },
        "poke failed; pausing this feed",
      );
    }
  }
}
