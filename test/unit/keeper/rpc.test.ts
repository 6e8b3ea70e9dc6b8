import { expect } from "chai";
import { makeError } from "ethers";

import { AbortedError, describeError, FatalError, RetryExhaustedError, RpcTimeoutError } from "../../../scripts/keeper/errors.js";
import { classifyRpcError, isRangeTooLarge, revertData, Rpc, withTimeout } from "../../../scripts/keeper/rpc.js";
import { bumpFee, marketFees, replacementFees } from "../../../scripts/keeper/txManager.js";

const GWEI = 10n ** 9n;
const rpcError = (message: string, code = -32000) =>
  makeError("could not coalesce error", "UNKNOWN_ERROR", {
    error: { code, message },
    payload: { method: "eth_getLogs", id: 1, jsonrpc: "2.0", params: [] },
  });

/** An `eth_call` failure as ethers reports it: with the revert data, or without ("missing revert data"). */
const callException = (data: string | null) =>
  makeError(data === null ? "missing revert data" : "execution reverted", "CALL_EXCEPTION", {
    action: "call",
    data,
    reason: null,
    transaction: { to: null, data: "0x" },
    invocation: null,
    revert: null,
  });

describe("keeper RPC errors", () => {
  it("classifies a revert with data as revert, a call error without data and transport errors as transient, rejections as fatal", () => {
    const revert = callException("0x12345678aa");
    const noData = callException(null);
    expect(classifyRpcError(revert)).to.equal("revert");
    expect(revertData(revert)).to.equal("0x12345678aa");
    expect(classifyRpcError(noData)).to.equal("transient");
    expect(classifyRpcError(makeError("timeout", "TIMEOUT", { operation: "x", reason: "timeout" }))).to.equal("transient");
    expect(classifyRpcError(makeError("server", "SERVER_ERROR", { request: null as never, response: null as never }))).to.equal(
      "transient",
    );
    expect(classifyRpcError(rpcError("header not found"))).to.equal("transient");
    expect(classifyRpcError(new TypeError("fetch failed"))).to.equal("transient");
    expect(classifyRpcError(makeError("nonce", "NONCE_EXPIRED", { transaction: {} }))).to.equal("fatal");
    expect(classifyRpcError(makeError("funds", "INSUFFICIENT_FUNDS", { transaction: {} }))).to.equal("fatal");
    expect(classifyRpcError(new FatalError("no"))).to.equal("fatal");
  });

  it("a node's refusal of an eth_call (ethers says only \"missing revert data\") is described with the node's own message", () => {
    const refused = callException(null);
    refused.info = { error: { code: -32000, message: "BlockOutOfRangeError: block height is 98 but requested was 85" } };
    expect(describeError(refused)).to.equal("missing revert data (node: BlockOutOfRangeError: block height is 98 but requested was 85)");
    expect(describeError(new Error("plain\nsecond line"))).to.equal("plain");
  });

  it("recognizes the range-too-large answers of common nodes, and nothing else", () => {
    for (const message of [
      "block range is too wide",
      "query returned more than 10000 results",
      "eth_getLogs block range too large, range: 5001, max: 5000",
      "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
      "exceed maximum block range: 50000",
      "limit exceeded",
    ]) {
      expect(isRangeTooLarge(rpcError(message)), message).to.equal(true);
    }
    expect(isRangeTooLarge(rpcError("anything", -32005))).to.equal(true);
    expect(isRangeTooLarge(rpcError("header not found"))).to.equal(false);
    expect(isRangeTooLarge(new Error("socket hang up"))).to.equal(false);
  });

  it("Rpc.call times out a request that never answers and retries transient failures", async () => {
    const rpc = new Rpc({ timeoutMs: 30, attempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
    let calls = 0;
    const value = await rpc.call("eth_call", async () => {
      if (++calls < 3) return new Promise<never>(() => undefined);
      return 7;
    });
    expect(value).to.equal(7);
    expect(calls).to.equal(3);
    let error: unknown;
    try {
      await withTimeout(new Promise(() => undefined), 10, "eth_blockNumber");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RpcTimeoutError);
  });

  it("Rpc.call does not retry a revert, gives up after its attempts, and stops once its signal aborts", async () => {
    const errors: string[] = [];
    const controller = new AbortController();
    const rpc = new Rpc({
      timeoutMs: 1_000,
      attempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 1,
      signal: controller.signal,
      onError: (_, __, kind) => errors.push(kind),
    });
    const revert = makeError("execution reverted", "CALL_EXCEPTION", {
      action: "call",
      data: "0xdeadbeef00",
      reason: null,
      transaction: { to: null, data: "0x" },
      invocation: null,
      revert: null,
    });
    let calls = 0;
    const caught = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(await caught(() => rpc.call("eth_call", async () => (calls++, Promise.reject(revert))))).to.equal(revert);
    expect(calls).to.equal(1);
    expect(await caught(() => rpc.call("eth_call", () => Promise.reject(rpcError("busy"))))).to.be.instanceOf(RetryExhaustedError);
    expect(errors).to.deep.equal(["revert", "transient", "transient"]);
    controller.abort();
    expect(await caught(() => rpc.call("eth_call", async () => 1))).to.be.instanceOf(AbortedError);
  });
});

describe("keeper fees", () => {
  it("market fees are min(cap, 2 * base + tip), and none when the base fee reaches the cap", () => {
    expect(marketFees(10n * GWEI, 2n * GWEI, 100n * GWEI)).to.deep.equal({ maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    expect(marketFees(45n * GWEI, 2n * GWEI, 50n * GWEI)).to.deep.equal({ maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    expect(marketFees(49n * GWEI, 2n * GWEI, 50n * GWEI)).to.deep.equal({ maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: 1n * GWEI });
    expect(marketFees(50n * GWEI, 2n * GWEI, 50n * GWEI)).to.equal(undefined);
  });

  it("a replacement bumps both fee fields by at least the bump percent (>= 12.5 %), rounding up", () => {
    expect(bumpFee(1_000n, 12.5)).to.equal(1_125n);
    expect(bumpFee(1_001n, 12.5)).to.equal(1_127n); // 1126.125 rounded up
    const old = { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    const next = replacementFees(old, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 2n * GWEI }, 12.5, 1_000n * GWEI)!;
    expect(next.maxFeePerGas * 1000n).to.be.at.least(old.maxFeePerGas * 1125n);
    expect(next.maxPriorityFeePerGas * 1000n).to.be.at.least(old.maxPriorityFeePerGas * 1125n);
  });

  it("a replacement follows the market when it moved more than the bump, and is refused above the cap", () => {
    const old = { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    expect(replacementFees(old, { maxFeePerGas: 90n * GWEI, maxPriorityFeePerGas: 2n * GWEI }, 20, 1_000n * GWEI)).to.deep.equal({
      maxFeePerGas: 90n * GWEI,
      maxPriorityFeePerGas: 2_400_000_000n,
    });
    expect(replacementFees(old, old, 20, 23n * GWEI)).to.equal(undefined);
  });
});
