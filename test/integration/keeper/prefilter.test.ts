import { expect } from "chai";
import { MaxUint256 } from "ethers";

import { Status } from "../../../scripts/keeper/abi.js";
import { silentLogger } from "../../../scripts/keeper/logger.js";
import { Prefilter } from "../../../scripts/keeper/prefilter.js";
import { Rpc } from "../../../scripts/keeper/rpc.js";
import { deploySyntheticModule, syntheticAccounts } from "../../../scripts/keeper/testing/benchSystem.js";
import { ETH_MARKET, keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();
const multi = await keeperHarness({ extraMarkets: 1 });
const WAD = 10n ** 18n;
const TAU_TRIGGER = 0.05;

/** Compares the model with the lens for every account: ratio within 1e-6 relative, same over-cap verdict. */
async function expectModelMatchesLens(
  harness: typeof h,
  system: Awaited<ReturnType<typeof h.load>>,
  module: string,
  engine: string,
  accounts: string[],
) {
  const block = await harness.ethers.provider.getBlockNumber();
  const prefilter = new Prefilter(
    harness.ethers.provider,
    new Rpc({ timeoutMs: 30_000, attempts: 2 }),
    { module, engine, oracle: await system.ballast.volatilityOracle.getAddress(), margin: 0.05, snapshotConcurrency: 4 },
    silentLogger(),
  );
  await prefilter.refresh(accounts, block);
  const statuses = [];
  // 50 per call: an account judged at both the oracle and a diverging TWAP costs twice the gas.
  for (let i = 0; i < accounts.length; i += 50)
    statuses.push(...(await system.ballast.riskLens.statusBatch(module, accounts.slice(i, i + 50), { blockTag: block })));
  let over = 0;
  for (const s of statuses) {
    expect(s.ok).to.equal(true);
    const model = prefilter.ratio(s.account);
    expect(model, s.account).to.be.a("number");
    if (s.status.ratio === MaxUint256) {
      // A zero cap: both say "infinitely over".
      expect(model).to.equal(Infinity);
      over++;
      continue;
    }
    const lens = Number(s.status.ratio) / 1e18 / (1 + TAU_TRIGGER);
    expect(Math.abs(model! - lens) / Math.max(lens, 1e-12), `${s.account}: model ${model} lens ${lens}`).to.be.below(1e-6);
    const isOver = s.status.status === BigInt(Status.OverCap);
    if (Math.abs(lens - 1) > 1e-9) expect(model! > 1, `${s.account} over cap: lens ${isOver}, model ratio ${model}`).to.equal(isOver);
    if (isOver) over++;
  }
  // Every over-cap account is a suspect.
  const { suspects } = prefilter.suspects(accounts);
  const overCap = statuses.filter((s) => s.status.status === BigInt(Status.OverCap)).map((s) => s.account);
  expect(suspects).to.include.members(overCap);
  return { over, suspects: suspects.length };
}

describe("keeper prefilter (the shared model of the account rule, scripts/lib/rule)", () => {
  after(async () => {
    await h.close();
    await multi.close();
  });
  afterEach(() => h.stopAll());

  it("the model agrees with the lens on 600 synthetic accounts, before and after a volatility spike, a price move and a 10 % drop away from the fresh pool TWAP (judged at both prices)", async () => {
    const system = await h.load();
    const synthetic = await deploySyntheticModule(system, 20);
    const accounts = syntheticAccounts(600);
    const calm = await expectModelMatchesLens(h, system, synthetic.module, synthetic.engine, accounts);
    expect(calm.over).to.be.greaterThan(10);
    expect(calm.suspects).to.be.below(accounts.length / 5);
    await h.volatilitySpike(system);
    await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
    const spiked = await expectModelMatchesLens(h, system, synthetic.module, synthetic.engine, accounts);
    expect(spiked.over).to.be.at.least(calm.over);
    await system.setEthPrice(2_960);
    await expectModelMatchesLens(h, system, synthetic.module, synthetic.engine, accounts);
    // 10 % away from the fresh stored TWAP: the module judges every position at both prices, and so does the model.
    await system.setEthPrice(2_700);
    await expectModelMatchesLens(h, system, synthetic.module, synthetic.engine, accounts);
  });

  it("the model agrees with the lens on reference-engine accounts with USDC and WETH collateral (own-volatility haircut, tiers), long and short, also 5 % away from the fresh pool TWAP (judged at both prices)", async () => {
    const system = await h.load();
    const accounts: string[] = [];
    for (const [usdc, weth, size] of [
      [1_000, 0, 1],
      [0, 1, 0.8],
      [2_000, 0.5, -1.5],
      [500, 2, 2.5],
      [3_000, 0, -3],
    ] as const) {
      const user = await h.wallet();
      await system.deposit(user, { usdc, weth });
      await system.trade(user, size);
      accounts.push(user.address);
    }
    const engine = await system.ballast.engine.getAddress();
    const module = await system.ballast.riskModule.getAddress();
    await expectModelMatchesLens(h, system, module, engine, accounts);
    await h.volatilitySpike(system);
    await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
    await system.setEthPrice(3_040);
    await expectModelMatchesLens(h, system, module, engine, accounts);
    await system.setEthPrice(3_150);
    await expectModelMatchesLens(h, system, module, engine, accounts);
  });

  it("the model agrees with the lens on cross-margined accounts with positions in two markets (stressed requirements of the other position, tier capacity)", async () => {
    const system = await multi.load();
    const second = ETH_MARKET + 1n;
    const accounts: string[] = [];
    for (const [usdc, weth, first, other] of [
      [2_000, 0, 1, 1],
      [1_000, 1, 1.5, -1],
      [5_000, 0, -2, 3],
      [500, 1.5, 0.5, -0.5],
    ] as const) {
      const user = await multi.wallet();
      await system.deposit(user, { usdc, weth });
      await system.trade(user, first);
      await (await system.ballast.engine.connect(user).trade(second, BigInt(Math.round(other * 1e6)) * 10n ** 12n)).wait();
      accounts.push(user.address);
    }
    const engine = await system.ballast.engine.getAddress();
    const module = await system.ballast.riskModule.getAddress();
    await expectModelMatchesLens(multi, system, module, engine, accounts);
    await multi.volatilitySpike(system);
    await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
    await system.setEthPrice(2_960);
    await expectModelMatchesLens(multi, system, module, engine, accounts);
  });

  it("with scanMode prefilter, the keeper evaluates only the suspects on-chain and still deleverages every over-cap account", async () => {
    const system = await h.load();
    const risky = [await h.openAccount(system, 0.7), await h.openAccount(system, 0.9)];
    const calm = [];
    for (let i = 0; i < 6; i++) calm.push(await h.openAccount(system, 0.1));
    const { keeper } = await h.start(system, { scanMode: "prefilter", sweepPerBlock: 0 });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    // 300 accounts to discover and sweep: a liveness bound generous for a loaded 2-core machine, not a speed claim.
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up", 90_000);
    expect((await keeper.metrics.accountsScanned.get()).values[0]!.value).to.equal(0);
    await h.volatilitySpike(system);
    await until(() => done.filter((o) => o.status === "confirmed").length === 2, "two deleverages");
    expect(done.map((o) => o.account)).to.have.members(risky.map((w) => w.address));
    const events = await h.deleveraged(system, from);
    expect(events.map((e) => e.account)).to.have.members(risky.map((w) => w.address));
    // The deleverages themselves are engine logs naming the accounts: their snapshots were reloaded, and
    // the model now sees them healthy, so nothing is evaluated on-chain any more.
    await h.networkHelpers.mine();
    await until(async () => (await keeper.metrics.prefilterSuspects.get()).values[0]!.value === 0, "no suspects left");
    expect((await keeper.metrics.prefilterMisses.get()).values[0]!.value).to.equal(0);
  });

  it("a withdrawal (an engine log other than PositionChanged) reloads the account's snapshot: the spike that follows is caught without any sweep", async () => {
    const system = await h.load();
    const user = await h.openAccount(system, 0.3, 1_000);
    const { keeper } = await h.start(system, { scanMode: "prefilter", sweepPerBlock: 0 });
    const done = outcomes(keeper);
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up (snapshot cached)");
    // Withdraw 60 % of the collateral (the engine checks the account stays within its caps).
    await (await system.ballast.engine.connect(user).withdraw(await system.environment.usdc.getAddress(), 600n * 10n ** 6n)).wait();
    const withdrawn = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= withdrawn, "the keeper to read the withdrawal");
    await h.volatilitySpike(system);
    await until(() => done.some((o) => o.status === "confirmed"), "the deleverage");
    expect(done.map((o) => o.account)).to.deep.equal([user.address]);
    expect((await keeper.metrics.prefilterMisses.get()).values[0]!.value).to.equal(0);
  });

  it("an engine whose snapshots change without a log (here: its code swapped) is caught by the safety sweep, counted as a prefilter miss", async () => {
    const system = await h.load();
    const synthetic = await deploySyntheticModule(system, 1_000_000); // nobody over cap
    const accounts = syntheticAccounts(300, 50_000);
    const engine = await h.ethers.getContractAt("SyntheticMarginEngine", synthetic.engine);
    await (await engine.announce(accounts)).wait();
    const { keeper } = await h.start(system, {
      module: synthetic.module,
      engine: synthetic.engine,
      scanMode: "prefilter",
      sweepPerBlock: 300,
      poke: false,
      logChunkBlocks: 10_000,
    });
    const from = await h.ethers.provider.getBlockNumber();
    // 300 accounts to discover and sweep: a liveness bound generous for a loaded 2-core machine, not a speed claim.
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up", 90_000);
    expect(keeper.accounts()).to.have.length(300);
    // The same engine, but one account in four at 30x: every snapshot changes, and no log says so.
    const leveraged = await h.ethers.deployContract("SyntheticMarginEngine", [
      await system.environment.usdc.getAddress(),
      ETH_MARKET,
      3_000n * WAD,
      4,
    ]);
    await h.connection.provider.request({
      method: "hardhat_setCode",
      params: [synthetic.engine, await h.ethers.provider.getCode(await leveraged.getAddress())],
    });
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= head, "the keeper to scan the changed engine");
    const misses = (await keeper.metrics.prefilterMisses.get()).values[0]!.value;
    const overCap = (await keeper.metrics.accountsOverCap.get()).values[0]!.value;
    expect(misses).to.be.greaterThan(30);
    expect(overCap).to.equal(misses);
  });
});
