import { expect } from "chai";
import fc from "fast-check";
import { MaxUint256 } from "ethers";

import { Status } from "../../../scripts/keeper/abi.js";
import { compareCandidates, rankOverCap, ratioWad } from "../../../scripts/keeper/ranking.js";
import { inShard, shardOf } from "../../../scripts/keeper/shard.js";
import type { AccountStatus } from "../../../scripts/keeper/types.js";

const WAD = 10n ** 18n;
const SEED = Number(process.env.FC_SEED ?? 0x6b656570);

function status(account: number, notional: bigint, cap: bigint, overrides: Partial<AccountStatus> = {}): AccountStatus {
  return {
    account: `0x${account.toString(16).padStart(40, "0")}`,
    ok: true,
    status: Status.OverCap,
    equity: 1_000n * WAD,
    requirement: 0n,
    buffer: 0n,
    freeEquity: 1_000n * WAD,
    worst: {
      market: 1n,
      size: notional,
      price: WAD,
      source: 0,
      notional,
      cap,
      binding: 1,
      deleverageNotional: notional > cap ? notional - cap : 0n,
    },
    ratio: ratioWad(notional, cap),
    reason: "0x",
    ...overrides,
  };
}

describe("keeper ranking", () => {
  it("ranks over-cap accounts by notional / cap, most over cap first", () => {
    const ranked = rankOverCap([status(1, 110n * WAD, 100n * WAD), status(2, 300n * WAD, 100n * WAD), status(3, 150n * WAD, 100n * WAD)]);
    expect(ranked.map((c) => Number(BigInt(c.account)))).to.deep.equal([2, 3, 1]);
  });

  it("leaves out healthy, oracle-invalid and unevaluable (ok = false) accounts", () => {
    const ranked = rankOverCap([
      status(1, 200n * WAD, 100n * WAD, { status: Status.Healthy }),
      status(2, 200n * WAD, 100n * WAD, { status: Status.OracleInvalid }),
      status(3, 200n * WAD, 100n * WAD, { ok: false }),
      status(4, 120n * WAD, 100n * WAD),
    ]);
    expect(ranked.map((c) => Number(BigInt(c.account)))).to.deep.equal([4]);
  });

  it("compares ratios exactly where floating point would call them equal", () => {
    // 1e30+1 / 1e30 vs 1e30 / 1e30: equal as doubles, different as rationals.
    const big = 10n ** 30n;
    const ranked = rankOverCap([status(1, big, big), status(2, big + 1n, big)]);
    expect(Number(big + 1n) / Number(big)).to.equal(1);
    expect(ranked.map((c) => Number(BigInt(c.account)))).to.deep.equal([2, 1]);
  });

  it("ranks a zero cap first and reports its ratio as 2^256 - 1", () => {
    const ranked = rankOverCap([status(1, 500n * WAD, 100n * WAD), status(2, 1n, 0n)]);
    expect(ranked[0]!.account).to.equal(status(2, 1n, 0n).account);
    expect(ranked[0]!.ratio).to.equal(MaxUint256);
  });

  it("breaks ties by the larger deleverage, then by the lower address (two keepers rank alike)", () => {
    const a = status(9, 200n * WAD, 100n * WAD);
    const b = status(5, 400n * WAD, 200n * WAD);
    const c = status(7, 200n * WAD, 100n * WAD);
    expect(rankOverCap([a, c, b]).map((x) => Number(BigInt(x.account)))).to.deep.equal([5, 7, 9]);
  });

  it("property (1,000 runs): the ranking is a sorted permutation of exactly the over-cap accounts", () => {
    const arbitraryStatus = fc.record({
      account: fc.integer({ min: 1, max: 1_000_000 }),
      notional: fc.bigInt({ min: 0n, max: 10n ** 30n }),
      cap: fc.bigInt({ min: 0n, max: 10n ** 30n }),
      status: fc.constantFrom(Status.Healthy, Status.OverCap, Status.OracleInvalid),
      ok: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbitraryStatus, { maxLength: 60 }), (items) => {
        const statuses = items.map((s) => status(s.account, s.notional, s.cap, { status: s.status, ok: s.ok }));
        const ranked = rankOverCap(statuses);
        const expected = statuses.filter((s) => s.ok && s.status === Status.OverCap);
        expect(ranked).to.have.length(expected.length);
        for (let i = 1; i < ranked.length; i++) expect(compareCandidates(ranked[i - 1]!, ranked[i]!)).to.be.at.most(0);
        for (let i = 1; i < ranked.length; i++) {
          const [p, q] = [ranked[i - 1]!, ranked[i]!];
          if (p.cap !== 0n && q.cap !== 0n) expect(p.notional * q.cap >= q.notional * p.cap).to.equal(true);
        }
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });
});

describe("keeper sharding", () => {
  it("assigns every account to exactly one shard, deterministically, keccak(account) mod count", () => {
    const accounts = Array.from({ length: 3_000 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    const counts = [0, 0, 0];
    for (const a of accounts) {
      const shard = shardOf(a, 3);
      expect(shardOf(a.toUpperCase().replace("0X", "0x"), 3)).to.equal(shard);
      expect([0, 1, 2].filter((i) => inShard(a, i, 3))).to.deep.equal([shard]);
      counts[shard]!++;
    }
    // Balanced within 10 % of the mean on 3,000 accounts.
    for (const c of counts) expect(Math.abs(c - 1_000)).to.be.below(100);
    expect(shardOf(accounts[0]!, 1)).to.equal(0);
  });
});
