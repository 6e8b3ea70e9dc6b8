import { expect } from "chai";

import { Status } from "../../../scripts/keeper/abi.js";
import { parseKeeperConfig } from "../../../scripts/keeper/config.js";
import { startKeeper } from "../../../scripts/keeper/keeper.js";
import { silentLogger } from "../../../scripts/keeper/logger.js";
import { ETH_MARKET, keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();

describe("keeper against the whole system (through HTTP JSON-RPC)", () => {
  after(() => h.close());
  afterEach(async () => {
    await h.stopAll();
    await h.setAutomine(true);
    await h.resetProxy();
  });

  it("a price move puts accounts over cap: in the next block the keeper's poke and then its deleverages of every one of them, in rank order, consecutive nonces; healthy ones left alone", async () => {
    const system = await h.load();
    const module = system.ballast.riskModule;
    const risky = [await h.openAccount(system, 0.6), await h.openAccount(system, 0.9), await h.openAccount(system, 0.75)];
    const healthy = [await h.openAccount(system, 0.1), await h.openAccount(system, 0.25), await h.openAccount(system, 0.3)];
    const { keeper, address } = await h.start(system);
    const done = outcomes(keeper);
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head, "the keeper to catch up");
    expect(keeper.accounts()).to.have.members([...risky, ...healthy].map((w) => w.address));
    const sizesBefore = await Promise.all(healthy.map((w) => system.ballast.engine.position(w.address, ETH_MARKET)));

    await h.setAutomine(false);
    const spikeBlock = await h.volatilitySpike(system);
    // Before anything is mined, the keeper has sent the poke and, behind it, the three deleverages: it judged
    // them on the state the poke will create (the deployless preview), so one block mines them all.
    await until(() => h.broadcastFrom(address).length === 4, "the poke and three deleverages");
    const sent = h.broadcastFrom(address);
    expect(sent[0]!.to).to.equal(await system.ballast.volatilityOracle.getAddress());
    expect(sent.map((tx) => tx.nonce)).to.deep.equal([0, 1, 2, 3].map((i) => sent[0]!.nonce + i));
    expect((await module.accountStatus(risky[0]!.address)).status, "not over cap before the poke is mined").to.equal(
      BigInt(Status.Healthy),
    );
    await h.networkHelpers.mine();

    await until(() => done.filter((o) => o.status === "confirmed").length === 3, "three confirmed deleverages");
    const events = await h.deleveraged(system, spikeBlock);
    expect(events.map((e) => e.block)).to.deep.equal([spikeBlock + 1, spikeBlock + 1, spikeBlock + 1]);
    expect(events.map((e) => e.account)).to.have.members(risky.map((w) => w.address));
    expect(events.every((e) => e.keeper === address)).to.equal(true);
    // Rank order: most over cap (notional / cap, as the module judged each one) first.
    const ratios = events.map((e) => (e.notional * 10n ** 18n) / e.cap);
    expect(new Set(ratios).size, "distinct ratios").to.equal(3);
    expect(ratios).to.deep.equal([...ratios].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    for (const w of risky) expect((await module.accountStatus(w.address)).status).to.equal(BigInt(Status.Healthy));
    // Healthy accounts: untouched, never the target of a transaction.
    const sizesAfter = await Promise.all(healthy.map((w) => system.ballast.engine.position(w.address, ETH_MARKET)));
    expect(sizesAfter.map((p) => p.size)).to.deep.equal(sizesBefore.map((p) => p.size));
    const targets = (await h.minedFrom(address, spikeBlock)).flatMap((t) => (t.call?.account === undefined ? [] : [t.call.account]));
    expect(targets).to.have.members(risky.map((w) => w.address));
    expect(done.map((o) => o.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
  });

  it("reports metrics and health over HTTP: accounts tracked, over cap, deleverages, last block and lag", async () => {
    const system = await h.load();
    await h.openAccount(system, 0.8);
    await h.openAccount(system, 0.2);
    const { keeper } = await h.start(system);
    const done = outcomes(keeper);
    await h.volatilitySpike(system);
    await until(() => done.some((o) => o.status === "confirmed"), "a confirmed deleverage");
    await until(() => keeper.lastBlock() >= 0 && keeper.health().ok, "a healthy keeper");
    const metrics = await (await fetch(`http://127.0.0.1:${keeper.metricsPort}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(metrics)?.[1]);
    expect(value("keeper_accounts_tracked")).to.equal(2);
    expect(value("keeper_deleverages_sent_total")).to.equal(1);
    expect(value("keeper_deleverages_confirmed_total")).to.equal(1);
    expect(value("keeper_last_block_processed")).to.be.greaterThan(0);
    expect(metrics).to.match(/^keeper_lag_blocks \d+$/m);
    expect(metrics).to.match(/^keeper_accounts_over_cap \d+$/m);
    expect(metrics).to.match(/^# TYPE keeper_rpc_errors_total counter$/m);
    const health = await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`);
    expect(health.status).to.equal(200);
    const body = (await health.json()) as { status: string; lastBlock: number; accounts: number };
    expect(body.status).to.equal("ok");
    expect(body.accounts).to.equal(2);
  });

  it("/health turns 503 when the keeper cannot read the chain for healthMaxAgeSeconds, and stays 200 on a chain that makes no new block", async () => {
    const system = await h.load();
    const { keeper } = await h.start(system, { healthMaxAgeSeconds: 1 });
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head && keeper.health().ok, "a first processed block");
    // An idle chain (automine, nothing to mine): the keeper has processed the head, so it is healthy.
    await new Promise((r) => setTimeout(r, 1_300));
    const idle = await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`);
    expect(idle.status).to.equal(200);
    expect(((await idle.json()) as { status: string; lag: number }).lag).to.equal(0);
    // The RPC stops answering: after healthMaxAgeSeconds without a head, stale.
    h.proxy.add({ method: "eth_blockNumber", action: "http-error" });
    await until(async () => (await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`)).status === 503, "health 503", 10_000);
    const response = await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`);
    expect(((await response.json()) as { status: string }).status).to.equal("stale");
    h.proxy.clear();
    await h.networkHelpers.mine();
    await until(async () => (await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`)).status === 200, "health back to 200");
  });

  it("dry-run simulates and reports what it would send, and sends nothing", async () => {
    const system = await h.load();
    const account = await h.openAccount(system, 0.8);
    const { keeper, address, lines } = await h.start(system, { dryRun: true });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await h.volatilitySpike(system);
    // Without the poke the rounds are not folded: poke it ourselves, as another keeper would.
    await until(() => lines.some((l) => l.includes("dry-run: would send poke")), "the dry-run poke report");
    await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
    await until(() => done.some((o) => o.status === "dry-run"), "a dry-run outcome");
    expect(done[0]!.account).to.equal(account.address);
    expect(lines.some((l) => l.includes("dry-run: would send deleverage") && l.includes(account.address))).to.equal(true);
    expect(h.broadcastFrom(address)).to.have.length(0);
    expect(await h.minedFrom(address, from)).to.have.length(0);
    expect((await system.ballast.riskModule.accountStatus(account.address)).status).to.equal(BigInt(Status.OverCap));
  });

  it("runs in-process as a library: an ethers provider and a Hardhat signer instead of an RPC URL and a key", async () => {
    const system = await h.load();
    const account = await h.openAccount(system, 0.8);
    const signer = (await h.ethers.getSigners())[7]!;
    const config = parseKeeperConfig({
      module: await system.ballast.riskModule.getAddress(),
      lens: await system.ballast.riskLens.getAddress(),
      pollIntervalMs: 50,
      metrics: false,
      confirmations: 1,
      checkpoint: h.file(),
    });
    const keeper = await startKeeper(config, { provider: h.ethers.provider, signer, logger: silentLogger() });
    try {
      const done = outcomes(keeper);
      const from = await h.ethers.provider.getBlockNumber();
      await h.volatilitySpike(system);
      await until(() => done.some((o) => o.status === "confirmed"), "a confirmed deleverage");
      const events = await h.deleveraged(system, from);
      expect(events.map((e) => [e.account, e.keeper])).to.deep.equal([[account.address, signer.address]]);
    } finally {
      await keeper.stop();
    }
  });
});
