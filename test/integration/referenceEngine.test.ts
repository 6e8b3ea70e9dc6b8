import { expect } from "chai";

import { wad } from "../../scripts/lib/ballast/params.js";
import { ETH_MARKET } from "../../scripts/lib/system.js";
import { close, fromWad } from "../helpers/numbers.js";
import { openAtFractionOfCap } from "../helpers/scenarios.js";
import { systemFixture } from "../helpers/system.js";

const { connection, load } = await systemFixture();
const { ethers } = connection;

describe("ReferenceMarginEngine", () => {
  it("deposits count as collateral; increases are validated by the module, reductions never are", async () => {
    const system = await load();
    const { engine, riskModule } = system.ballast;
    const [, user] = await ethers.getSigners();
    await system.deposit(user!, { usdc: 1_000 });
    expect((await engine.margin(user!.address)).collateralValue).to.equal(wad(1_000));
    const cap = fromWad((await riskModule.positionRisk(user!.address, ETH_MARKET)).cap);
    await expect(system.trade(user!, (cap / 3_000) * 1.1)).to.be.revertedWithCustomError(riskModule, "CapExceeded");
    await system.trade(user!, (cap / 3_000) * 0.8);
    await riskModule.pauseIncreases();
    await expect(system.trade(user!, 0.01)).to.be.revertedWithCustomError(riskModule, "IncreasesArePaused");
    await expect(engine.connect(user!).trade(ETH_MARKET, wad(-0.01))).to.emit(engine, "PositionChanged");
  });

  it("averages the entry price on increases, realizes PnL on reductions, and handles a flip", async () => {
    const system = await load();
    const { engine } = system.ballast;
    const [, user] = await ethers.getSigners();
    await system.deposit(user!, { usdc: 100_000 });
    await system.trade(user!, 1);
    await system.setEthPrice(3_030);
    await system.trade(user!, 1);
    const [size, entry] = await engine.position(user!.address, ETH_MARKET);
    expect(size).to.equal(wad(2));
    expect(entry).to.equal(wad(3_015));
    // Reduce 1 ETH at 3,030: +15 realized into the ledger.
    await system.trade(user!, -1);
    expect((await engine.margin(user!.address)).ledger).to.equal(wad(15));
    // Flip from +1 to -1 at 3,030: the remaining long realizes +15, the short opens at 3,030.
    await system.trade(user!, -2);
    const [flipped, flippedEntry] = await engine.position(user!.address, ETH_MARKET);
    expect(flipped).to.equal(wad(-1));
    expect(flippedEntry).to.equal(wad(3_030));
    expect((await engine.margin(user!.address)).ledger).to.equal(wad(30));
    const [longSize, shortSize] = await engine.openInterest(ETH_MARKET);
    expect([longSize, shortSize]).to.deep.equal([0n, wad(1)]);
  });

  it("withdrawals are validated by the module and by maintenance", async () => {
    const system = await load();
    const { engine, riskModule } = system.ballast;
    const [, user] = await ethers.getSigners();
    await openAtFractionOfCap(system, user!, 1_000, 0.9);
    const usdc = await system.environment.usdc.getAddress();
    await expect(engine.connect(user!).withdraw(usdc, 500_000_000n)).to.be.revertedWithCustomError(riskModule, "CapExceeded");
    await expect(engine.connect(user!).withdraw(usdc, 10_000_000n)).to.emit(engine, "Withdrawn");
    await expect(engine.connect(user!).withdraw(usdc, 10n ** 12n)).to.be.revertedWithCustomError(engine, "InsufficientCollateral");
  });

  it("liquidates an account below maintenance, pays the bonus, and never consults the module", async () => {
    const system = await load();
    const { engine, riskModule } = system.ballast;
    const [, user, liquidator] = await ethers.getSigners();
    const size = await openAtFractionOfCap(system, user!, 1_000, 1);
    await expect(engine.connect(liquidator!).liquidate(user!.address)).to.be.revertedWithCustomError(engine, "NotLiquidatable");
    await riskModule.pauseIncreases();
    await system.setEthPrice(2_880); // -4 %: below maintenance, still solvent
    const margin = await engine.margin(user!.address);
    expect(margin.equity < BigInt(margin.requirement) && margin.equity > 0n).to.equal(true);
    const bonus = (wad(size) * wad(2_880)) / wad(1) / 100n;
    await expect(engine.connect(liquidator!).liquidate(user!.address))
      .to.emit(engine, "Liquidated")
      .withArgs(
        user!.address,
        liquidator!.address,
        (n: bigint) => close(fromWad(n), size * 2_880, 1e-9, 1e-6),
        (b: bigint) => close(fromWad(b), fromWad(bonus), 1e-9, 1e-6),
        0n,
      );
    expect((await engine.position(user!.address, ETH_MARKET))[0]).to.equal(0n);
    expect(close(fromWad((await engine.margin(liquidator!.address)).ledger), fromWad(bonus), 1e-9, 1e-6)).to.equal(true);
    expect(await engine.badDebt()).to.equal(0n);
  });

  it("records the shortfall of an insolvent liquidation as bad debt and seizes the collateral", async () => {
    const system = await load();
    const { engine } = system.ballast;
    const [, user, liquidator] = await ethers.getSigners();
    const size = await openAtFractionOfCap(system, user!, 1_000, 1);
    await system.setEthPrice(2_500); // -16.7 %: far beyond the equity
    const equityBefore = (await engine.margin(user!.address)).equity;
    expect(equityBefore < 0n).to.equal(true);
    await engine.connect(liquidator!).liquidate(user!.address);
    const bonus = size * 2_500 * 0.01;
    expect(close(fromWad(await engine.badDebt()), -fromWad(equityBefore) + bonus, 1e-9, 1e-6)).to.equal(true);
    const after = await engine.margin(user!.address);
    expect([after.collateralValue, after.ledger, after.equity]).to.deep.equal([0n, 0n, 0n]);
  });

  it("finding 6 (Low): a loss paid from collateral leaves a collateral whose price cannot be read in the account instead of seizing it for nothing", async () => {
    const system = await load();
    const { engine } = system.ballast;
    const [, user] = await ethers.getSigners();
    await system.deposit(user!, { usdc: 10_000, weth: 1 });
    await system.trade(user!, 1);
    await system.setEthPrice(2_900); // the long loses about 100 USD
    // The USDC/USD feed answers zero: USDC cannot be priced.
    const usdcAggregator = system.feeds.usdc.aggregator;
    const round = Number(await usdcAggregator.latestRound()) + 1;
    const now = await connection.networkHelpers.time.latest();
    await usdcAggregator.setRound(round, 0n, now, now, round);
    await engine.connect(user!).trade(ETH_MARKET, wad(-1)); // the user closes: the loss is realized
    const balances = new Map((await engine.accountSnapshot(user!.address)).collateral.map((c) => [c.asset, c.amount]));
    // Before, the USDC went first and was seized whole while crediting nothing; now the loss comes out of WETH.
    expect(balances.get(await system.environment.usdc.getAddress())).to.equal(10_000n * 10n ** 6n);
    const weth = fromWad(balances.get(await system.environment.weth.getAddress()) ?? 0n);
    expect(weth).to.be.lessThan(1);
    expect(weth).to.be.greaterThan(0.95);
  });

  it("reducePosition is callable only by the risk module", async () => {
    const system = await load();
    const [, user] = await ethers.getSigners();
    await expect(system.ballast.engine.connect(user!).reducePosition(user!.address, ETH_MARKET, 1n, user!.address, 0n))
      .to.be.revertedWithCustomError(system.ballast.engine, "NotRiskModule")
      .withArgs(user!.address);
  });

  it("the owner lists markets and collaterals and binds the module once; nobody else can", async () => {
    const system = await load();
    const { engine } = system.ballast;
    const [owner, stranger] = await ethers.getSigners();
    await expect(
      engine
        .connect(stranger!)
        .listMarket(9, { feed: system.feeds.eth.address, maintenanceMargin: wad(0.05), liquidationBonus: wad(0.01) }),
    )
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(stranger!.address);
    await expect(engine.connect(owner!).setRiskModule(owner!.address)).to.be.revertedWithCustomError(engine, "RiskModuleAlreadySet");
    await expect(engine.connect(owner!).listMarket(9, { feed: system.feeds.eth.address, maintenanceMargin: wad(0.6), liquidationBonus: 0 }))
      .to.be.revertedWithCustomError(engine, "InvalidListing")
      .withArgs(wad(0.6));
  });
});
