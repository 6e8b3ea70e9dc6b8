import { expect } from "chai";
import { type Result, Wallet } from "ethers";

import { wad } from "../../../scripts/lib/ballast/params.js";
import { setPrice } from "../../../scripts/lib/chainlink/feeds.js";
import { DEFAULT_GREEKS, deployOptions, enableGreeks, listStraddle, shortStraddleGreeks } from "../../../scripts/lib/options/setup.js";
import { depositCollateral, deploySystem, ETH_MARKET } from "../../../scripts/lib/system.js";
import { close } from "../../helpers/numbers.js";
import { network } from "hardhat";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** `Bound` order and the `ConfigField`s of Greeks sizing. */
const Bound = { LiquidationDistance: 1, Greeks: 6 };
const Field = { VolShock: 27, GreeksBuffer: 28, HedgeInterval: 29, OptionsEngine: 30 };
const EQUITY = 100_000;
const STRIKE = 3_000;
const YEAR = 31_536_000;

async function deployed() {
  const system = await deploySystem(connection);
  await enableGreeks(system);
  const options = await deployOptions(system);
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const { call, put } = await listStraddle(options, system.admin, now + 30 * 86_400, STRIKE);
  // An account of the node's (its transactions go through the network's gas estimate with its margin, as a
  // wallet's would: the options trade's gas depends on the block time, which moves between estimate and mining).
  const writer = await ethers.getImpersonatedSigner(Wallet.createRandom().address);
  await networkHelpers.setBalance(writer.address, 10n ** 20n);
  await depositCollateral(connection, system.environment, await system.ballast.engine.getAddress(), writer, { usdc: EQUITY });
  const straddle = await shortStraddleGreeks(options, call, put);
  const maxUnits = await system.ballast.riskModule.maxOptionsTrade(writer.address, ETH_MARKET, straddle);
  return { system, options, call, put, writer, straddle, maxUnits, module: system.ballast.riskModule, engine: system.ballast.engine };
}
const load = () => networkHelpers.loadFixture(deployed);

/** Sells `units` (WAD) straddles for the writer, put first. */
async function sellStraddles(f: Awaited<ReturnType<typeof deployed>>, units: bigint) {
  await (await f.options.connect(f.writer).trade(f.put, -units)).wait();
  await (await f.options.connect(f.writer).trade(f.call, -units)).wait();
}

/** The grid's worst loss of a book, in float (RISK-MODEL.md section 7). */
function gridWorstLoss(g: { delta: number; gamma: number; vega: number }, spot: number, xMax: number, v: number): number {
  let worst = -Infinity;
  for (let i = -3; i <= 3; i++) {
    const x = (i / 3) * xMax;
    for (let j = -1; j <= 1; j++) worst = Math.max(worst, -(g.delta * spot * x + 0.5 * g.gamma * spot * spot * x * x + g.vega * j * v));
  }
  return worst;
}

const f64 = (v: bigint) => Number(v) / 1e18;

