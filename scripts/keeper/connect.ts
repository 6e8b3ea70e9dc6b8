/**
 * Connecting to the chain from `--rpc` (one URL or several, in order of preference): one transport per
 * endpoint, the chain id read from each one that answers (they must agree), and a `FailoverProvider` over
 * them with per-endpoint metrics and logs. Endpoints that do not answer at start are kept (failover); when
 * none answers, the start is retried with backoff and then fails naming every endpoint (redacted).
 */
import { Network } from "ethers";

import { ChainMismatchError, describeError, RetryableError } from "./errors.js";
import { FailoverProvider } from "./failover.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Rpc } from "./rpc.js";
import { type HeadSubscription } from "./heads.js";
import { EndpointError, redactUrl, transportFor, type Transport, WsTransport } from "./transport.js";

export interface Connection {
  provider: FailoverProvider;
  chainId: bigint;
  /** New-head subscriptions of the WebSocket endpoints. */
  headSubscriptions: HeadSubscription[];
  websocket: boolean;
  /** How many times requests moved to another endpoint. */
  switches(): number;
  close(): Promise<void>;
}

/** No endpoint answered `eth_chainId`. */
export class UnreachableRpcError extends RetryableError {
  override readonly name = "UnreachableRpcError";
}

/** `eth_chainId` of each transport (undefined where it did not answer, with the error). */
async function chainIds(transports: readonly Transport[], timeoutMs: number) {
  return Promise.all(
    transports.map(async (t) => {
      try {
        const [response] = await t.send({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }, timeoutMs);
        if (typeof response?.result !== "string") {
          return {
            transport: t,
            error: new EndpointError(t.label, "bad-response", `eth_chainId: ${response?.error?.message ?? "no result"}`),
          };
        }
        return { transport: t, chainId: BigInt(response.result) };
      } catch (error) {
        return { transport: t, error };
      }
    }),
  );
}

export async function connect(
  urls: readonly string[],
  options: { timeoutMs: number; rpc: Rpc; logger: Logger; metrics: KeeperMetrics; source: string },
): Promise<Connection> {
  const { logger, metrics } = options;
  const transports = urls.map((url, index) =>
    transportFor(url, {
      onOpen: (reconnect) => {
        if (!reconnect) return;
        metrics.websocketReconnects.inc({ endpoint: label(index, url) });
        logger.info({ endpoint: label(index, url) }, "WebSocket reconnected");
      },
      onClose: (reason) => logger.warn({ endpoint: label(index, url), reason }, "WebSocket closed; reconnecting"),
    }),
  );
  const close = () => Promise.allSettled(transports.map((t) => t.close())).then(() => undefined);
  try {
    const probed = await options.rpc.call("eth_chainId", async () => {
      const results = await chainIds(transports, options.timeoutMs);
      if (results.every((r) => r.chainId === undefined)) {
        throw new UnreachableRpcError(
          `cannot reach the RPC (${options.source}: ${urls.map(redactUrl).join(", ")}): ${results.map((r) => describeError(r.error)).join("; ")}`,
        );
      }
      return results;
    });
    const answered = probed.filter((r): r is typeof r & { chainId: bigint } => r.chainId !== undefined);
    const chainId = answered[0]!.chainId;
    const other = answered.find((r) => r.chainId !== chainId);
    if (other !== undefined) {
      throw new ChainMismatchError(
        `the RPC endpoints serve different chains: ${answered.map((r) => `${r.transport.label} -> ${r.chainId}`).join(", ")} (${options.source})`,
      );
    }
    for (const r of probed) {
      if (r.chainId === undefined)
        logger.warn(
          { endpoint: r.transport.label, error: describeError(r.error) },
          "RPC endpoint not answering at start; kept for failover",
        );
    }
    const labels = urls.map((url, index) => label(index, url));
    for (const l of labels) metrics.rpcEndpointUp.set({ endpoint: l }, 1);
    const network = Network.from(chainId);
    let switches = 0;
    const provider = new FailoverProvider(
      transports,
      network,
      { timeoutMs: options.timeoutMs },
      {
        onRequest: (e) => metrics.rpcEndpointRequests.inc({ endpoint: labels[e.index]! }),
        onFailure: (e, error) => {
          metrics.rpcEndpointFailures.inc({ endpoint: labels[e.index]!, reason: error.reason });
          logger.debug({ endpoint: labels[e.index], reason: error.reason, error: error.message }, "RPC endpoint failed");
        },
        onState: (e) => {
          metrics.rpcEndpointUp.set({ endpoint: labels[e.index]! }, e.up ? 1 : 0);
          if (!e.up) logger.warn({ endpoint: labels[e.index], downForMs: e.downUntil - Date.now() }, "RPC endpoint down; backing off");
          else logger.info({ endpoint: labels[e.index] }, "RPC endpoint answering again");
        },
        onSwitch: (from, to) => {
          for (const l of labels) metrics.rpcEndpointActive.set({ endpoint: l }, 0);
          metrics.rpcEndpointActive.set({ endpoint: labels[to.index]! }, 1);
          if (from !== undefined) {
            switches++;
            metrics.rpcFailovers.inc();
            logger.warn({ from: labels[from.index], to: labels[to.index] }, "RPC failover: requests go to another endpoint");
          }
        },
      },
    );
    const headSubscriptions: HeadSubscription[] = transports
      .filter((t): t is WsTransport => t instanceof WsTransport)
      .map((t) => (onHead: () => void) => t.subscribe(["newHeads"], onHead));
    return {
      provider,
      chainId,
      headSubscriptions,
      websocket: headSubscriptions.length > 0,
      switches: () => switches,
      close: async () => {
        await provider.close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** An endpoint's label in metrics and logs: its position and its redacted URL. */
export function label(index: number, url: string): string {
  return `${index}:${redactUrl(url)}`;
}
