import { expect } from "chai";
import { parseUnits, toBigInt, Wallet } from "ethers";

import { Status } from "../../../scripts/keeper/abi.js";
import { answer } from "../../../scripts/lib/chainlink/feeds.js";
import { ETH_MARKET, type Harness, keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();
const GWEI = 10n ** 9n;

/** Exactly one `Deleveraged` per account in `accounts`, none for anyone else. */
async function expectDeleveragedOnce(harness: Harness, system: Awaited<ReturnType<Harness["load"]>>, from: number, accounts: string[]) {
  const events = await harness.deleveraged(system, from);
  expect(events.map((e) => e.account)).to.have.members(accounts);
  expect(events).to.have.length(accounts.length);
}

/** No (account, market) is the target of two mined transactions of `sender`. */
async function expectNoDoubleSend(harness: Harness, sender: string, from: number) {
  const targets = (await harness.minedFrom(sender, from)).flatMap((t) =>
    t.call?.name === "deleverage" ? [`${t.call.account}:${t.call.market}`] : [],
  );
  expect(new Set(targets).size, `mined deleverages of ${sender}: ${targets.join(", ")}`).to.equal(targets.length);
  return targets;
}

/**
 * With automine off: the spike rounds and a poke of the oracle in ONE block, mined. The accounts are over
 * cap from that block on (keepers of these tests run with `poke: false`); automine stays off.
 */
async function overCapInOneBlock(harness: Harness, system: Awaited<ReturnType<Harness["load"]>>): Promise<number> {
  await harness.setAutomine(false);
  await harness.volatilitySpike(system, 3_000, false);
  await system.ballast.volatilityOracle.poke(system.feeds.eth.address, { gasLimit: 5_000_000 });
  await harness.networkHelpers.mine();
  return harness.ethers.provider.getBlockNumber();
}

describe("keeper under faults (each injected on purpose; nothing lost, nothing sent twice)", () => {
  after(() => h.close());
  afterEach(async () => {
    await h.stopAll();
    await h.setAutomine(true);
    await h.resetProxy();
  });

  it("RPC errors, HTTP errors, dropped connections, timeouts, refused log ranges and a lost broadcast answer: every over-cap account is deleveraged exactly once", async () => {
    const system = await h.load();
    const risky = [await h.openAccount(system, 0.7), await h.openAccount(system, 0.8), await h.openAccount(system, 0.9)];
    const calm = await h.openAccount(system, 0.2);
    const proxy = h.proxy;
    const range = (params: unknown[]) => {
      const filter = params[0] as { fromBlock?: string; toBlock?: string };
      return (
        filter.fromBlock !== undefined && filter.toBlock !== undefined && toBigInt(filter.toBlock) - toBigInt(filter.fromBlock) + 1n > 10n
      );
    };
    proxy
      .add({
        method: "eth_getLogs",
        action: "error",
        when: range,
        error: { code: -32005, message: "block range too large: 10 blocks at most" },
      })
      .add({ method: "eth_getLogs", action: "drop", times: 1, skip: 2 })
      .add({ method: "eth_call", action: "error", times: 3, skip: 4 })
      .add({ method: "eth_blockNumber", action: "drop", times: 2, skip: 3 })
      .add({ method: "eth_getBlockByNumber", action: "http-error", times: 2, skip: 5 })
      .add({ method: "eth_estimateGas", action: "timeout", times: 1 })
      // The first deleverage's broadcast reaches the node but its answer is lost.
      .add({ method: "eth_sendRawTransaction", action: "forward-then-drop", times: 1, skip: 1 })
      .add({ method: "eth_getTransactionReceipt", action: "error", times: 2 })
      .add({ method: "eth_getTransactionCount", action: "delay", delayMs: 300, times: 2 });
    // A timeout that a loaded machine's in-process node never reaches on a healthy request (2 cores, parallel
    // mocha workers: a preview eth_call takes up to about a second), so that only the injected faults fail.
    const { keeper, address } = await h.start(system, { rpcTimeoutMs: 2_500, rpcAttempts: 6, logChunkBlocks: 500 });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up through the faults");
    expect(keeper.accounts()).to.have.members([...risky, calm].map((w) => w.address));
    await h.volatilitySpike(system);
    await until(() => done.filter((o) => o.status === "confirmed").length === 3, "three confirmed deleverages", 60_000).catch(
      (error: Error) => {
        // What the keeper did instead, for the failure message.
        throw new Error(`${error.message}; outcomes: ${JSON.stringify(done, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
      },
    );

    await expectDeleveragedOnce(
      h,
      system,
      from,
      risky.map((w) => w.address),
    );
    const targets = await expectNoDoubleSend(h, address, from);
    expect(targets).to.have.length(3);
    // The transaction whose answer was lost was found by its hash, not sent again under another nonce.
    const deleverages = h
      .broadcastFrom(address)
      .filter((tx) => tx.to === null || tx.data.startsWith(system.ballast.riskModule.interface.getFunction("deleverage").selector));
    expect(new Set(deleverages.map((tx) => tx.nonce)).size).to.equal(3);
    for (const action of ["error", "drop", "http-error", "timeout", "forward-then-drop", "delay"] as const) {
      expect(proxy.fired.get(action) ?? 0, `fault ${action} fired`).to.be.greaterThan(0);
    }
    const rpcErrors = (await keeper.metrics.rpcErrors.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(rpcErrors).to.be.greaterThan(5);
    expect((await system.ballast.riskModule.accountStatus(calm.address)).status).to.equal(BigInt(Status.Healthy));
  });

  it("a poke of an earlier block, mined but not yet seen confirmed (its receipts fail), does not stand for a new round's poke: the new rounds get a poke of their own at once, the deleverage goes behind it, and nothing reverts", async () => {
    const system = await h.load();
    const risky = await h.openAccount(system, 0.8);
    const { keeper, address } = await h.start(system);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    h.proxy.add({ method: "eth_getTransactionReceipt", action: "error" });
    // A calm round: the keeper pokes it; the poke is mined, and the keeper cannot read its receipt.
    const latest = await h.networkHelpers.time.latest();
    await system.feeds.eth.aggregator.transmitBatch([answer(3_000)], [latest + 60]);
    await h.networkHelpers.time.setNextBlockTimestamp(latest + 61);
    await h.networkHelpers.mine();
    await until(async () => (await h.minedFrom(address, from)).length === 1, "the calm round's poke mined");
    expect(keeper.health().body.inFlight, "the mined poke is still in flight for the keeper").to.equal(1);

    // New rounds put the account over cap while that poke is still in flight (its receipts still unreadable).
    const spike = await h.volatilitySpike(system);
    await until(async () => (await h.deleveraged(system, spike)).length === 1, "the deleverage behind a poke of the new rounds", 30_000);
    const mined = await h.minedFrom(address, from);
    expect(
      mined.filter((t) => t.status !== 1).map((t) => t.hash),
      "no transaction of the keeper reverted",
    ).to.deep.equal([]);
    expect(mined.filter((t) => t.call?.name === "deleverage").map((t) => t.call?.account)).to.deep.equal([risky.address]);
    expect(
      mined.filter((t) => t.call === undefined),
      "two pokes: the calm round's and the new rounds'",
    ).to.have.length(2);
    h.proxy.clear();
  });

  it("a deleverage that reverts on-chain (the user reduced first) is reported as failed and not sent again", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.8);
    const { keeper, address } = await h.start(system, { cooldownSeconds: 0.2, poke: false });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    await overCapInOneBlock(h, system);
    await until(() => h.broadcastFrom(address).length === 1, "the deleverage broadcast");
    // Before it is mined, the user cuts the position to a tenth, with a higher tip: mined first.
    const { size } = await system.ballast.engine.position(user.address, ETH_MARKET);
    await system.ballast.engine
      .connect(user)
      // A fixed gas limit: estimating it would run on the pending block, where the keeper's deleverage
      // already shrank the position.
      .trade(ETH_MARKET, -((size * 9n) / 10n), { maxPriorityFeePerGas: 50n * GWEI, maxFeePerGas: 100n * GWEI, gasLimit: 3_000_000n });
    await h.networkHelpers.mine();
    await until(() => done.length === 1, "the outcome");
    expect(done[0]!.status).to.equal("reverted");
    // More blocks, past the cooldown: the account is healthy now, nothing else is sent.
    for (let i = 0; i < 5; i++) {
      await h.networkHelpers.mine();
      await new Promise((r) => setTimeout(r, 60));
    }
    await until(() => keeper.lastBlock() >= from + 5, "more blocks processed");
    const mined = (await h.minedFrom(address, from)).filter((t) => t.call?.name === "deleverage");
    expect(mined).to.have.length(1);
    expect(mined[0]!.status).to.equal(0);
    expect(h.broadcastFrom(address).filter((tx) => tx.to === mined[0]!.tx.to)).to.have.length(1);
    expect((await keeper.metrics.deleveragesFailed.get()).values.find((v) => v.labels.reason === "reverted")?.value).to.equal(1);
    expect((await system.ballast.riskModule.accountStatus(user.address)).status).to.equal(BigInt(Status.Healthy));
  });

  it("a nonce taken by another sender with the same key: the keeper resyncs its nonce, re-simulates and sends once", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.8);
    const { key, address } = await h.fundedKey();
    const { keeper } = await h.start(system, { poke: false }, key);
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    // Another process with the same key spends the nonce the keeper holds locally.
    const other = new Wallet(key, h.ethers.provider);
    const stolen = await other.getNonce("pending");
    await (await other.sendTransaction({ to: other.address, value: 1n })).wait();
    await overCapInOneBlock(h, system);
    await until(() => h.broadcastFrom(address).length === 2, "the rejected broadcast and the resend");
    await h.networkHelpers.mine();
    await until(() => done.length === 1, "the outcome");
    expect(done[0]!.status).to.equal("confirmed");
    const attempts = h.broadcastFrom(address);
    expect(attempts.map((tx) => tx.nonce)).to.deep.equal([stolen, stolen + 1]);
    const mined = (await h.minedFrom(address, from)).filter((t) => t.call?.name === "deleverage");
    expect(mined).to.have.length(1);
    expect(mined[0]!.nonce).to.equal(stolen + 1);
    expect((await keeper.metrics.nonceResyncs.get()).values[0]!.value).to.be.at.least(1);
    await expectDeleveragedOnce(h, system, from, [user.address]);
  });

  it("a low-fee transaction stuck under a rising base fee is replaced at the same nonce with fees bumped by >= 20 %, and mined once", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.8);
    const { keeper, address } = await h.start(system, {
      stuckAfterSeconds: 0.3,
      bumpPercent: 20,
      priorityFee: "1",
      maxFeePerGas: "1000",
      poke: false,
    });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    await overCapInOneBlock(h, system);
    await until(() => h.broadcastFrom(address).length === 1, "the first broadcast");
    const first = h.broadcastFrom(address)[0]!;
    // The base fee jumps above the transaction's fee cap: it stays pending.
    await h.networkHelpers.setNextBlockBaseFeePerGas(first.maxFeePerGas! * 50n + 50n * GWEI);
    await h.networkHelpers.mine();
    expect(await h.ethers.provider.getTransactionReceipt(first.hash!)).to.equal(null);
    await until(() => h.broadcastFrom(address).length >= 2, "the replacement");
    await h.networkHelpers.mine();
    await until(() => done.length === 1, "the outcome");
    expect(done[0]!.status).to.equal("confirmed");
    const replacement = h.broadcastFrom(address)[1]!;
    expect(replacement.nonce).to.equal(first.nonce);
    expect(replacement.data).to.equal(first.data);
    expect(replacement.maxFeePerGas! * 100n).to.be.at.least(first.maxFeePerGas! * 120n);
    expect(replacement.maxPriorityFeePerGas! * 100n).to.be.at.least(first.maxPriorityFeePerGas! * 120n);
    expect(done[0]!.hash).to.equal(replacement.hash);
    expect(await h.ethers.provider.getTransactionReceipt(first.hash!)).to.equal(null);
    const mined = (await h.minedFrom(address, from)).filter((t) => t.call?.name === "deleverage");
    expect(mined.map((t) => t.hash)).to.deep.equal([replacement.hash]);
    expect((await keeper.metrics.replacements.get()).values[0]!.value).to.be.at.least(1);
    await expectDeleveragedOnce(h, system, from, [user.address]);
  });

  it("a stuck transaction whose deleverage became unnecessary is cancelled at its nonce instead of being replaced", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.8);
    const { keeper, address } = await h.start(system, {
      stuckAfterSeconds: 0.3,
      bumpPercent: 25,
      priorityFee: "1",
      maxFeePerGas: "1000",
      poke: false,
    });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    await overCapInOneBlock(h, system);
    await until(() => h.broadcastFrom(address).length === 1, "the first broadcast");
    const first = h.broadcastFrom(address)[0]!;
    await h.networkHelpers.setNextBlockBaseFeePerGas(first.maxFeePerGas! * 50n + 50n * GWEI);
    // In that block the user closes most of the position (paying the high base fee): nothing left to do.
    const { size } = await system.ballast.engine.position(user.address, ETH_MARKET);
    await system.ballast.engine
      .connect(user)
      .trade(ETH_MARKET, -((size * 9n) / 10n), { maxFeePerGas: parseUnits("5000", "gwei"), maxPriorityFeePerGas: GWEI });
    await h.networkHelpers.mine();
    await until(() => h.broadcastFrom(address).length >= 2, "the cancel");
    const cancel = h.broadcastFrom(address)[1]!;
    expect(cancel.nonce).to.equal(first.nonce);
    expect(cancel.to).to.equal(address);
    expect(cancel.value).to.equal(0n);
    await h.networkHelpers.mine();
    await until(() => done.length === 1, "the outcome");
    expect(done[0]!.status).to.equal("cancelled");
    expect(await h.deleveraged(system, from)).to.have.length(0);
    expect(await h.ethers.provider.getTransactionReceipt(first.hash!)).to.equal(null);
  });

  it("a transaction the node dropped from its mempool is broadcast again at its nonce (replacement limit 0: unchanged), and mined once", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.8);
    const { keeper, address } = await h.start(system, { stuckAfterSeconds: 0.3, maxReplacements: 0, poke: false });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    await overCapInOneBlock(h, system);
    await until(() => h.broadcastFrom(address).length === 1, "the first broadcast");
    const first = h.broadcastFrom(address)[0]!;
    expect(await h.connection.provider.request({ method: "hardhat_dropTransaction", params: [first.hash] })).to.equal(true);
    await until(() => h.broadcastFrom(address).length >= 2, "the re-broadcast");
    await until(async () => (await h.ethers.provider.getTransaction(first.hash!)) !== null, "the transaction back in the mempool");
    await h.networkHelpers.mine();
    await until(() => done.length === 1, "the outcome");
    expect(done[0]!.status).to.equal("confirmed");
    expect(done[0]!.hash).to.equal(first.hash);
    expect(h.broadcastFrom(address).every((tx) => tx.hash === first.hash)).to.equal(true);
    await expectDeleveragedOnce(h, system, from, [user.address]);
  });
});
