import { expect } from "chai";
import { getAddress, id, type Provider, zeroPadValue, toBeHex } from "ethers";

import { POSITION_CHANGED_TOPIC } from "../../../scripts/keeper/abi.js";
import { AccountDiscovery } from "../../../scripts/keeper/discovery.js";
import { silentLogger } from "../../../scripts/keeper/logger.js";
import { KeeperMetrics } from "../../../scripts/keeper/metrics.js";
import { Rpc } from "../../../scripts/keeper/rpc.js";

const ENGINE = getAddress("0x00000000000000000000000000000000000000e0");
const account = (i: number) => getAddress(`0x${i.toString(16).padStart(40, "0")}`);

interface FakeBlock {
  number: number;
  hash: string;
  parentHash: string;
  accounts: string[];
}

/** An in-memory chain: blocks with PositionChanged logs, forkable, with a node that refuses large ranges. */
class FakeChain {
  blocks: FakeBlock[] = [];
  maxRange = Infinity;
  readonly ranges: [number, number][] = [];

  constructor(length: number, accountsAt: Record<number, string[]> = {}, branch = "a") {
    this.extend(length, accountsAt, branch);
  }

  extend(count: number, accountsAt: Record<number, string[]> = {}, branch = "a"): void {
    for (let i = 0; i < count; i++) {
      const number = this.blocks.length;
      const parentHash = number === 0 ? `0x${"00".repeat(32)}` : this.blocks[number - 1]!.hash;
      this.blocks.push({ number, hash: id(`${branch}-${number}-${parentHash}`), parentHash, accounts: accountsAt[number] ?? [] });
    }
  }

  /** Replaces every block from `from` on with a new branch of `length` blocks. */
  fork(from: number, length: number, accountsAt: Record<number, string[]>, branch: string): void {
    this.blocks = this.blocks.slice(0, from);
    this.extend(length, accountsAt, branch);
  }

  provider(): Provider {
    return {
      getBlockNumber: async () => this.blocks.length - 1,
      getBlock: async (n: number) => {
        const b = this.blocks[n];
        return b === undefined ? null : { number: b.number, hash: b.hash, parentHash: b.parentHash };
      },
      getLogs: async (filter: { fromBlock: number; toBlock: number; address: string }) => {
        if (filter.toBlock - filter.fromBlock + 1 > this.maxRange) {
          const error = new Error("could not coalesce error") as Error & { info: unknown };
          error.info = { error: { code: -32005, message: `block range too large, limit ${this.maxRange}` } };
          throw error;
        }
        this.ranges.push([filter.fromBlock, filter.toBlock]);
        return this.blocks.slice(filter.fromBlock, filter.toBlock + 1).flatMap((b) =>
          b.accounts.map((a) => ({
            blockNumber: b.number,
            blockHash: b.hash,
            address: ENGINE,
            topics: [POSITION_CHANGED_TOPIC, zeroPadValue(a, 32), toBeHex(1, 32)],
          })),
        );
      },
    } as unknown as Provider;
  }
}

function discovery(
  chain: FakeChain,
  options: Partial<{ startBlock: number; logChunkBlocks: number; reorgHistory: number; safeDepth: number }> = {},
) {
  const metrics = new KeeperMetrics();
  const d = new AccountDiscovery(
    chain.provider(),
    new Rpc({ timeoutMs: 1_000, attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }),
    { engine: ENGINE, startBlock: 0, logChunkBlocks: 100, reorgHistory: 16, safeDepth: 3, concurrency: 4, ...options },
    silentLogger(),
    metrics,
  );
  return { d, metrics };
}

