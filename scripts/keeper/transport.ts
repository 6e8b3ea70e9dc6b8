/**
 * JSON-RPC transports of one endpoint each: HTTP(S) through `fetch`, and WebSocket through Node's global
 * `WebSocket` (Node 22). A transport only moves payloads: it reports a failure to reach the node as an
 * `EndpointError` (retryable), and returns JSON-RPC error responses as they are (the caller judges them).
 *
 * The WebSocket transport reconnects by itself, with backoff, for as long as it is open: a request made
 * while it is disconnected waits for the connection (up to its deadline), requests in flight when the
 * socket closes fail at once (never hang), and subscriptions (`newHeads`) are made again on every new
 * connection. `close()` ends it cleanly: subscriptions are cancelled best-effort and nothing it does
 * after that can fail the process.
 */
import { RetryableError } from "./errors.js";
import { backoffDelay } from "./retry.js";

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: number;
  method: string;
  params: unknown[];
}

export interface JsonRpcResponse {
  jsonrpc?: string;
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
  params?: { subscription?: string; result?: unknown };
}

/** Why an endpoint could not answer. */
export type EndpointFailure = "refused" | "timeout" | "http" | "closed" | "bad-response" | "network";

/** The endpoint could not answer: unreachable, timed out, an HTTP error, a closed socket, not JSON-RPC. */
export class EndpointError extends RetryableError {
  override readonly name = "EndpointError";

  constructor(
    /** The endpoint, redacted (no path, no query). */
    readonly endpoint: string,
    readonly reason: EndpointFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint}: ${message}`, options);
  }
}

export interface Transport {
  /** The endpoint as logs and metrics show it (no path, no query: providers put API keys there). */
  readonly label: string;
  readonly websocket: boolean;
  /** Sends one request or a batch; resolves with the responses (JSON-RPC errors included). */
  send(payload: JsonRpcRequest | JsonRpcRequest[], timeoutMs: number): Promise<JsonRpcResponse[]>;
  close(): Promise<void>;
}

/** The URL without path, query or credentials, for logs (a provider URL often embeds an API key). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" || u.pathname === "" ? "" : "/…"}`;
  } catch {
    return "(invalid url)";
  }
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|socket hang up|other side closed/i;

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  return `${error instanceof Error ? error.message : String(error)} ${typeof cause?.code === "string" ? cause.code : ""} ${
    typeof cause?.message === "string" ? cause.message : ""
  }`;
}

function toResponses(json: unknown, label: string): JsonRpcResponse[] {
  const list = Array.isArray(json) ? json : [json];
  if (list.some((r) => typeof r !== "object" || r === null || !("id" in r))) {
    throw new EndpointError(label, "bad-response", "the answer is not JSON-RPC");
  }
  return list as JsonRpcResponse[];
}

export class HttpTransport implements Transport {
  readonly label: string;
  readonly websocket = false;

  constructor(private readonly url: string) {
    this.label = redactUrl(url);
  }

  async send(payload: JsonRpcRequest | JsonRpcRequest[], timeoutMs: number): Promise<JsonRpcResponse[]> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const text = causeText(error);
      if ((error as { name?: unknown }).name === "TimeoutError" || /timeout|aborted/i.test(text)) {
        throw new EndpointError(this.label, "timeout", `no answer within ${timeoutMs} ms`, { cause: error });
      }
      throw new EndpointError(this.label, UNREACHABLE.test(text) ? "refused" : "network", text.trim(), { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new EndpointError(this.label, "network", `answer cut off: ${causeText(error).trim()}`, { cause: error });
    }
    if (!response.ok) {
      // Some nodes answer JSON-RPC errors with a 4xx/5xx status: keep those, they are answers.
      try {
        return toResponses(JSON.parse(text), this.label);
      } catch {
        throw new EndpointError(this.label, "http", `HTTP ${response.status}`);
      }
    }
    try {
      return toResponses(JSON.parse(text), this.label);
    } catch (error) {
      if (error instanceof EndpointError) throw error;
      throw new EndpointError(this.label, "bad-response", "the answer is not JSON", { cause: error });
    }
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}

interface Pending {
  ids: number[];
  responses: JsonRpcResponse[];
  batch: boolean;
  resolve: (r: JsonRpcResponse[]) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

interface Subscription {
  params: unknown[];
  onData: (data: unknown) => void;
  /** The node's id on the current connection. */
  id: string | undefined;
  /** The attempts to make it, one after the other (never two `eth_subscribe` of it in flight at once). */
  making: Promise<void>;
}

/** Events a `WsTransport` reports (for logs and metrics). */
export interface WsEvents {
  onOpen?: (reconnect: boolean) => void;
  onClose?: (reason: string) => void;
}

/** The WebSocket implementation: Node 22's global one (a WHATWG WebSocket). */
type Socket = WebSocket;

export class WsTransport implements Transport {
  readonly label: string;
  readonly websocket = true;
  private socket: Socket | undefined;
  private opened: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions: Subscription[] = [];
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private everOpened = false;
  private nextInternalId = 1_000_000_000;

