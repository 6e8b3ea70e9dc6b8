import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { Wallet } from "ethers";

import { type Checkpoint } from "../../../scripts/keeper/checkpoint.js";
import { shardOf } from "../../../scripts/keeper/shard.js";
import { keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();

/** Keys whose addresses fall in each of `count` shards, `perShard` each. */
function keysByShard(count: number, perShard: number): string[][] {
  const shards: string[][] = Array.from({ length: count }, () => []);
  while (shards.some((s) => s.length < perShard)) {
    const key = Wallet.createRandom().privateKey;
    const shard = shards[shardOf(new Wallet(key).address, count)]!;
    if (shard.length < perShard) shard.push(key);
  }
  return shards;
}

describe("keepers side by side, and reorgs", () => {
  after(() => h.close());
  afterEach(async () => {
    await h.stopAll();
    await h.resetProxy();
  });

  it("two unsharded keepers race on the same accounts: each account is deleveraged exactly once and neither keeper sends one twice", async () => {
    const system = await h.load();
    const risky = [
      await h.openAccount(system, 0.6),
      await h.openAccount(system, 0.7),
      await h.openAccount(system, 0.8),
      await h.openAccount(system, 0.9),
    ];
    await h.openAccount(system, 0.2);
    const a = await h.start(system);
    const b = await h.start(system);
    const doneA = outcomes(a.keeper);
    const doneB = outcomes(b.keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => a.keeper.lastBlock() >= from && b.keeper.lastBlock() >= from, "both keepers to catch up");
    await h.volatilitySpike(system);
    await until(async () => (await h.deleveraged(system, from)).length === 4, "four deleverages", 30_000);
    await until(
      () =>
        [...doneA, ...doneB].filter((o) => o.status !== "skipped").length >= 4 &&
        a.keeper.health().body.inFlight === 0 &&
        b.keeper.health().body.inFlight === 0,
      "both keepers idle",
    );
    const events = await h.deleveraged(system, from);
    expect(events.map((e) => e.account)).to.have.members(risky.map((w) => w.address));
    for (const k of [a, b]) {
      const targets = (await h.minedFrom(k.address, from)).flatMap((t) => (t.call?.name === "deleverage" ? [t.call.account!] : []));
      expect(new Set(targets).size, `keeper ${k.address} sent a deleverage twice`).to.equal(targets.length);
    }
    const confirmed = [...doneA, ...doneB].filter((o) => o.status === "confirmed");
    expect(confirmed.map((o) => o.account)).to.have.members(risky.map((w) => w.address));
    // The loser of each race either saw it in simulation (dropped, no gas spent) or reverted on-chain; a job
    // skipped (its account's job in flight) or deferred to a later block (retry-later: its poke of an earlier
    // block not yet sent) sent nothing.
    for (const o of [...doneA, ...doneB].filter((x) => x.status !== "confirmed"))
      expect(["dropped", "reverted", "skipped", "retry-later"]).to.include(o.status);
  });

  it("two keepers sharded 0/2 and 1/2 split the accounts by keccak(account) mod 2: each deleverages only its own", async () => {
    const system = await h.load();
    const [shard0, shard1] = keysByShard(2, 2);
    const accounts = [];
    for (const key of [...shard0!, ...shard1!]) accounts.push(await h.openAccount(system, 0.8, 1_000, key));
    const k0 = await h.start(system, { shardIndex: 0, shardCount: 2 });
    const k1 = await h.start(system, { shardIndex: 1, shardCount: 2 });
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => k0.keeper.lastBlock() >= from && k1.keeper.lastBlock() >= from, "both keepers to catch up");
    expect(k0.keeper.health().body.owned).to.equal(2);
    expect(k1.keeper.health().body.owned).to.equal(2);
    // Both discover every account (the checkpoint is complete); each scans only its shard.
    expect(k0.keeper.accounts()).to.have.length(4);
    await h.volatilitySpike(system);
    await until(async () => (await h.deleveraged(system, from)).length === 4, "four deleverages", 30_000);
    for (const event of await h.deleveraged(system, from)) {
      expect(event.keeper).to.equal(shardOf(event.account, 2) === 0 ? k0.address : k1.address);
    }
  });

  it("a reorg (evm_revert to a snapshot, then a different chain): the keeper rewinds, reads the new branch, and loses no account", async () => {
    const system = await h.load();
    const base = await h.openAccount(system, 0.3);
    const { keeper, checkpoint } = await h.start(system, { reorgHistory: 32, safeDepth: 2 });
    const snapshot = (await h.connection.provider.request({ method: "evm_snapshot", params: [] })) as string;
    const orphan = await h.openAccount(system, 0.3);
    const orphanHead = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= orphanHead, "the keeper to process the branch that will be abandoned");
    expect(keeper.accounts()).to.include(orphan.address);

    await h.connection.provider.request({ method: "evm_revert", params: [snapshot] });
    const fresh = await h.openAccount(system, 0.3);
    while ((await h.ethers.provider.getBlockNumber()) <= orphanHead + 1) await h.networkHelpers.mine();
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.accounts().includes(fresh.address) && keeper.lastBlock() >= head, "the account of the new branch");
    expect(keeper.accounts()).to.include.members([base.address, orphan.address, fresh.address]);
    expect((await keeper.metrics.reorgs.get()).values[0]!.value).to.be.at.least(1);
    await keeper.stop();
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.lastBlockHash).to.equal((await h.ethers.provider.getBlock(saved.lastBlock))!.hash);
    expect(saved.accounts).to.include.members([base.address, orphan.address, fresh.address]);
  });
});
