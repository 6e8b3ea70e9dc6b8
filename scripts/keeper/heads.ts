/**
 * New heads: polled with `eth_blockNumber` every `pollIntervalMs`, and, when the provider offers a
 * subscription (a WebSocket RPC), woken at once by `newHeads`. Polling keeps running under a subscription
 * as a safety net (a silently dead subscription only slows the keeper to the polling rate).
 */
import type { Provider } from "ethers";

import { AbortedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Rpc } from "./rpc.js";
import { sleep } from "./retry.js";

export class HeadSource {
  private wake: (() => void) | undefined;
  private subscribed = false;
  private readonly listener = () => this.wake?.();

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

  async close(): Promise<void> {
    if (this.subscribed) await this.provider.off("block", this.listener);
    this.subscribed = false;
  }

  /** Resolves with the head once it is above `after`; rejects with `AbortedError` when `signal` aborts. */
  async next(after: number, signal: AbortSignal): Promise<number> {
    for (;;) {
      if (signal.aborted) throw new AbortedError("stopped");
      const head = await this.rpc.call("eth_blockNumber", () => this.provider.getBlockNumber());
      if (head > after) return head;
      await this.waitForWake(signal);
    }
  }

  private async waitForWake(signal: AbortSignal): Promise<void> {
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    try {
      await Promise.race([sleep(this.pollIntervalMs, signal), woken]);
    } finally {
      this.wake = undefined;
    }
  }
}