  constructor(
    private readonly url: string,
    private readonly events: WsEvents = {},
    private readonly reconnect = { baseDelayMs: 250, maxDelayMs: 5_000, connectTimeoutMs: 5_000 },
  ) {
    this.label = redactUrl(url);
    if (typeof globalThis.WebSocket !== "function") {
      throw new EndpointError(this.label, "network", "a ws(s):// RPC needs Node 22 or later (global WebSocket)");
    }
  }

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  /** Connects (or reuses the connection); rejects after `timeoutMs` without one. */
  private async ready(timeoutMs: number): Promise<Socket> {
    if (this.closed) throw new EndpointError(this.label, "closed", "transport closed");
    if (this.socket?.readyState === 1) return this.socket;
    if (this.opened === undefined) this.connect();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.opened!,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EndpointError(this.label, "refused", `not connected within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (this.socket?.readyState !== 1) throw new EndpointError(this.label, "closed", "socket closed");
    return this.socket;
  }

  private connect(): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    let resolveOpen!: () => void;
    // Settles when the socket opens; stays pending while reconnecting (requests wait with their deadline).
    this.opened = new Promise<void>((resolve) => (resolveOpen = resolve));
    let socket: Socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.scheduleReconnect(causeText(error));
      return;
    }
    this.socket = socket;
    // A handshake can hang (a node that accepts the connection but does not answer, e.g. while restarting):
    // give up on it after a while and try again.
    const handshake = setTimeout(() => {
      if (this.socket !== socket || socket.readyState !== 0) return;
      socket.onopen = socket.onclose = socket.onmessage = null;
      this.socket = undefined;
      try {
        socket.close();
      } catch {
        /* never opened */
      }
      this.scheduleReconnect("handshake timed out");
    }, this.reconnect.connectTimeoutMs);
    socket.onopen = () => {
      clearTimeout(handshake);
      const reconnect = this.everOpened;
      this.everOpened = true;
      this.failures = 0;
      resolveOpen();
      this.events.onOpen?.(reconnect);
      for (const sub of this.subscriptions) void this.resubscribe(sub);
    };
    socket.onmessage = (event: MessageEvent) => this.onMessage(event.data);
    // An error is always followed by close; listening here keeps it from being unhandled.
    socket.onerror = () => undefined;
    socket.onclose = (event: { code: number; reason: string }) => {
      clearTimeout(handshake);
      if (this.socket !== socket) return;
      this.socket = undefined;
      const reason = `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ""})`;
      this.failAll(new EndpointError(this.label, "closed", reason));
      for (const sub of this.subscriptions) sub.id = undefined;
      if (this.closed) return;
      this.events.onClose?.(reason);
      this.scheduleReconnect(reason);
    };
  }

  private scheduleReconnect(_reason: string): void {
    if (this.closed) return;
    const delay = Math.max(50, backoffDelay(this.failures++, this.reconnect.baseDelayMs, this.reconnect.maxDelayMs));
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private failAll(error: EndpointError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      for (const other of p.ids) this.pending.delete(other);
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private onMessage(data: unknown): void {
    let message: JsonRpcResponse | JsonRpcResponse[];
    try {
      message = JSON.parse(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8")) as
        JsonRpcResponse | JsonRpcResponse[];
    } catch {
      return;
    }
    for (const m of Array.isArray(message) ? message : [message]) {
      if (m.method === "eth_subscription" && m.params?.subscription !== undefined) {
        const sub = this.subscriptions.find((s) => s.id === m.params!.subscription);
        sub?.onData(m.params.result);
        continue;
      }
      if (typeof m.id !== "number") continue;
      const p = this.pending.get(m.id);
      if (p === undefined) continue;
      p.responses.push(m);
      this.pending.delete(m.id);
      if (p.responses.length === p.ids.length) {
        clearTimeout(p.timer);
        p.resolve(p.responses);
      }
    }
  }

  async send(payload: JsonRpcRequest | JsonRpcRequest[], timeoutMs: number): Promise<JsonRpcResponse[]> {
    const started = Date.now();
    const socket = await this.ready(timeoutMs);
    const list = Array.isArray(payload) ? payload : [payload];
    return new Promise<JsonRpcResponse[]>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          for (const r of list) this.pending.delete(r.id);
          reject(new EndpointError(this.label, "timeout", `no answer within ${timeoutMs} ms`));
        },
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
      const entry: Pending = { ids: list.map((r) => r.id), responses: [], batch: Array.isArray(payload), resolve, reject, timer };
      for (const r of list) this.pending.set(r.id, entry);
      try {
        socket.send(JSON.stringify(payload));
      } catch (error) {
        clearTimeout(timer);
        for (const r of list) this.pending.delete(r.id);
        reject(new EndpointError(this.label, "closed", `send failed: ${causeText(error).trim()}`, { cause: error }));
      }
    });
  }

  /**
   * Subscribes (`eth_subscribe` with `params`, e.g. `["newHeads"]`) now and again on every reconnection;
   * `onData` gets each notification's `result`. Returns once the first subscription is made (or failed:
   * it is retried on the next connection).
   */
  async subscribe(params: unknown[], onData: (data: unknown) => void, timeoutMs = 10_000): Promise<void> {
    const sub: Subscription = { params, onData, id: undefined, making: Promise.resolve() };
    this.subscriptions.push(sub);
    await this.ready(timeoutMs).catch(() => undefined);
    if (sub.id === undefined) await this.resubscribe(sub, timeoutMs, 1);
  }

  /**
   * Makes `sub` on the current connection. A node that has just come back can refuse it (an error answer, or no
   * answer) while its socket stays open: then it is tried again on the same connection, with backoff, up to
   * `attempts` times or until the connection closes (a new connection makes it again).
   */
  private resubscribe(sub: Subscription, timeoutMs = 10_000, attempts = 10): Promise<void> {
    sub.making = sub.making.then(() => this.makeSubscription(sub, timeoutMs, attempts));
    return sub.making;
  }

  private async makeSubscription(sub: Subscription, timeoutMs: number, attempts: number): Promise<void> {
    const socket = this.socket;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.closed || sub.id !== undefined || this.socket !== socket || !this.subscriptions.includes(sub)) return;
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, this.reconnect.baseDelayMs, this.reconnect.maxDelayMs)));
      try {
        const [response] = await this.send(
          { jsonrpc: "2.0", id: this.nextInternalId++, method: "eth_subscribe", params: sub.params },
          timeoutMs,
        );
        if (typeof response?.result === "string") {
          sub.id = response.result;
          return;
        }
      } catch {
        /* tried again while this connection lasts */
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Cancel subscriptions politely while the socket is up; a failure here changes nothing.
    if (this.socket?.readyState === 1) {
      await Promise.allSettled(
        this.subscriptions
          .filter((s) => s.id !== undefined)
          .map((s) => this.send({ jsonrpc: "2.0", id: this.nextInternalId++, method: "eth_unsubscribe", params: [s.id] }, 1_000)),
      );
    }
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.subscriptions.length = 0;
    this.failAll(new EndpointError(this.label, "closed", "transport closed"));
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close();
    } catch {
      /* already closed */
    }
  }
}

/** A transport for `url`: WebSocket for ws(s)://, HTTP otherwise. */
export function transportFor(url: string, events: WsEvents = {}): HttpTransport | WsTransport {
  return /^wss?:/i.test(url) ? new WsTransport(url, events) : new HttpTransport(url);
}
