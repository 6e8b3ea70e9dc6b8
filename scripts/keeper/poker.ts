/**
 * Oracle poking: before caps are evaluated, every watched feed whose latest Chainlink round is newer than
 * the volatility oracle's cursor (`latestRoundData().roundId > feedState(feed).cursor`; proxy round ids
 * order by phase, then round) is poked, through the same transaction machinery as deleverages (simulated
 * first, dry-run respected, one poke per feed in flight). The watched feeds are the configured ones, or the
 * feed of every market seen in `PositionChanged` (`module.marketConfig(market).feed`).
 */
import { getAddress, type Provider } from "ethers";

import { aggregatorInterface, moduleInterface, oracleInterface } from "./abi.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Rpc } from "./rpc.js";
import type { TxJob, TxManager, TxOutcome } from "./txManager.js";

export interface PokerOptions {
  module: string;
  oracle: string;
  /** Fixed list of feeds; undefined: the market feeds. */
  feeds: readonly string[] | undefined;
  /** How long a tick waits for its pokes to be mined before evaluating caps anyway. */
  waitMs: number;
  /** Pause after a feed's poke failed, milliseconds. */
  failurePauseMs: number;
}

export class OraclePoker {
  private readonly marketFeeds = new Map<bigint, string>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly options: PokerOptions,
    private readonly tx: TxManager,
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

  /** Pokes every stale feed and waits (up to `waitMs`) for the pokes. Returns whether any was mined. */
  async pokeIfNeeded(blockTag: number | "latest"): Promise<boolean> {
    const stale = await this.staleFeeds(blockTag);
    if (stale.length === 0) return false;
    const jobs: TxJob[] = stale.map(({ feed, roundId, cursor }) => ({
      key: `poke:${feed}`,
      kind: "poke",
      to: this.options.oracle,
      data: oracleInterface.encodeFunctionData("poke", [feed]),
      errors: oracleInterface,
      onRevert: () => "fail",
      confirmations: 1,
      context: { job: "poke", feed, roundId, cursor },
    }));
    const outcomes = this.tx.submitAll(jobs, jobs.length);
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.all(outcomes),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.options.waitMs))),
    ]);
    clearTimeout(timer);
    outcomes.forEach((o, i) => void o.then((outcome) => this.record(stale[i]!.feed, outcome)));
    return settled !== undefined && settled.some((o) => o.status === "confirmed");
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
