import { expect } from "chai";
import { Wallet } from "ethers";

import { engineInterface } from "../../../scripts/keeper/abi.js";
import type { TxOutcome } from "../../../scripts/keeper/txManager.js";
import { wad } from "../../../scripts/lib/ballast/params.js";
import { deployOptions, enableGreeks, listStraddle } from "../../../scripts/lib/options/setup.js";
import { depositCollateral, deploySystem } from "../../../scripts/lib/system.js";
import { ETH_MARKET, keeperHarness, until } from "./harness.js";

const h = await keeperHarness();

/** The system with Greeks sizing on the ETH market, the reference options engine and a 30-day ATM put. */
async function withOptions() {
  const system = await deploySystem(h.connection);
  await enableGreeks(system);
  const options = await deployOptions(system);
  const now = (await h.ethers.provider.getBlock("latest"))!.timestamp;
  const { put } = await listStraddle(options, system.admin, now + 30 * 86_400, 3_000);
  return { system, options, put };
}

/** A writer of `units` puts (long delta), with 100,000 USDC. */
async function putWriter(f: Awaited<ReturnType<typeof withOptions>>, units: number): Promise<Wallet> {
  const wallet = new Wallet(Wallet.createRandom().privateKey, h.ethers.provider);
  await h.networkHelpers.setBalance(wallet.address, 10n ** 20n);
  await depositCollateral(h.connection, f.system.environment, await f.system.ballast.engine.getAddress(), wallet, { usdc: 100_000 });
  await (await f.options.connect(wallet).trade(f.put, -wad(units))).wait();
  return wallet;
}

/** `tradeFor` calls mined from `sender` since `fromBlock`, decoded. */
async function hedgesFrom(sender: string, fromBlock: number) {
  const txs = await h.minedFrom(sender, fromBlock);
  return txs.flatMap((t) => {
    const parsed = t.tx.data === "0x" ? null : engineInterface.parseTransaction({ data: t.tx.data });
    return parsed?.name === "tradeFor"
      ? [
          {
            account: parsed.args[0] as string,
            market: parsed.args[1] as bigint,
            sizeDelta: parsed.args[2] as bigint,
            status: t.status,
            hash: t.hash,
          },
        ]
      : [];
  });
}

