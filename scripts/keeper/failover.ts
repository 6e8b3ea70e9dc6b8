/**
 * RPC failover: one ethers provider over several endpoints (`--rpc a,b,c`), in order of preference.
 *
 * Each request goes to the most preferred endpoint that is up. An endpoint that cannot answer (refused,
 * timed out, HTTP error, socket closed; not a JSON-RPC error, which is an answer) is marked down for a
 * backoff (doubling from `downMs`, up to `maxDownMs`) and the same request goes on to the next endpoint;
 * when every endpoint is down, all are tried in order anyway. A preferred endpoint whose backoff ran out
 * is tried again first: the keeper returns to it once it answers.
 *
 * Requests are sticky: the keeper keeps using one endpoint until it fails, so that a block's reads come
 * from one node. A change of endpoint is reported (`onSwitch`) so that the caller can re-read recent blocks
 * (two nodes can disagree near the head).
 *
 * Re-sending a request to another endpoint is safe for every method the keeper uses: reads are
 * idempotent, and a raw transaction is the same signed transaction (same hash, same nonce) wherever it is
 * sent.
 */
import { JsonRpcApiProvider, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult, type Network } from "ethers";

import { EndpointError, type JsonRpcRequest, type Transport } from "./transport.js";

export interface EndpointState {
  index: number;
  label: string;
  up: boolean;
  /** Consecutive failures. */
  failures: number;
  downUntil: number;
}

export interface FailoverHooks {
  /** Every request sent to an endpoint (a batch counts once). */
  onRequest?: (endpoint: EndpointState) => void;
  /** An endpoint could not answer. */
  onFailure?: (endpoint: EndpointState, error: EndpointError) => void;
  /** An endpoint's up/down state changed. */
  onState?: (endpoint: EndpointState) => void;
  /** Requests are now answered by another endpoint. */
  onSwitch?: (from: EndpointState | undefined, to: EndpointState) => void;
}

export interface FailoverOptions {
  /** Deadline of one request on one endpoint, ms. */
  timeoutMs: number;
  /** First backoff of an endpoint that failed, ms (default 1,000). */
  downMs?: number;
  /** Longest backoff, ms (default 60,000). */
  maxDownMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

export class FailoverProvider extends JsonRpcApiProvider {
  readonly endpoints: EndpointState[];
  private active: EndpointState | undefined;
  private readonly now: () => number;

  constructor(
    readonly transports: readonly Transport[],
    network: Network,
    private readonly options: FailoverOptions,
    private readonly hooks: FailoverHooks = {},
  ) {
    super(network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1 });
    if (transports.length === 0) throw new Error("FailoverProvider: no endpoint");
    this.now = options.now ?? Date.now;
    this.endpoints = transports.map((t, index) => ({ index, label: t.label, up: true, failures: 0, downUntil: 0 }));
    this._start();
  }

  /** The endpoint that answered last. */
  get current(): EndpointState | undefined {
    return this.active;
  }

  /** Endpoints in the order a request tries them: those up by preference, then those down. */
  order(): EndpointState[] {
    const now = this.now();
    const up = this.endpoints.filter((e) => e.downUntil <= now);
    const down = this.endpoints.filter((e) => e.downUntil > now).sort((a, b) => a.downUntil - b.downUntil);
    return [...up, ...down];
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    return (await this.request(payload as JsonRpcRequest | JsonRpcRequest[])) as (JsonRpcResult | JsonRpcError)[];
  }

  /** Sends a payload with failover; throws the last `EndpointError` when no endpoint answered. */
  async request(payload: JsonRpcRequest | JsonRpcRequest[]) {
    let last: unknown;
    for (const endpoint of this.order()) {
      const transport = this.transports[endpoint.index]!;
      this.hooks.onRequest?.(endpoint);
      try {
        const responses = await transport.send(payload, this.options.timeoutMs);
        this.markUp(endpoint);
        return responses;
      } catch (error) {
        if (!(error instanceof EndpointError)) throw error;
        last = error;
        this.markDown(endpoint, error);
      }
    }
    throw last;
  }

  private markUp(endpoint: EndpointState): void {
    const changed = !endpoint.up;
    endpoint.up = true;
    endpoint.failures = 0;
    endpoint.downUntil = 0;
    if (changed) this.hooks.onState?.(endpoint);
    if (this.active !== endpoint) {
      const from = this.active;
      this.active = endpoint;
      this.hooks.onSwitch?.(from, endpoint);
    }
  }

  private markDown(endpoint: EndpointState, error: EndpointError): void {
    const base = this.options.downMs ?? 1_000;
    const max = this.options.maxDownMs ?? 60_000;
    endpoint.failures++;
    endpoint.downUntil = this.now() + Math.min(max, base * 2 ** Math.min(endpoint.failures - 1, 30));
    const changed = endpoint.up;
    endpoint.up = false;
    this.hooks.onFailure?.(endpoint, error);
    if (changed) this.hooks.onState?.(endpoint);
  }

  override destroy(): void {
    for (const t of this.transports) void t.close().catch(() => undefined);
    super.destroy();
  }

  /** Closes every transport (WebSocket subscriptions cancelled) and the provider. */
  async close(): Promise<void> {
    await Promise.allSettled(this.transports.map((t) => t.close()));
    super.destroy();
  }
}
