import { expect } from "chai";
import { getAddress, makeError, type Provider } from "ethers";

import { lensInterface, Status } from "../../../scripts/keeper/abi.js";
import { silentLogger } from "../../../scripts/keeper/logger.js";
import { Rpc } from "../../../scripts/keeper/rpc.js";
import { Scanner } from "../../../scripts/keeper/scanner.js";

const LENS = getAddress("0x00000000000000000000000000000000000000c1");
const MODULE = getAddress("0x00000000000000000000000000000000000000c2");
const account = (i: number) => getAddress(`0x${i.toString(16).padStart(40, "0")}`);

/** A node whose eth_call runs out of gas above `maxAccounts` accounts, or fails as told. */
function node(options: { maxAccounts: number; poisoned?: string; down?: boolean }) {
  const calls: number[] = [];
  const provider = {
    call: async ({ data }: { data: string }) => {
      const [, accounts] = lensInterface.decodeFunctionData("statusBatch", data) as unknown as [string, string[]];
      calls.push(accounts.length);
      if (options.down) throw makeError("connection refused", "NETWORK_ERROR", { event: "x" });
      if (accounts.length > options.maxAccounts || accounts.includes(options.poisoned ?? "")) {
        throw makeError("missing revert data", "CALL_EXCEPTION", {
          action: "call",
          data: null,
          reason: null,
          transaction: { to: LENS, data },
          invocation: null,
          revert: null,
          info: { error: { code: -32000, message: "Transaction ran out of gas" } },
        });
      }
      const zero = { market: 0n, size: 0n, price: 0n, source: 0, notional: 0n, cap: 0n, binding: 0, deleverageNotional: 0n };
      const entries = accounts.map((a, i) => ({
        account: a,
        ok: true,
        status: {
          status: i % 3 === 0 ? Status.OverCap : Status.Healthy,
          equity: 1n,
          requirement: 0n,
          buffer: 0n,
          freeEquity: 1n,
          worst: zero,
          ratio: 0n,
        },
        reason: "0x",
      }));
      return lensInterface.encodeFunctionResult("statusBatch", [entries]);
    },
  } as unknown as Provider;
  return { provider, calls };
}

const scanner = (provider: Provider, chunkSize: number) =>
  new Scanner(
    provider,
    new Rpc({ timeoutMs: 1_000, attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }),
    { lens: LENS, module: MODULE, chunkSize, concurrency: 2 },
    silentLogger(),
  );

describe("keeper scanner", () => {
  it("returns one status per account, in order, across chunks", async () => {
    const accounts = Array.from({ length: 23 }, (_, i) => account(i + 1));
    const { provider, calls } = node({ maxAccounts: 1_000 });
    const statuses = await scanner(provider, 5).scan(accounts, 7);
    expect(statuses.map((s) => s.account)).to.deep.equal(accounts);
    expect(calls).to.deep.equal([5, 5, 5, 5, 3]);
  });

  it("splits a chunk the node cannot run (out of gas) in halves until it fits, without retrying it as is", async () => {
    const accounts = Array.from({ length: 40 }, (_, i) => account(i + 1));
    const { provider, calls } = node({ maxAccounts: 10 });
    const statuses = await scanner(provider, 40).scan(accounts, 7);
    expect(statuses.map((s) => s.account)).to.deep.equal(accounts);
    expect(calls).to.deep.equal([40, 20, 10, 10, 20, 10, 10]);
  });

  it("reports a single account that cannot be read as unevaluable (ok = false) and reads the others", async () => {
    const accounts = Array.from({ length: 8 }, (_, i) => account(i + 1));
    const { provider } = node({ maxAccounts: 100, poisoned: account(5) });
    const statuses = await scanner(provider, 8).scan(accounts, 7);
    expect(statuses.map((s) => s.account)).to.deep.equal(accounts);
    expect(statuses.filter((s) => !s.ok).map((s) => s.account)).to.deep.equal([account(5)]);
  });

  it("fails the scan (retried on the next head) when the node is down, instead of splitting", async () => {
    const { provider, calls } = node({ maxAccounts: 100, down: true });
    let error: unknown;
    try {
      await scanner(provider, 50).scan(
        Array.from({ length: 50 }, (_, i) => account(i + 1)),
        7,
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    expect(calls).to.deep.equal([50, 50, 50]);
  });
});
