/**
 * New heads: polled with `eth_blockNumber` every `pollIntervalMs`, and, when a WebSocket endpoint offers a
 * subscription, woken at once by `newHeads` (made again by the transport after each reconnection). Polling
 * keeps running under a subscription as a safety net (a silently dead subscription only slows the keeper
 * to the polling rate). `lastPollAt` tells the health check when the head was last read successfully.
 */
import type { Provider } from "ethers";

import { AbortedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Rpc } from "./rpc.js";
import { sleep } from "./retry.js";

/** Subscribes `onHead` to new heads (e.g. `WsTransport.subscribe(["newHeads"], ...)`). */
export type HeadSubscription = (onHead: () => void) => Promise<void>;

export class HeadSource {
  private wake: (() => void) | undefined;
  private subscribed = false;
  private readonly listener = () => this.wake?.();
  /** When the head was last read (ms since epoch); 0 before the first read. */
  lastPollAt = 0;
  /** The last head read. */
  lastHead = -1;

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly pollIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to new heads (call only for providers with subscriptions, e.g. `WebSocketProvider`). */
  async subscribe(): Promise<void> {
    await this.provider.on("block", this.listener);
    this.subscribed = true;
    this.logger.info("subscribed to new heads");
  }

  /** Subscribes through transports (WebSocket endpoints); they renew the subscription after reconnecting. */
  async subscribeVia(subscriptions: readonly HeadSubscription[]): Promise<void> {
    for (const subscribe of subscriptions) await subscribe(this.listener);
    if (subscriptions.length > 0) this.logger.info({ endpoints: subscriptions.length }, "subscribed to new heads");
  }

  async close(): Promise<void> {
    if (this.subscribed) await this.provider.off("block", this.listener);
    this.subscribed = false;
  }

  /** Resolves with the head once it is above `after`; rejects with `AbortedError` when `signal` aborts. */
  async next(after: number, signal: AbortSignal): Promise<number> {
    for (;;) {
      if (signal.aborted) throw new AbortedError("stopped");
      const head = await this.rpc.call("eth_blockNumber", () => this.provider.getBlockNumber());
      this.lastPollAt = Date.now();
      this.lastHead = head;
      if (head > after) return head;
      await this.waitForWake(signal);
    }
  }

  /**
   * After a failed tick at `failedHead`: returns at once when the chain has already moved past it (blocks
   * came while the tick was failing, e.g. while the node restarted), else waits for the next head's
   * notification (under a subscription) or the poll interval, whichever comes first. Never rejects; returns
   * when `signal` aborts. The failed tick is so retried on the next head, as the keeper's log says, not a whole
   * poll interval later (a minute, with a WebSocket endpoint), and never in a tight loop on the same head.
   */
  async afterFailure(failedHead: number, signal: AbortSignal): Promise<void> {
    try {
      const head = await this.rpc.call("eth_blockNumber", () => this.provider.getBlockNumber(), 1);
      if (head > failedHead) return;
    } catch {
      /* the node is not answering: wait as below */
    }
    await this.waitForWake(signal).catch(() => undefined);
  }

  private async waitForWake(signal: AbortSignal): Promise<void> {
    // The poll timer is cancelled when a new head wakes the wait first, so that a long poll interval under a
    // subscription leaves no timer behind (it kept a stopped keeper's process, or a test run, alive).
    const poll = new AbortController();
    const forward = () => poll.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener("abort", forward, { once: true });
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    const timer = sleep(this.pollIntervalMs, poll.signal);
    try {
      await Promise.race([timer, woken]);
    } finally {
      this.wake = undefined;
      signal.removeEventListener("abort", forward);
      timer.catch(() => undefined);
      poll.abort();
    }
  }
}
