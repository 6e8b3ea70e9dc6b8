/**
 * Depth upkeep (`--refresh-depth`): the module's per-market depth state fails increases once it is older
 * than the market's `depthMaxAge`, and with it every increase, including the hedges of hedge mode. With
 * this option on, the keeper refreshes (`refreshDepth(market)`, permissionless) every market it has seen in
 * the engine's logs whose depth state is older than `depthRefreshFraction` of its `depthMaxAge`, through
 * the transaction manager (simulated first; one in flight per market). A refresh that fails (the pool
 * cannot serve its TWAP window, the tick walk is truncated) pauses that market for `pauseMs`.
 */
import type { Provider } from "ethers";

import { moduleInterface } from "./abi.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Rpc } from "./rpc.js";
import type { BlockContext, KeeperTask } from "./tasks.js";
import type { TxJob, TxManager, TxOutcome } from "./txManager.js";

/** Whether a depth state refreshed at `updatedAt` (0: never) is due at `now` (seconds). */
export function refreshDue(updatedAt: number, now: number, maxAge: number, fraction: number): boolean {
  return updatedAt === 0 || now - updatedAt >= maxAge * fraction;
}

export interface DepthRefresherOptions {
  module: string;
  /** Refresh at this fraction of `depthMaxAge`, in (0, 1]. */
  fraction: number;
  pauseMs: number;
}

export class DepthRefresher implements KeeperTask {
  readonly name = "refreshDepth";
  private readonly markets = new Set<bigint>();
  private readonly pausedUntil = new Map<bigint, number>();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly tx: TxManager,
    private readonly options: DepthRefresherOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {}

  learnMarkets(markets: Iterable<bigint>): void {
    for (const market of markets) this.markets.add(market);
  }

  /** Adds the refreshes due at the block to its batch. */
  async run(block: BlockContext): Promise<void> {
    for (const { market, job } of await this.due(block.number)) {
      block.batch.push({ job, onOutcome: (outcome) => this.record(market, outcome) });
    }
  }

  /** Submits the refreshes due at `blockTag` on their own; returns the markets submitted. */
  async tick(blockTag: number): Promise<bigint[]> {
    const due = await this.due(blockTag);
    this.tx
      .submitAll(
        due.map((d) => d.job),
        due.length,
      )
      .forEach((o, i) => void o.then((outcome) => this.record(due[i]!.market, outcome)));
    return due.map((d) => d.market);
  }

  /** The refresh jobs due at `blockTag`. */
  private async due(blockTag: number): Promise<{ market: bigint; job: TxJob }[]> {
    if (this.markets.size === 0) return [];
    const block = await this.rpc.call("eth_getBlockByNumber", () => this.provider.getBlock(blockTag));
    if (block === null) return [];
    const now = Date.now();
    const due: bigint[] = [];
    for (const market of this.markets) {
      const key = `refresh:${market}`;
      if (this.tx.isInFlight(key) || (this.pausedUntil.get(market) ?? 0) > now) continue;
      const [state, config] = await Promise.all([this.read("depthState", market, blockTag), this.read("marketConfig", market, blockTag)]);
      const updatedAt = Number((state as { updatedAt: bigint }).updatedAt);
      const maxAge = Number((config as { depthMaxAge: bigint }).depthMaxAge);
      if (refreshDue(updatedAt, block.timestamp, maxAge, this.options.fraction)) due.push(market);
    }
    return due.map((market) => ({
      market,
      job: {
        key: `refresh:${market}`,
        kind: "refresh",
        to: this.options.module,
        data: moduleInterface.encodeFunctionData("refreshDepth", [market]),
        errors: moduleInterface,
        onRevert: () => "fail",
        confirmations: 1,
        context: { job: "refreshDepth", market },
      },
    }));
  }

  private async read(fn: "depthState" | "marketConfig", market: bigint, blockTag: number): Promise<unknown> {
    const data = await this.rpc.call("eth_call", () =>
      this.provider.call({ to: this.options.module, data: moduleInterface.encodeFunctionData(fn, [market]), blockTag }),
    );
    return moduleInterface.decodeFunctionResult(fn, data)[0];
  }

  private record(market: bigint, outcome: TxOutcome): void {
    this.metrics.depthRefreshes.inc({ result: outcome.status });
    if (outcome.status === "confirmed") this.logger.info({ market, hash: outcome.hash }, "depth state refreshed");
    else if (outcome.status === "failed" || outcome.status === "reverted") {
      this.pausedUntil.set(market, Date.now() + this.options.pauseMs);
      this.logger.warn(
        { market, outcome: outcome.status, reason: "reason" in outcome ? outcome.reason : undefined },
        "depth refresh failed; pausing this market",
      );
    }
  }
}
