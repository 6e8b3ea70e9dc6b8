import { once } from "node:events";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { type WebSocket as ServerSocket, WebSocketServer } from "ws";

import { WsTransport } from "../../../scripts/keeper/transport.js";
import { until } from "../../helpers/until.js";

interface Request {
  id: number;
  method: string;
}

/** A WebSocket JSON-RPC node on loopback whose answers to `eth_subscribe` the test scripts, per connection. */
async function node(subscribeAnswers: (connection: number, attempt: number) => "refuse" | "accept") {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const connections: ServerSocket[] = [];
  const subscribes: number[] = [];
  server.on("connection", (socket) => {
    const connection = connections.push(socket) - 1;
    subscribes[connection] = 0;
    socket.on("message", (raw) => {
      const request = JSON.parse(String(raw)) as Request;
      if (request.method !== "eth_subscribe") return;
      const attempt = subscribes[connection]!++;
      const answer =
        subscribeAnswers(connection, attempt) === "accept"
          ? { jsonrpc: "2.0", id: request.id, result: `0x${connection}${attempt}` }
          : { jsonrpc: "2.0", id: request.id, error: { code: -32603, message: "node starting" } };
      socket.send(JSON.stringify(answer));
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    subscribes,
    notify(connection: number, subscription: string, block: number) {
      const message = {
        jsonrpc: "2.0",
        method: "eth_subscription",
        params: { subscription, result: { number: `0x${block.toString(16)}` } },
      };
      connections[connection]!.send(JSON.stringify(message));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("keeper WebSocket transport", () => {
  it("a head subscription the node refuses right after a reconnection (while it starts) is made again on that connection, and its heads arrive", async () => {
    // First connection: accepted at once. Second (after the drop): refused twice, then accepted.
    const n = await node((connection, attempt) => (connection === 0 || attempt >= 2 ? "accept" : "refuse"));
    const transport = new WsTransport(n.url, {}, { baseDelayMs: 20, maxDelayMs: 100, connectTimeoutMs: 2_000 });
    const heads: string[] = [];
    try {
      await transport.subscribe(["newHeads"], (data) => heads.push((data as { number: string }).number));
      n.notify(0, "0x00", 1);
      await until(() => heads.length === 1, "the first head", 10_000, 10);

      n.connections[0]!.terminate(); // the node restarts: the connection drops
      await until(() => n.subscribes[1] === 3, "three subscription attempts on the new connection", 5_000, 10);
      // The node sends a head per block; one sent before the client has read the subscription's answer is not for
      // it yet (so a loaded machine can lose the first), hence a new block every 100 ms until one arrives.
      let block = 2;
      await until(
        () => {
          if (heads.length >= 2) return true;
          n.notify(1, "0x12", block++);
          return false;
        },
        "a head after the reconnection",
        10_000,
        100,
      );
      expect(heads[0]).to.equal("0x1");
      const later = heads.slice(1).map(Number);
      expect(
        later.every((b, i) => b >= 2 && b < block && (i === 0 || b > later[i - 1]!)),
        heads.join(","),
      ).to.equal(true);
      expect(n.connections).to.have.length(2);
      // One eth_subscribe on the first connection: the first open and the caller's subscribe do not both send one.
      expect(n.subscribes[0]).to.equal(1);
    } finally {
      await transport.close();
      await n.close();
    }
  });

  it("a node that never accepts the subscription on a connection is asked a bounded number of times, not forever", async () => {
    const n = await node((connection) => (connection === 0 ? "accept" : "refuse"));
    const transport = new WsTransport(n.url, {}, { baseDelayMs: 5, maxDelayMs: 10, connectTimeoutMs: 2_000 });
    try {
      await transport.subscribe(["newHeads"], () => undefined);
      n.connections[0]!.terminate();
      await until(() => n.subscribes[1] === 10, "ten attempts on the new connection", 5_000, 10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(n.subscribes[1]).to.equal(10);
    } finally {
      await transport.close();
      await n.close();
    }
  });
});
