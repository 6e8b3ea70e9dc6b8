/**
 * Serves an EIP-1193 provider (an in-process Hardhat/EDR chain) as a JSON-RPC endpoint over HTTP, single
 * and batch requests, so the keeper can be tested (and benchmarked) through a real URL. For tests and
 * benchmarks only: no authentication, loopback by default.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

interface JsonRpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

export interface JsonRpcServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers one JSON-RPC request object through `provider`. */
export async function answer(provider: Eip1193, call: JsonRpcRequest): Promise<Record<string, unknown>> {
  const id = call.id ?? null;
  if (typeof call.method !== "string") return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
  try {
    const result = await provider.request({ method: call.method, params: (call.params as unknown[] | undefined) ?? [] });
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e.code === "number" ? e.code : -32603;
    const payload: Record<string, unknown> = { code, message: typeof e.message === "string" ? e.message : String(error) };
    if (e.data !== undefined) payload.data = e.data;
    return { jsonrpc: "2.0", id, error: payload };
  }
}

/** Starts an HTTP JSON-RPC server in front of `provider` on `host:port` (port 0: any free port). */
export async function serveProvider(provider: Eip1193, options: { host?: string; port?: number } = {}): Promise<JsonRpcServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    void (async () => {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request));
      } catch {
        response
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
        return;
      }
      const result = Array.isArray(body)
        ? await Promise.all(body.map((c) => answer(provider, c as JsonRpcRequest)))
        : await answer(provider, body as JsonRpcRequest);
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(result, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
