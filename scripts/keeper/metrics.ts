/**
 * Prometheus metrics and the health endpoint. One registry per keeper (several keepers can share a
 * process), served over HTTP: `GET /metrics` (Prometheus text format) and `GET /health` (200 with JSON
 * while the loop processed a block within `healthMaxAgeSeconds`, 503 otherwise).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly accountsTracked = new Gauge({
    name: "keeper_accounts_tracked",
    help: "Accounts discovered (all shards)",
    registers: [this.registry],
  });
  readonly accountsOwned = new Gauge({
    name: "keeper_accounts_owned",
    help: "Accounts in this keeper's shard",
    registers: [this.registry],
  });
  readonly accountsOverCap = new Gauge({
    name: "keeper_accounts_over_cap",
    help: "Over-cap accounts in the last scan",
    registers: [this.registry],
  });
  readonly accountsUnevaluable = new Gauge({
    name: "keeper_accounts_unevaluable",
    help: "Accounts whose status could not be evaluated in the last scan (oracle invalid or evaluation reverted)",
    registers: [this.registry],
  });
  readonly deleveragesSent = new Counter({
    name: "keeper_deleverages_sent_total",
    help: "Deleverage transactions broadcast (replacements excluded)",
    registers: [this.registry],
  });
  readonly deleveragesConfirmed = new Counter({
    name: "keeper_deleverages_confirmed_total",
    help: "Deleverages mined with success and confirmed",
    registers: [this.registry],
  });
  readonly deleveragesFailed = new Counter({
    name: "keeper_deleverages_failed_total",
    help: "Deleverages that failed, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly depthRefreshes = new Counter({
    name: "keeper_depth_refreshes_total",
    help: "Depth-state refreshes, by result (--refresh-depth)",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly hedgeAccounts = new Gauge({
    name: "keeper_hedge_accounts",
    help: "Accounts that approved this keeper as their hedger (hedge mode)",
    registers: [this.registry],
  });
  readonly hedgesSent = new Counter({
    name: "keeper_hedges_sent_total",
    help: "Hedge transactions broadcast (replacements excluded)",
    registers: [this.registry],
  });
  readonly hedgesConfirmed = new Counter({
    name: "keeper_hedges_confirmed_total",
    help: "Hedges mined with success and confirmed",
    registers: [this.registry],
  });
  readonly hedgesFailed = new Counter({
    name: "keeper_hedges_failed_total",
    help: "Hedges that failed, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly simulations = new Counter({
    name: "keeper_simulations_total",
    help: "Deleverage simulations, by result",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly replacements = new Counter({
    name: "keeper_tx_replacements_total",
    help: "Stuck transactions replaced with higher fees",
    registers: [this.registry],
  });
  readonly nonceResyncs = new Counter({
    name: "keeper_nonce_resyncs_total",
    help: "Local nonce resynchronized from the node",
    registers: [this.registry],
  });
  readonly pokes = new Counter({
    name: "keeper_pokes_total",
    help: "Volatility oracle pokes, by result",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "keeper_rpc_errors_total",
    help: "Failed RPC requests, by method and kind",
    labelNames: ["method", "kind"] as const,
    registers: [this.registry],
  });
  readonly reorgs = new Counter({ name: "keeper_reorgs_total", help: "Reorganizations detected", registers: [this.registry] });
  readonly lastBlock = new Gauge({
    name: "keeper_last_block_processed",
    help: "Last block fully processed (logs read, accounts scanned)",
    registers: [this.registry],
  });
  readonly head = new Gauge({ name: "keeper_head_block", help: "Latest head seen", registers: [this.registry] });
  readonly lag = new Gauge({ name: "keeper_lag_blocks", help: "Head minus last block processed", registers: [this.registry] });
  readonly accountsScanned = new Gauge({
    name: "keeper_accounts_scanned",
    help: "Accounts evaluated on-chain in the last scan",
    registers: [this.registry],
  });
  readonly prefilterSuspects = new Gauge({
    name: "keeper_prefilter_suspects",
    help: "Accounts the prefilter sent on-chain in the last scan",
    registers: [this.registry],
  });
  readonly prefilterMisses = new Counter({
    name: "keeper_prefilter_misses_total",
    help: "Over-cap accounts found by the safety sweep that the prefilter had not flagged",
    registers: [this.registry],
  });
  readonly deleveragesUnprofitable = new Counter({
    name: "keeper_deleverages_unprofitable_total",
    help: "Deleverages skipped because their keeper fee was below their gas cost (--unprofitable skip)",
    registers: [this.registry],
  });
  readonly balance = new Gauge({
    name: "keeper_balance_native",
    help: "The keeper's balance, in whole native tokens (ETH)",
    registers: [this.registry],
  });
  readonly balanceLow = new Gauge({
    name: "keeper_balance_low",
    help: "1 when the keeper's balance is below minBalance",
    registers: [this.registry],
  });
  readonly rpcEndpointRequests = new Counter({
    name: "keeper_rpc_endpoint_requests_total",
    help: "Requests sent to each RPC endpoint",
    labelNames: ["endpoint"] as const,
    registers: [this.registry],
  });
  readonly rpcEndpointFailures = new Counter({
    name: "keeper_rpc_endpoint_failures_total",
    help: "Requests an RPC endpoint could not answer (refused, timeout, http, closed, ...), by endpoint and reason",
    labelNames: ["endpoint", "reason"] as const,
    registers: [this.registry],
  });
  readonly rpcEndpointUp = new Gauge({
    name: "keeper_rpc_endpoint_up",
    help: "1 while an RPC endpoint answers, 0 while it is backed off after a failure",
    labelNames: ["endpoint"] as const,
    registers: [this.registry],
  });
  readonly rpcEndpointActive = new Gauge({
    name: "keeper_rpc_endpoint_active",
    help: "1 for the RPC endpoint currently answering the keeper's requests",
    labelNames: ["endpoint"] as const,
    registers: [this.registry],
  });
  readonly rpcFailovers = new Counter({
    name: "keeper_rpc_failovers_total",
    help: "Switches of the keeper's requests to another RPC endpoint",
    registers: [this.registry],
  });
  readonly websocketReconnects = new Counter({
    name: "keeper_websocket_reconnects_total",
    help: "WebSocket connections to an RPC endpoint made again after a close",
    labelNames: ["endpoint"] as const,
    registers: [this.registry],
  });
  readonly scanSeconds = new Histogram({
    name: "keeper_scan_seconds",
    help: "Duration of one scan of every owned account",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(defaultMetrics = false) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "keeper_" });
  }
}

export interface HealthReport {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface MetricsServer {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Serves `/metrics` and `/health` on `host:port` (port 0: any free port). */
export async function startMetricsServer(
  metrics: KeeperMetrics,
  health: () => HealthReport,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET") {
      response.writeHead(405).end();
      return;
    }
    if (url.pathname === "/metrics") {
      metrics.registry
        .metrics()
        .then((text) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
      return;
    }
    if (url.pathname === "/health") {
      const report = health();
      response.writeHead(report.ok ? 200 : 503, { "content-type": "application/json" }).end(`${JSON.stringify(report.body)}\n`);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
