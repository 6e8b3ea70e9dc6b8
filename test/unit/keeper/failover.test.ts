import { expect } from "chai";
import { Network } from "ethers";

import { FailoverProvider } from "../../../scripts/keeper/failover.js";
import { EndpointError, type JsonRpcRequest, type JsonRpcResponse, type Transport } from "../../../scripts/keeper/transport.js";

/** An endpoint answering `eth_blockNumber` with its own number, or failing while `down`. */
class FakeTransport implements Transport {
  readonly websocket = false;
  down = false;
  calls = 0;

  constructor(
    readonly label: string,
    private readonly block: number,
  ) {}

  async send(payload: JsonRpcRequest | JsonRpcRequest[]): Promise<JsonRpcResponse[]> {
    this.calls++;
    if (this.down) throw new EndpointError(this.label, "refused", "connection refused");
    const list = Array.isArray(payload) ? payload : [payload];
    return list.map((p) => ({ jsonrpc: "2.0", id: p.id, result: `0x${this.block.toString(16)}` }));
  }

  async close(): Promise<void> {}
}

describe("keeper RPC failover", () => {
  it("uses the preferred endpoint, fails over within the same request when it cannot answer, and returns to it after its backoff", async () => {
    let now = 1_000_000;
    const a = new FakeTransport("a", 10);
    const b = new FakeTransport("b", 20);
    const switches: string[] = [];
    const states: string[] = [];
    const provider = new FailoverProvider(
      [a, b],
      Network.from(1n),
      { timeoutMs: 1_000, downMs: 1_000, now: () => now },
      {
        onSwitch: (from, to) => switches.push(`${from?.label ?? "-"}->${to.label}`),
        onState: (e) => states.push(`${e.label}:${e.up ? "up" : "down"}`),
      },
    );
    try {
      expect(await provider.getBlockNumber()).to.equal(10);
      a.down = true;
      expect(await provider.getBlockNumber()).to.equal(20);
      expect(states).to.deep.equal(["a:down"]);
      // Within its backoff the failed endpoint is not tried first.
      const callsToA = a.calls;
      expect(await provider.getBlockNumber()).to.equal(20);
      expect(a.calls).to.equal(callsToA);
      // It recovers; after the backoff the keeper goes back to it.
      a.down = false;
      now += 1_001;
      expect(await provider.getBlockNumber()).to.equal(10);
      expect(switches).to.deep.equal(["-->a", "a->b", "b->a"]);
      expect(states).to.deep.equal(["a:down", "a:up"]);
    } finally {
      provider.destroy();
    }
  });

  it("backs a failing endpoint off longer each time, and tries every endpoint (in order) when all are down, then throws the last failure", async () => {
    let now = 0;
    const a = new FakeTransport("a", 1);
    const b = new FakeTransport("b", 2);
    a.down = true;
    b.down = true;
    const provider = new FailoverProvider([a, b], Network.from(1n), { timeoutMs: 1_000, downMs: 100, maxDownMs: 350, now: () => now });
    try {
      const error = await provider._send({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EndpointError);
      expect((error as EndpointError).endpoint).to.equal("b");
      await provider._send({ jsonrpc: "2.0", id: 2, method: "eth_blockNumber", params: [] }).catch(() => undefined);
      await provider._send({ jsonrpc: "2.0", id: 3, method: "eth_blockNumber", params: [] }).catch(() => undefined);
      const [ea] = provider.endpoints;
      expect(ea!.failures).to.equal(3);
      expect(ea!.downUntil - now).to.equal(350); // 100, 200, then capped at 350
      expect(a.calls + b.calls).to.equal(6);
      now += 10;
      b.down = false;
      const [soonest, later] = provider.order();
      expect(soonest!.downUntil, "when all are down, the one back soonest first").to.be.at.most(later!.downUntil);
      const [answer] = await provider._send({ jsonrpc: "2.0", id: 4, method: "eth_blockNumber", params: [] });
      expect((answer as { result: string }).result).to.equal("0x2");
    } finally {
      provider.destroy();
    }
  });

  it("keeps a JSON-RPC error as an answer (no failover for a revert or a node's refusal)", async () => {
    const refusing: Transport = {
      label: "r",
      websocket: false,
      send: async (p) => [
        { jsonrpc: "2.0", id: (p as JsonRpcRequest).id, error: { code: 3, message: "execution reverted", data: "0x12345678" } },
      ],
      close: async () => undefined,
    };
    const other = new FakeTransport("o", 5);
    const provider = new FailoverProvider([refusing, other], Network.from(1n), { timeoutMs: 1_000 });
    try {
      const [answer] = await provider._send({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [] });
      expect((answer as { error: { message: string } }).error.message).to.equal("execution reverted");
      expect(other.calls).to.equal(0);
    } finally {
      provider.destroy();
    }
  });
});
