import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { parseEther } from "ethers";

import { Status } from "../../../scripts/keeper/abi.js";
import type { Checkpoint } from "../../../scripts/keeper/checkpoint.js";
import { FaultProxy } from "../../../scripts/keeper/testing/faultProxy.js";
import { keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();

/** A metric's value in the Prometheus text (the first sample whose labels contain `labels`). */
async function metric(port: number | undefined, name: string, labels = ""): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  for (const line of text.split("\n")) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match !== null && (match[1] ?? "").includes(labels)) return Number(match[2]);
  }
  return undefined;
}

/** With automine off: the spike rounds and a poke in one block; the accounts are over cap from that block on. */
async function overCapInOneBlock(system: Awaited<ReturnType<typeof h.load>>): Promise<number> {
  await h.setAutomine(false);
  await h.volatilitySpike(system, 3_000, false);
  await system.ballast.volatilityOracle.poke(system.feeds.eth.address, { gasLimit: 5_000_000 });
  await h.networkHelpers.mine();
  await h.setAutomine(true);
  return h.ethers.provider.getBlockNumber();
}

describe("keeper as a service: failover, balance, profitability, --once, unevaluable accounts", () => {
  const extra: FaultProxy[] = [];
  after(() => h.close());
  afterEach(async () => {
    await h.stopAll();
    await h.setAutomine(true);
    await h.resetProxy();
    for (const p of extra.splice(0)) await p.close();
  });

  it("two RPC endpoints: when the first stops answering the keeper fails over to the second, deleverages, reports each endpoint, and returns to the first once it answers", async () => {
    const system = await h.load();
    const account = await h.openAccount(system, 0.8);
    const second = new FaultProxy(h.bridge.url);
    await second.start();
    extra.push(second);
    const { keeper } = await h.start(system, { rpc: [h.proxy.url, second.url], rpcTimeoutMs: 500, rpcAttempts: 6 });
    const done = outcomes(keeper);
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head, "the keeper to catch up");
    const port = keeper.metricsPort;
    expect(await metric(port, "keeper_rpc_endpoint_active", 'endpoint="0:')).to.equal(1);

    h.proxy.add({ method: "*", action: "drop" });
    await h.volatilitySpike(system);
    await until(() => done.some((o) => o.status === "confirmed"), "a confirmed deleverage through the second endpoint", 30_000);
    // Only that account; one confirmed deleverage (a job deferred to a later block, retry-later, may come first).
    expect([...new Set(done.map((o) => o.account))]).to.deep.equal([account.address]);
    expect(done.filter((o) => o.status === "confirmed")).to.have.length(1);
    expect(second.count("eth_sendRawTransaction")).to.be.greaterThan(0);
    expect(await metric(port, "keeper_rpc_endpoint_failures_total", 'endpoint="0:')).to.be.greaterThan(0);
    expect(await metric(port, "keeper_rpc_endpoint_up", 'endpoint="0:')).to.equal(0);
    expect(await metric(port, "keeper_rpc_endpoint_active", 'endpoint="1:')).to.equal(1);
    expect(await metric(port, "keeper_rpc_failovers_total")).to.be.at.least(1);
    expect((await system.ballast.riskModule.accountStatus(account.address)).status).to.equal(BigInt(Status.Healthy));

    // The first endpoint answers again: after its backoff the keeper goes back to it.
    h.proxy.clear();
    const before = h.proxy.requests.length;
    await until(
      async () => {
        await h.networkHelpers.mine();
        return (await metric(port, "keeper_rpc_endpoint_active", 'endpoint="0:')) === 1;
      },
      "back on the first endpoint",
      30_000,
    );
    expect(h.proxy.requests.length).to.be.greaterThan(before);
    expect(await metric(port, "keeper_rpc_endpoint_up", 'endpoint="0:')).to.equal(1);
  });

  it("reports its balance, and below minBalance warns once, turns keeper_balance_low to 1 and /health to degraded; back above, clears it", async () => {
    const system = await h.load();
    const { keeper, address, lines } = await h.start(system, { minBalance: "1000" });
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head, "the keeper to catch up");
    const port = keeper.metricsPort;
    expect(Math.abs((await metric(port, "keeper_balance_native"))! - 100)).to.be.below(0.01);
    expect(await metric(port, "keeper_balance_low")).to.equal(1);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      status: string;
      balance: string;
      balanceLow: boolean;
    };
    expect(health.status).to.equal("degraded");
    expect(health.balanceLow).to.equal(true);
    expect(lines.filter((l) => l.includes("keeper balance below minBalance"))).to.have.length(1);
    await h.networkHelpers.setBalance(address, parseEther("2000"));
    await h.networkHelpers.mine();
    await until(async () => (await metric(port, "keeper_balance_low")) === 0, "the balance back above minBalance");
    expect(Math.abs((await metric(port, "keeper_balance_native"))! - 2000)).to.be.below(0.01);
    expect(lines.some((l) => l.includes("keeper balance back above minBalance"))).to.equal(true);
    expect(keeper.health().body.status).to.equal("ok");
  });

  it("skips and counts a deleverage whose keeper fee is below its gas cost, and sends it with --unprofitable send", async () => {
    const system = await h.load();
    const account = await h.openAccount(system, 0.8);
    await overCapInOneBlock(system);
    // At 10,000,000 USD per ETH, the gas of a deleverage costs far more than its fee (0.1 % of a few thousand USD).
    const costly = await h.start(system, { poke: false, nativeUsdPrice: 10_000_000 });
    const skipped = outcomes(costly.keeper);
    await until(() => skipped.some((o) => o.status === "unprofitable"), "an unprofitable verdict");
    expect(await metric(costly.keeper.metricsPort, "keeper_deleverages_unprofitable_total")).to.be.at.least(1);
    expect(h.broadcastFrom(costly.address)).to.have.length(0);
    expect(costly.lines.some((l) => l.includes("deleverage skipped: keeper fee below gas cost"))).to.equal(true);
    await h.stopAll();

    const forced = await h.start(system, { poke: false, nativeUsdPrice: 10_000_000, unprofitable: "send" });
    const sent = outcomes(forced.keeper);
    await until(() => sent.some((o) => o.status === "confirmed"), "the deleverage sent anyway");
    expect(sent[0]!.account).to.equal(account.address);
    await h.stopAll();

    expect((await system.ballast.riskModule.accountStatus(account.address)).status).to.equal(BigInt(Status.Healthy));
  });

  it("sends a deleverage whose keeper fee covers its gas cost at the native token's price", async () => {
    const system = await h.load();
    // 0.1 % of the notional removed (about 6,700 USD here) against about 360,000 gas at about 1.4 gwei and 3,000 USD per ETH.
    const account = await h.openAccount(system, 0.8);
    await overCapInOneBlock(system);
    const fair = await h.start(system, { poke: false, nativeUsdPrice: 3_000 });
    const done = outcomes(fair.keeper);
    await until(() => done.some((o) => o.status === "confirmed"), "a profitable deleverage");
    expect(done.map((o) => [o.account, o.status])).to.deep.equal([[account.address, "confirmed"]]);
    expect(await metric(fair.keeper.metricsPort, "keeper_deleverages_unprofitable_total")).to.equal(0);
  });

  it("--once: processes the head block, deleverages what is over cap, waits for it to be mined, writes the checkpoint and exits 0", async () => {
    const system = await h.load();
    const account = await h.openAccount(system, 0.8);
    const calm = await h.openAccount(system, 0.1);
    await overCapInOneBlock(system);
    const { key, address } = await h.fundedKey();
    const checkpoint = h.file();
    const from = await h.ethers.provider.getBlockNumber();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "bin/keeper.mjs",
        "--rpc",
        h.proxy.url,
        "--module",
        await system.ballast.riskModule.getAddress(),
        "--lens",
        await system.ballast.riskLens.getAddress(),
        "--checkpoint",
        checkpoint,
        "--metrics",
        "false",
        "--once",
        "--confirmations",
        "1",
      ],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", KEEPER_PRIVATE_KEY: key, KEEPER_NATIVE_USD_PRICE: "3000" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, output).to.equal(0);
    const events = await h.deleveraged(system, from);
    expect(
      events.map((e) => [e.account, e.keeper]),
      output,
    ).to.deep.equal([[account.address, address]]);
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.accounts).to.have.members([account.address, calm.address]);
    expect(saved.markets).to.deep.equal(["1"]);
    expect(output).to.contain("--once: block processed").and.contain("deleverage confirmed").and.contain("checkpoint written; stopped");
  });

  it("accounts that cannot be evaluated (stale Chainlink prices and no pool TWAP) are counted, logged once as a warning, and turn /health to degraded until prices are valid again", async () => {
    const system = await h.load();
    await h.openAccount(system, 0.3);
    await h.openAccount(system, 0.2);
    const { keeper, lines } = await h.start(system);
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head, "the keeper to catch up");
    expect(keeper.health().body.status).to.equal("ok");
    // Two days without a round: every Chainlink price is stale; and the pool cannot be read (its code
    // swapped for one that reverts): the market has neither price.
    const pool = await system.pool.getAddress();
    const poolCode = await h.ethers.provider.getCode(pool);
    await h.networkHelpers.setCode(pool, "0xfe");
    await h.networkHelpers.time.increase(2 * 86_400);
    await h.networkHelpers.mine();
    await until(() => keeper.health().body.unevaluable === 2, "two unevaluable accounts");
    expect(await metric(keeper.metricsPort, "keeper_accounts_unevaluable")).to.equal(2);
    const health = await fetch(`http://127.0.0.1:${keeper.metricsPort}/health`);
    expect(health.status).to.equal(200);
    expect(((await health.json()) as { status: string }).status).to.equal("degraded");
    await h.networkHelpers.mine();
    await until(() => keeper.lastBlock() >= head + 2, "another block");
    expect(lines.filter((l) => l.includes('"level":"warn"') && l.includes("accounts cannot be evaluated"))).to.have.length(1);
    await h.networkHelpers.setCode(pool, poolCode);
    await system.advance(60);
    await until(() => keeper.health().body.unevaluable === 0, "every account evaluable again", 30_000);
    expect(keeper.health().body.status).to.equal("ok");
  });
});