describe("keeper hedge mode (options books, RISK-MODEL.md section 7)", () => {
  after(() => h.close());
  afterEach(() => h.stopAll());

  it("hedges an opted-in book outside its band once (to within the band), never an account that did not opt in or revoked", async () => {
    const f = await h.networkHelpers.loadFixture(withOptions);
    const hedged = await putWriter(f, 20);
    const ignored = await putWriter(f, 20);
    const revoked = await putWriter(f, 20);
    const { address: keeperAddress, key } = await h.fundedKey();
    const engine = f.system.ballast.engine;
    await (await engine.connect(hedged).approveHedger(keeperAddress, true)).wait();
    await (await engine.connect(revoked).approveHedger(keeperAddress, true)).wait();
    await (await engine.connect(revoked).approveHedger(keeperAddress, false)).wait();
    const module = f.system.ballast.riskModule;
    const before = await module.greeksRisk(hedged.address, ETH_MARKET);
    expect(before.greeks.delta).to.be.greaterThan(before.rebalanceBand); // short puts: long delta, outside the band
    const from = await h.ethers.provider.getBlockNumber();
    const { keeper } = await h.start(f.system, { hedge: true, hedgeMarkets: [1] }, key);
    const settled: TxOutcome[] = [];
    keeper.events.on("hedgeOutcome", ({ outcome }) => settled.push(outcome));
    await until(() => settled.length === 1, "one hedge");
    expect(settled[0]!.status).to.equal("confirmed");
    // Blocks go by: the book is within its band and no second hedge is sent.
    for (let i = 0; i < 3; i++) await h.networkHelpers.mine();
    await until(async () => keeper.lastBlock() >= (await h.ethers.provider.getBlockNumber()), "the keeper to catch up");
    const trades = await hedgesFrom(keeperAddress, from);
    expect(trades).to.have.length(1);
    expect(trades[0]!.account).to.equal(hedged.address);
    expect(trades[0]!.status).to.equal(1);
    const after = await module.greeksRisk(hedged.address, ETH_MARKET);
    const abs = (v: bigint) => (v < 0n ? -v : v);
    expect(abs(after.greeks.delta)).to.be.lessThanOrEqual(after.rebalanceBand);
    expect(after.perpSize).to.equal(trades[0]!.sizeDelta);
    for (const other of [ignored, revoked]) expect((await engine.position(other.address, ETH_MARKET)).size).to.equal(0n);
    expect(Number(await keeper.metrics.hedgeAccounts.get().then((m) => m.values[0]?.value))).to.equal(1);
  });

  it("hedges again after the market moves the book out of its band; no hedge is sent twice and only the keeper's hedges (and trims) move the position", async () => {
    const f = await h.networkHelpers.loadFixture(withOptions);
    const writer = await putWriter(f, 20);
    const { address: keeperAddress, key } = await h.fundedKey();
    await (await f.system.ballast.engine.connect(writer).approveHedger(keeperAddress, true)).wait();
    const from = await h.ethers.provider.getBlockNumber();
    const { keeper } = await h.start(f.system, { hedge: true }, key);
    const settled: TxOutcome[] = [];
    keeper.events.on("hedgeOutcome", ({ outcome }) => settled.push(outcome));
    await until(() => settled.length === 1, "the first hedge");
    // ETH -4 %: the short puts gain delta; the pool follows and the TWAP catches up.
    await f.system.movePool(2_880);
    await f.system.setEthPrice(2_880);
    await f.system.advance(1_900);
    await until(() => settled.length >= 2, "the second hedge");
    // The move lands over several blocks (price, pokes, depth), so the keeper may hedge an intermediate state and
    // correct it once the book's Greeks settle: blocks until the book is within its band, the keeper has caught up
    // and no hedge has settled for the last two of them.
    const engine = f.system.ballast.engine;
    const module = f.system.ballast.riskModule;
    let quiet = 0;
    for (let round = 0; quiet < 2; round++) {
      expect(round, "the book within its band and the keeper quiet, within 30 blocks").to.be.below(30);
      const seen = settled.length;
      await h.networkHelpers.mine();
      const head = await h.ethers.provider.getBlockNumber();
      await until(() => keeper.lastBlock() >= head, `the keeper at block ${head}`);
      await new Promise((r) => setTimeout(r, 200)); // a hedge it decided on that block, sent and mined
      const risk = await module.greeksRisk(writer.address, ETH_MARKET);
      const within = (risk.greeks.delta < 0n ? -risk.greeks.delta : risk.greeks.delta) <= risk.rebalanceBand;
      quiet = within && settled.length === seen ? quiet + 1 : 0;
    }
    // Nothing more is sent while the records are read.
    await h.stopAll();
    const trades = await hedgesFrom(keeperAddress, from);
    expect(trades.length).to.be.at.least(2);
    expect(trades.every((t) => t.status === 1)).to.equal(true);
    // The move changed the puts' delta (price and the volatility spike it caused): a second, different trade.
    expect(trades[1]!.sizeDelta).to.not.equal(0n);
    // No hedge sent twice (the same trade back to back); a later one may correct the book as its Greeks settle.
    for (let i = 1; i < trades.length; i++) expect(trades[i]!.sizeDelta, `hedge ${i}`).to.not.equal(trades[i - 1]!.sizeDelta);
    // The book's position moved only by the keeper's hedges (and any deleverage that trimmed a hedge a move left over
    // its Greeks bound): the engine's own record of every change since the keeper started, transaction by transaction.
    const changes = await engine.queryFilter(engine.filters.PositionChanged(writer.address, ETH_MARKET), from);
    const trims = await module.queryFilter(module.filters.Deleveraged(writer.address, ETH_MARKET), from);
    const ours = new Set([...trades.map((t) => t.hash), ...trims.map((e) => e.transactionHash)]);
    const others = await Promise.all(
      changes
        .filter((e) => !ours.has(e.transactionHash))
        .map(async (e) => {
          const tx = (await h.ethers.provider.getTransaction(e.transactionHash))!;
          return `block ${e.blockNumber} tx ${e.transactionHash} from ${tx.from} to ${tx.to} data ${tx.data.slice(0, 10)}: ${e.args.sizeBefore} -> ${e.args.sizeAfter}`;
        }),
    );
    expect(others, "position changes not made by the keeper's hedges or deleverages").to.deep.equal([]);
    expect(changes).to.have.length(trades.length + trims.length);
    const moved = changes.reduce((sum, e) => sum + (e.args.sizeAfter - e.args.sizeBefore), 0n);
    expect((await engine.position(writer.address, ETH_MARKET)).size).to.equal(moved);
    const risk = await f.system.ballast.riskModule.greeksRisk(writer.address, ETH_MARKET);
    expect(risk.greeks.delta < 0n ? -risk.greeks.delta : risk.greeks.delta).to.be.lessThanOrEqual(risk.rebalanceBand);
  });

  it("dry-run reports the hedge it would send and sends nothing", async () => {
    const f = await h.networkHelpers.loadFixture(withOptions);
    const writer = await putWriter(f, 20);
    const { address: keeperAddress, key } = await h.fundedKey();
    await (await f.system.ballast.engine.connect(writer).approveHedger(keeperAddress, true)).wait();
    const from = await h.ethers.provider.getBlockNumber();
    const { keeper, lines } = await h.start(f.system, { hedge: true, dryRun: true }, key);
    const settled: TxOutcome[] = [];
    keeper.events.on("hedgeOutcome", ({ outcome }) => settled.push(outcome));
    await until(() => settled.length >= 1, "a dry-run hedge");
    expect(settled[0]!.status).to.equal("dry-run");
    expect(lines.some((l) => l.includes("dry-run: would send hedge") && l.includes(writer.address))).to.equal(true);
    await h.networkHelpers.mine();
    expect(await hedgesFrom(keeperAddress, from)).to.have.length(0);
    expect((await f.system.ballast.engine.position(writer.address, ETH_MARKET)).size).to.equal(0n);
  });
});