describe("Greeks sizing (RISK-MODEL.md section 7) with the reference options engine", () => {
  it("configureGreeks rejects a vol shock, buffer or hedge interval outside its bounds, and needs RISK_ADMIN_ROLE", async () => {
    const { module, system, writer } = await load();
    const ok = { enabled: true, volShock: wad(0.5), buffer: wad(0.2), hedgeInterval: 600 };
    await networkHelpers.time.increase(3_601);
    const admin = module.connect(system.admin);
    for (const [bad, field] of [
      [{ ...ok, volShock: wad(0.001) }, Field.VolShock],
      [{ ...ok, volShock: wad(6) }, Field.VolShock],
      [{ ...ok, buffer: wad(0.95) }, Field.GreeksBuffer],
      [{ ...ok, hedgeInterval: 5 }, Field.HedgeInterval],
    ] as const) {
      await expect(admin.configureGreeks(ETH_MARKET, bad))
        .to.be.revertedWithCustomError(module, "InvalidConfig")
        .withArgs(field, anyValue());
    }
    await expect(module.connect(writer).configureGreeks(ETH_MARKET, ok)).to.be.revertedWithCustomError(
      module,
      "AccessControlUnauthorizedAccount",
    );
    await expect(admin.configureGreeks(ETH_MARKET, ok)).to.emit(module, "GreeksConfigured");
    expect((await module.greeksConfig(ETH_MARKET)).volShock).to.equal(wad(0.5));
    await expect(admin.configureGreeks(ETH_MARKET, ok)).to.be.revertedWithCustomError(module, "ConfigCooldown");
    await expect(admin.configureGreeks(99n, ok)).to.be.revertedWithCustomError(module, "MarketNotListed");
  });

  it("at most MAX_GREEKS_MARKETS (8) markets have Greeks sizing: a ninth is refused with InvalidConfig(OptionsEngine, 8); turning one off frees its place, and greeksMarkets() lists exactly the enabled ones", async () => {
    // A chain of its own: nine markets (the fixture's chain already holds the canonical pools).
    const fresh = await network.create();
    const system = await deploySystem(fresh, { extraMarkets: 8 });
    const module = system.ballast.riskModule.connect(system.admin);
    const config = {
      enabled: true,
      volShock: wad(DEFAULT_GREEKS.volShock),
      buffer: wad(DEFAULT_GREEKS.buffer),
      hedgeInterval: DEFAULT_GREEKS.hedgeInterval,
    };
    const m = Array.from({ length: 9 }, (_, i) => ETH_MARKET + BigInt(i));
    expect(await module.MAX_GREEKS_MARKETS()).to.equal(8n);
    for (const market of m.slice(0, 8)) await (await module.configureGreeks(market, config)).wait();
    expect(await module.greeksMarkets()).to.deep.equal(m.slice(0, 8));
    await expect(module.configureGreeks(m[8]!, config))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.OptionsEngine, 8);
    await fresh.networkHelpers.time.increase(3_601);
    await (await module.configureGreeks(m[2]!, { ...config, enabled: false })).wait();
    await (await module.configureGreeks(m[8]!, config)).wait();
    // The last market takes the place of the one switched off; the new one goes last.
    expect(await module.greeksMarkets()).to.deep.equal([m[0], m[1], m[7], m[3], m[4], m[5], m[6], m[8]]);
    expect((await module.greeksConfig(m[2]!)).enabled).to.equal(false);
  });

  it("an options trade within maxOptionsTrade passes; one above it reverts with GreeksBoundExceeded naming the worst scenario", async () => {
    const f = await load();
    expect(f.maxUnits).to.be.greaterThan(0n);
    const over = (f.maxUnits * 103n) / 100n;
    await (await f.options.connect(f.writer).trade(f.put, -over)).wait();
    // Selling the calls completes a straddle 3 % above the grid's allowance: the worst scenario is vol up.
    await expect(f.options.connect(f.writer).trade(f.call, -over))
      .to.be.revertedWithCustomError(f.module, "GreeksBoundExceeded")
      .withArgs(ETH_MARKET, anyValue(), anyValue(), anyValue(), 1);
    const g = await loadFresh();
    await sellStraddles(g, (g.maxUnits * 97n) / 100n);
    const risk = await g.module.greeksRisk(g.writer.address, ETH_MARKET);
    expect(risk.worstLoss).to.be.lessThanOrEqual(risk.allowed);
    expect(f64(risk.worstLoss) / f64(risk.allowed)).to.be.within(0.9, 1);
  });

  it("a trade at the model price leaves equity unchanged (premium to the ledger); book Greeks are units times the quote's", async () => {
    const f = await load();
    const before = (await f.engine.margin(f.writer.address)).equity;
    const units = f.maxUnits / 2n;
    await sellStraddles(f, units);
    const m = await f.engine.margin(f.writer.address);
    // Equal up to the theta of the seconds between the blocks.
    expect(close(f64(m.equity), f64(before), 1e-6, 1e-9)).to.equal(true);
    expect(m.optionsValue).to.be.lessThan(0n);
    expect(m.requirement).to.equal(0n + (await f.options.requirement(f.writer.address)));
    const book = await f.engine.bookGreeks(f.writer.address, ETH_MARKET);
    // The quote was read blocks earlier: the Greeks have aged by seconds (1e-4 of a straddle's delta per unit).
    for (const key of ["delta", "gamma", "vega"] as const) {
      expect(close(f64(book[key]), f64(f.straddle[key]) * f64(units), 1e-4, 1e-4 * f64(units)), key).to.equal(true);
    }
  });

  it("greeksRisk: the worst loss is the grid's (float model), hedgeDelta is -delta, the band is |gamma| S z sigma sqrt(dt/YEAR)", async () => {
    const f = await load();
    await sellStraddles(f, f.maxUnits / 2n);
    await setPrice(f.system.feeds.eth, 2_900);
    const risk = await f.module.greeksRisk(f.writer.address, ETH_MARKET);
    const g = { delta: f64(risk.greeks.delta), gamma: f64(risk.greeks.gamma), vega: f64(risk.greeks.vega) };
    expect(g.delta).to.be.greaterThan(0); // short puts gain delta as the price falls
    expect(risk.hedgeDelta).to.equal(-risk.greeks.delta);
    const spot = f64(risk.spot);
    const worst = gridWorstLoss(g, spot, f64(risk.xMax), DEFAULT_GREEKS.volShock);
    expect(close(f64(risk.worstLoss), worst, 1e-9, 1e-6)).to.equal(true);
    const z = f64((await f.module.marketConfig(ETH_MARKET)).z);
    const band = Math.abs(g.gamma) * spot * z * f64(risk.sigma) * Math.sqrt(DEFAULT_GREEKS.hedgeInterval / YEAR);
    expect(close(f64(risk.rebalanceBand), band, 1e-9, 1e-12)).to.equal(true);
    expect(close(f64(risk.allowed), f64(risk.equity) * (1 - DEFAULT_GREEKS.buffer), 1e-12, 1e-6)).to.equal(true);
  });

  it("a trade that lowers the worst loss is never rejected, even with a stale oracle; one that raises it fails closed", async () => {
    const f = await load();
    await sellStraddles(f, f.maxUnits / 2n);
    const maxAge = (await f.module.marketConfig(ETH_MARKET)).maxPriceAge;
    await networkHelpers.time.increase(Number(maxAge) + 60);
    // Buying back a tenth of the calls lowers every vol-up loss.
    await expect(f.options.connect(f.writer).trade(f.call, f.maxUnits / 20n)).to.emit(f.options, "OptionTraded");
    await expect(f.options.connect(f.writer).trade(f.call, -f.maxUnits / 10n)).to.be.revertedWithCustomError(f.module, "PriceInvalid");
  });

  it("without Greeks sizing (or while paused) a trade that lowers the worst loss still passes; one that raises it reverts", async () => {
    const f = await load();
    await sellStraddles(f, f.maxUnits / 2n);
    await (await f.module.connect(f.system.admin).pauseIncreases()).wait();
    await expect(f.options.connect(f.writer).trade(f.put, f.maxUnits / 10n)).to.emit(f.options, "OptionTraded");
    await expect(f.options.connect(f.writer).trade(f.put, -f.maxUnits / 10n)).to.be.revertedWithCustomError(f.module, "IncreasesArePaused");
    await (await f.module.connect(f.system.admin).unpauseIncreases()).wait();
    await networkHelpers.time.increase(3_601);
    const off = { ...DEFAULT_GREEKS, enabled: false, volShock: 0n, buffer: 0n, hedgeInterval: 0 };
    await (await f.module.connect(f.system.admin).configureGreeks(ETH_MARKET, off)).wait();
    await expect(f.options.connect(f.writer).trade(f.call, f.maxUnits / 10n)).to.emit(f.options, "OptionTraded");
    await expect(f.options.connect(f.writer).trade(f.call, -f.maxUnits / 10n))
      .to.be.revertedWithCustomError(f.module, "GreeksNotConfigured")
      .withArgs(ETH_MARKET);
  });

  it("in a Greeks market the grid replaces the liquidation-distance bound of a perpetual: a perp-only account is bound by Greeks", async () => {
    const f = await load();
    const risk = await f.module.positionRisk(f.writer.address, ETH_MARKET);
    const greeks = await f.module.greeksRisk(f.writer.address, ETH_MARKET);
    expect(Number(risk.binding)).to.not.equal(Bound.LiquidationDistance);
    // A new position's bound is the smaller of both directions: allowance / (S * x_max) units.
    const expected = f64(greeks.allowed) / f64(greeks.xMax);
    if (Number(risk.binding) === Bound.Greeks) expect(close(f64(risk.cap), expected, 1e-9, 1e-6)).to.equal(true);
    else expect(f64(risk.cap)).to.be.lessThan(expected);
  });

  it("changes to the market's own configuration (configureMarket, updateRiskParameter) keep its Greeks sizing; turning Greeks sizing off brings back the liquidation-distance bound", async () => {
    const f = await load();
    // A short straddle book near its allowance: the Greeks bound is the tightest of the perpetual's.
    await sellStraddles(f, (f.maxUnits * 9n) / 10n);
    const risk = () => f.module.positionRisk(f.writer.address, ETH_MARKET);
    const before = await risk();
    expect(Number(before.binding)).to.equal(Bound.Greeks);
    // Loosenings that touch no bound of a new position (they apply at once, after the cooldown).
    await networkHelpers.time.increase(3_601);
    const config = await f.module.marketConfig(ETH_MARKET);
    await expect(
      f.module
        .connect(f.system.admin)
        .configureMarket(ETH_MARKET, { ...(config as unknown as Result).toObject(), keeperFeeMax: config.keeperFeeMax - 1n } as Parameters<
          typeof f.module.configureMarket
        >[1]),
    ).to.emit(f.module, "MarketConfigured");
    const rho = (await f.module.marketConfig(ETH_MARKET)).rho;
    await expect(f.module.connect(f.system.admin).updateRiskParameter(ETH_MARKET, 9, (rho * 9n) / 10n)).to.emit(
      f.module,
      "RiskParameterUpdated",
    );
    // (The cap itself moved with the hour's time decay of the book.)
    expect(Number((await risk()).binding)).to.equal(Bound.Greeks);
    await networkHelpers.time.increase(3_601);
    const greeks = await f.module.greeksConfig(ETH_MARKET);
    await (
      await f.module
        .connect(f.system.admin)
        .configureGreeks(ETH_MARKET, { ...(greeks as unknown as Result).toObject(), enabled: false } as Parameters<
          typeof f.module.configureGreeks
        >[1])
    ).wait();
    expect(Number((await risk()).binding)).to.not.equal(Bound.Greeks);
  });

  it("a delta hedge of a short-put book passes validateIncrease: the hedge lowers the grid's worst loss", async () => {
    const f = await load();
    await (await f.options.connect(f.writer).trade(f.put, -f.maxUnits / 2n)).wait();
    const before = await f.module.greeksRisk(f.writer.address, ETH_MARKET);
    await (await f.engine.connect(f.writer).trade(ETH_MARKET, before.hedgeDelta)).wait();
    const after = await f.module.greeksRisk(f.writer.address, ETH_MARKET);
    // Neutral up to the seconds of delta decay between the two reads.
    expect(Math.abs(f64(after.greeks.delta))).to.be.lessThan(1e-5);
    expect(after.worstLoss).to.be.lessThan(before.worstLoss);
    const cap = await f.module.positionRisk(f.writer.address, ETH_MARKET);
    expect(cap.notional).to.be.lessThanOrEqual(cap.cap);
  });

  it("a withdrawal that would leave the book above its allowance reverts with GreeksBoundExceeded", async () => {
    const f = await load();
    await sellStraddles(f, (f.maxUnits * 9n) / 10n);
    const usdc = await f.system.environment.usdc.getAddress();
    await expect(f.engine.connect(f.writer).withdraw(usdc, 30_000n * 10n ** 6n)).to.be.revertedWithCustomError(
      f.module,
      "GreeksBoundExceeded",
    );
    await expect(f.engine.connect(f.writer).withdraw(usdc, 1_000n * 10n ** 6n)).to.emit(f.engine, "Withdrawn");
  });

  it("a liquidation closes the options book at its mark; an expired series settles its intrinsic value", async () => {
    const f = await load();
    await sellStraddles(f, f.maxUnits);
    // A crash far beyond the grid: the short puts' loss takes the account below maintenance.
    await setPrice(f.system.feeds.eth, 1_500);
    expect((await f.engine.liquidatable([f.writer.address]))[0]).to.equal(true);
    await expect(f.engine.liquidate(f.writer.address)).to.emit(f.options, "BookClosed");
    expect(await f.options.holdings(f.writer.address)).to.have.length(0);

    const g = await loadFresh();
    await (await g.options.connect(g.writer).trade(g.call, wad(1))).wait();
    await networkHelpers.time.increase(31 * 86_400);
    await setPrice(g.system.feeds.eth, 3_250);
    const ledger = (await g.engine.margin(g.writer.address)).ledger;
    await expect(g.options.settleExpired(g.writer.address, g.call))
      .to.emit(g.options, "OptionSettled")
      .withArgs(g.writer.address, g.call, wad(1), wad(3_250), wad(250));
    expect((await g.engine.margin(g.writer.address)).ledger - ledger).to.equal(wad(250));
    await expect(g.options.connect(g.writer).trade(g.call, wad(1))).to.be.revertedWithCustomError(g.options, "SeriesExpired");
  });
});

/** A fresh copy of the fixture's state (a second account's view inside one test). */
async function loadFresh() {
  return load();
}

function anyValue() {
  return (_: unknown) => true;
}
