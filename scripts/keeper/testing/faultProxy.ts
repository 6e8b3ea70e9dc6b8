/**
 * A fault-injecting JSON-RPC proxy for tests: forwards requests to a target URL and, per rule, answers
 * with a JSON-RPC error, an HTTP error, drops the connection, delays, never answers (a timeout), or
 * forwards and then drops the answer (the request took effect, the client never learns it). Rules match
 * a method (or all), optionally a predicate on the params, skip the first `skip` matches and fire `times`
 * times. Every request is counted per method and raw transactions are recorded.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { readBody } from "./rpcServer.js";

export type FaultAction = "error" | "http-error" | "drop" | "delay" | "timeout" | "forward-then-drop";

export interface FaultRule {
  /** JSON-RPC method, a pattern, or "*" for every method. */
  method: string | RegExp;
  action: FaultAction;
  /** Fire at most this many times (default: always). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  skip?: number;
  /** Extra condition on the params. */
  when?: (params: unknown[]) => boolean;
  /** For "delay" (and "forward-then-drop": before dropping), milliseconds. */
  delayMs?: number;
  /** For "error": the JSON-RPC error (default -32603 "injected fault"). */
  error?: { code: number; message: string };
  /** For "http-error": the status (default 503). */
  status?: number;
}

interface Call {
  jsonrpc?: string;
  id?: unknown;
  method: string;
  params?: unknown[];
}

interface ActiveRule extends FaultRule {
  matched: number;
  fired: number;
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();
  /** Requests seen per method (each element of a batch counts). */
  readonly counts = new Map<string, number>();
  /** Faults fired per action. */
  readonly fired = new Map<FaultAction, number>();
  /** Every raw transaction of `eth_sendRawTransaction`, in order, recorded once the node answered it (or a fault replaced the answer). */
  readonly rawTransactions: string[] = [];
  /** Every request (method and params), in order. */
  readonly requests: { method: string; params: unknown[] }[] = [];
  url = "";

  constructor(private readonly target: string) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request.socket, response, readBody(request)));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, matched: 0, fired: 0 });
    return this;
  }

  clear(): void {
    this.rules.length = 0;
  }

  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  /** Faults still armed (rules with remaining `times`). */
  get armed(): number {
    return this.rules.filter((r) => r.times === undefined || r.fired < r.times).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private match(call: Call): ActiveRule | undefined {
    for (const rule of this.rules) {
      const methodMatches =
        rule.method === "*" || (typeof rule.method === "string" ? rule.method === call.method : rule.method.test(call.method));
      if (!methodMatches) continue;
      if (rule.when !== undefined && !rule.when(call.params ?? [])) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      rule.matched++;
      if (rule.matched <= (rule.skip ?? 0)) continue;
      rule.fired++;
      this.fired.set(rule.action, (this.fired.get(rule.action) ?? 0) + 1);
      return rule;
    }
    return undefined;
  }

  private async handle(socket: Socket, response: ServerResponse, bodyPromise: Promise<string>): Promise<void> {
    const body = await bodyPromise;
    let parsed: Call | Call[];
    try {
      parsed = JSON.parse(body) as Call | Call[];
    } catch {
      response.writeHead(400).end();
      return;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    const errors = new Map<number, Record<string, unknown>>();
    let whole: ActiveRule | undefined;
    calls.forEach((call, i) => {
      this.counts.set(call.method, (this.counts.get(call.method) ?? 0) + 1);
      this.requests.push({ method: call.method, params: call.params ?? [] });
      const rule = this.match(call);
      if (rule === undefined) return;
      if (rule.action === "error") {
        errors.set(i, { jsonrpc: "2.0", id: call.id ?? null, error: rule.error ?? { code: -32603, message: "injected fault" } });
      } else if (whole === undefined || rule.action !== "delay") {
        whole = rule;
      }
    });

    const recordRaw = () => {
      for (const call of calls)
        if (call.method === "eth_sendRawTransaction" && typeof call.params?.[0] === "string") this.rawTransactions.push(call.params[0]);
    };
    if (whole?.action === "drop") {
      recordRaw();
      socket.destroy();
      return;
    }
    if (whole?.action === "timeout") {
      recordRaw();
      return; // never answered; the socket is destroyed at close
    }
    if (whole?.action === "http-error") {
      recordRaw();
      response.writeHead(whole.status ?? 503, { "content-type": "text/plain" }).end("injected HTTP error");
      return;
    }
    if (whole?.action === "delay") await new Promise((r) => setTimeout(r, whole!.delayMs ?? 1_000));

    const forward = calls.filter((_, i) => !errors.has(i));
    let answers: Record<string, unknown>[] = [];
    if (forward.length > 0) {
      let upstream: Response;
      try {
        upstream = await fetch(this.target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(Array.isArray(parsed) ? forward : forward[0]),
        });
      } catch {
        socket.destroy();
        return;
      }
      const json = (await upstream.json()) as Record<string, unknown> | Record<string, unknown>[];
      answers = Array.isArray(json) ? json : [json];
    }
    recordRaw();
    if (whole?.action === "forward-then-drop") {
      if (whole.delayMs !== undefined) await new Promise((r) => setTimeout(r, whole!.delayMs));
      socket.destroy();
      return;
    }
    const byId = new Map(answers.map((a) => [JSON.stringify(a.id ?? null), a]));
    const out = calls.map(
      (call, i) =>
        errors.get(i) ??
        byId.get(JSON.stringify(call.id ?? null)) ?? { jsonrpc: "2.0", id: call.id ?? null, error: { code: -32603, message: "no answer" } },
    );
    if (!response.writableEnded && !socket.destroyed) {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? out : out[0]));
    }
  }
}