describe("keeper discovery (in-memory chain)", () => {
  it("finds every account from startBlock, far from the head in ranges and near it block by block", async () => {
    const chain = new FakeChain(500, { 3: [account(1)], 250: [account(2), account(3)], 490: [account(4)], 499: [account(1)] });
    const { d } = discovery(chain, { startBlock: 2 });
    const result = await d.syncTo(499);
    expect(d.accounts).to.deep.equal([account(1), account(2), account(3), account(4)]);
    expect(result.added).to.have.length(4);
    expect(d.lastBlock).to.equal(499);
    expect(d.lastBlockHash).to.equal(chain.blocks[499]!.hash);
    expect(chain.ranges[0]![0]).to.equal(2);
  });

  it("halves a block range the node refuses as too large, never loses a log, and grows the range back", async () => {
    const accounts: Record<number, string[]> = {};
    for (let b = 0; b < 3_000; b += 37) accounts[b] = [account(b + 1)];
    const chain = new FakeChain(3_000, accounts);
    chain.maxRange = 300;
    const { d } = discovery(chain, { logChunkBlocks: 2_000 });
    await d.syncTo(2_999);
    expect(d.accounts).to.have.length(Object.keys(accounts).length);
    for (const [from, to] of chain.ranges) expect(to - from + 1).to.be.at.most(300);
    // After refusals the range climbs back up to the node's limit rather than staying at one block.
    expect(Math.max(...chain.ranges.map(([f, t]) => t - f + 1))).to.be.at.least(150);
    const covered = new Set<number>();
    for (const [from, to] of chain.ranges) for (let b = from; b <= to; b++) covered.add(b);
    for (let b = 0; b < 2_999; b++) expect(covered.has(b), `block ${b}`).to.equal(true);
  });

  it("on a reorg, rewinds to the fork point minus the safe depth, reads the new branch, and keeps every account", async () => {
    const chain = new FakeChain(60, { 45: [account(0xa)] });
    const { d, metrics } = discovery(chain, { reorgHistory: 32, safeDepth: 3 });
    await d.syncTo(59);
    expect(d.accounts).to.deep.equal([account(0xa)]);
    chain.fork(40, 25, { 42: [account(0xb)] }, "b"); // blocks 40..64 replaced; 0xb at block 42
    chain.ranges.length = 0;
    const result = await d.syncTo(64);
    expect(result.reorged).to.equal(true);
    expect((await metrics.reorgs.get()).values[0]!.value).to.equal(1);
    expect(d.accounts).to.deep.equal([account(0xa), account(0xb)]);
    expect(d.lastBlockHash).to.equal(chain.blocks[64]!.hash);
    // Re-read from (fork point 39) - safe depth 3 + 1 = 37.
    expect(Math.min(...chain.ranges.map(([f]) => f))).to.equal(37);
  });

  it("a reorg of equal length is caught when the next block arrives", async () => {
    const chain = new FakeChain(30);
    const { d } = discovery(chain, { reorgHistory: 20, safeDepth: 0 });
    await d.syncTo(29);
    chain.fork(25, 6, { 25: [account(7)] }, "c"); // 25..30, account at 25
    await d.syncTo(30);
    expect(d.accounts).to.deep.equal([account(7)]);
    expect(d.lastBlockHash).to.equal(chain.blocks[30]!.hash);
  });

  it("a reorg deeper than every kept hash re-reads all logs from startBlock, so no account is lost", async () => {
    const chain = new FakeChain(100, { 70: [account(1)] });
    const { d } = discovery(chain, { reorgHistory: 8, safeDepth: 2 });
    await d.syncTo(99);
    chain.fork(60, 41, { 65: [account(2)] }, "deep"); // 60..100, account at 65
    chain.ranges.length = 0;
    await d.syncTo(100);
    expect(d.accounts).to.include(account(2)).and.include(account(1));
    expect(Math.min(...chain.ranges.map(([f]) => f))).to.be.at.most(65);
  });

  it("a reorg below the dense window finds its fork point among the sparse hashes and re-reads only from there", async () => {
    const chain = new FakeChain(200, { 120: [account(1)] });
    const { d } = discovery(chain, { reorgHistory: 8, safeDepth: 2 });
    await d.syncTo(199);
    chain.fork(150, 51, { 160: [account(2)] }, "sparse");
    chain.ranges.length = 0;
    await d.syncTo(200);
    expect(d.accounts).to.deep.equal([account(1), account(2)]);
    const start = Math.min(...chain.ranges.map(([f]) => f));
    expect(start).to.be.above(0);
    expect(start).to.be.at.most(150);
  });

  it("resuming from a checkpoint whose block was reorganized away re-reads a history window below it", async () => {
    const chain = new FakeChain(80, { 75: [account(3)] });
    const { d } = discovery(chain, { reorgHistory: 10, safeDepth: 2 });
    await d.restore({ lastBlock: 78, lastBlockHash: id("not-canonical"), accounts: [account(1)], markets: [] });
    expect(d.lastBlock).to.equal(66);
    await d.syncTo(79);
    expect(d.accounts).to.deep.equal([account(1), account(3)]);
  });

  it("resuming from a checkpoint keeps its markets; one without markets (version 1) keeps its accounts and re-reads the logs from startBlock", async () => {
    const chain = new FakeChain(80, { 75: [account(3)] });
    const { d } = discovery(chain, { reorgHistory: 10, safeDepth: 2 });
    await d.restore({ lastBlock: 79, lastBlockHash: chain.blocks[79]!.hash, accounts: [account(1)], markets: [4n] });
    expect([...d.markets]).to.deep.equal([4n]);
    expect(d.lastBlock).to.equal(79);
    const { d: old } = discovery(chain, { reorgHistory: 10, safeDepth: 2 });
    await old.restore({ lastBlock: 79, lastBlockHash: chain.blocks[79]!.hash, accounts: [account(1)] });
    expect(old.lastBlock).to.equal(-1);
    await old.syncTo(79);
    expect(old.accounts).to.deep.equal([account(1), account(3)]);
    expect(old.markets.size).to.be.greaterThan(0);
  });
});
