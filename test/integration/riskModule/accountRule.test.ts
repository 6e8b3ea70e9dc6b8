import { expect } from "chai";
import { type HDNodeWallet, type Signer, Wallet } from "ethers";
import { network } from "hardhat";

import { defaultCollateralConfig, wad } from "../../../scripts/lib/ballast/params.js";
import { answer, type Feed, setPrice } from "../../../scripts/lib/chainlink/feeds.js";
import { deployOptions, enableGreeks, listStraddle, shortStraddleGreeks } from "../../../scripts/lib/options/setup.js";
import { depositCollateral, deploySystem, ETH_MARKET, movePoolTo, type System } from "../../../scripts/lib/system.js";
import { fundToken } from "../../../scripts/lib/uniswap/tokens.js";
import { fromWad } from "../../helpers/numbers.js";
import { openAtFractionOfCap } from "../../helpers/scenarios.js";

/**
 * The account rule (issue 11): one evaluation of the whole account used by every entry point. Each finding of
 * the review has a regression test named after it; each fails on the code before the rule (where the perpetual
 * caps ignored the options books, the Greeks bound dropped the maintenance margin, deleverage used a stored TWAP
 * of any age, one stale feed froze an account, and errors always named the traded market's feed as stale).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const Bound = { LiquidationDistance: 1n, Greeks: 6n };
const Status = { Healthy: 0n, OverCap: 1n, OracleInvalid: 2n };
const PriceSource = { Chainlink: 0n, StoredTwap: 1n, LiveTwap: 2n };
const PriceFault = { Reverted: 0, NonPositive: 1, FutureTimestamp: 2, Stale: 3, IncompleteRound: 4 };
const EQUITY = 99_000;
const MARKETS = [2n, 3n, 4n];

/** Markets 1 (ETH, Greeks sizing, a reference options engine) and 2-4 (perpetuals on their own ETH feeds). */
async function deployed() {
  const system = await deploySystem(connection, { extraMarkets: 3 });
  await enableGreeks(system);
  const options = await deployOptions(system);
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const { call, put } = await listStraddle(options, system.admin, now + 30 * 86_400, 3_000);
  const straddle = await shortStraddleGreeks(options, call, put);
  return { system, options, call, put, straddle, module: system.ballast.riskModule, engine: system.ballast.engine };
}
type Deployed = Awaited<ReturnType<typeof deployed>>;
const load = () => networkHelpers.loadFixture(deployed);

async function trader(f: Deployed, usdc = EQUITY): Promise<HDNodeWallet> {
  const wallet = Wallet.createRandom().connect(ethers.provider);
  await networkHelpers.setBalance(wallet.address, 10n ** 20n);
  await depositCollateral(connection, f.system.environment, await f.engine.getAddress(), wallet, { usdc });
  return wallet;
}

/** Sells `units` straddles in `steps` slices, put then call (so that no slice leaves one leg far ahead). */
async function sellStraddles(f: Deployed, who: Signer, units: bigint, steps = 1n) {
  for (let i = 0n; i < steps; i++) {
    const slice = units / steps + (i < units % steps ? 1n : 0n);
    await (await f.options.connect(who).trade(f.put, -slice)).wait();
    await (await f.options.connect(who).trade(f.call, -slice)).wait();
  }
}

/** The long a new position in `market` may open now (its cap from positionRisk), as a size in ETH (WAD). */
async function capSize(f: Deployed, who: string, market: bigint, fraction: number): Promise<bigint> {
  const risk = await f.module.positionRisk(who, market);
  return wad(((fromWad(risk.cap) * fraction) / fromWad(risk.price)).toFixed(12));
}

/** Whether `validateAccount` passes for `who` now. */
async function passes(f: Deployed, who: string): Promise<boolean> {
  try {
    await f.module.validateAccount(who);
    return true;
  } catch {
    return false;
  }
}

function feedOf(system: System, market: bigint): Feed {
  return market === ETH_MARKET ? system.feeds.eth : system.extraFeeds.get(market)!;
}

describe("the account rule: one evaluation for every entry point (issue 11 findings)", () => {
  it("finding 1 (High): the options book's worst loss counts when a perpetual in another market is checked, whatever the order", async () => {
    const f = await load();
    const writer = await trader(f);
    // Straddles sold to 99 % of what the account can bear (the grid's worst loss near its allowance).
    const maxUnits = await f.module.maxOptionsTrade(writer.address, ETH_MARKET, f.straddle);
    await sellStraddles(f, writer, (maxUnits * 99n) / 100n);
    const status = await f.module.accountStatus(writer.address);
    expect(fromWad(status.freeEquity)).to.be.within(0, 0.02 * EQUITY);
    // Every other market's cap is what the free equity left by the book allows: almost nothing.
    for (const market of MARKETS) {
      const risk = await f.module.positionRisk(writer.address, market);
      expect(risk.binding).to.equal(Bound.LiquidationDistance);
      expect(fromWad(risk.cap)).to.be.lessThan(0.3 * EQUITY);
    }
    // What the old per-market check admitted (a third of the perpetuals' stressed requirement each) is refused.
    const oldCap = fromWad((await f.module.positionRisk((await trader(f)).address, 2n)).cap);
    await expect(f.engine.connect(writer).trade(2n, wad(((oldCap * 0.3) / 3_000).toFixed(12))))
      .to.be.revertedWithCustomError(f.module, "CapExceeded")
      .withArgs(
        2n,
        Bound.LiquidationDistance,
        (v: bigint) => v > 0n,
        (v: bigint) => v > 0n,
      );
    // Within the cap it is admitted, and the account still passes the rule.
    await (await f.engine.connect(writer).trade(2n, await capSize(f, writer.address, 2n, 0.9))).wait();
    expect(await passes(f, writer.address)).to.equal(true);

    // The other order: perpetuals first, then the options: the same rule refuses the book beyond what is left.
    const other = await trader(f);
    for (const market of MARKETS) await (await f.engine.connect(other).trade(market, await capSize(f, other.address, market, 0.3))).wait();
    const left = await f.module.maxOptionsTrade(other.address, ETH_MARKET, f.straddle);
    expect(left).to.be.lessThan((maxUnits * 99n) / 100n);
    // Sold in slices (a slice of puts alone must stay admissible): 95 % of what is left is admitted...
    await sellStraddles(f, other, (left * 95n) / 100n, 20n);
    expect(await passes(f, other.address)).to.equal(true);
    const after = await f.module.accountStatus(other.address);
    expect(after.freeEquity >= 0n).to.equal(true);
    expect(after.status).to.equal(Status.Healthy);
    // ...and 10 % more (105 % of what was left, in all) is refused by the same rule.
    await expect(sellStraddles(f, other, (left * 10n) / 100n, 2n)).to.be.revertedWithCustomError(f.module, "GreeksBoundExceeded");
  });

  it("finding 1 (High): a book pushed beyond the account's equity by the market makes its perpetuals elsewhere deleverageable", async () => {
    const f = await load();
    const writer = await trader(f);
    const maxUnits = await f.module.maxOptionsTrade(writer.address, ETH_MARKET, f.straddle);
    await (await f.engine.connect(writer).trade(2n, await capSize(f, writer.address, 2n, 0.5))).wait();
    await sellStraddles(f, writer, (await f.module.maxOptionsTrade(writer.address, ETH_MARKET, f.straddle)) / 1n);
    expect(maxUnits).to.be.greaterThan(0n);
    // Violent rounds on every feed: volatility doubles and more, the grid's moves widen, and the short
    // straddles' worst loss grows past what the account can bear.
    for (const price of [2_700, 3_300, 2_700, 3_300, 3_000]) {
      await time.increase(60);
      for (const market of [ETH_MARKET, ...MARKETS]) await setPrice(feedOf(f.system, market), price);
    }
    for (const market of [ETH_MARKET, ...MARKETS])
      await (await f.system.ballast.volatilityOracle.poke(feedOf(f.system, market).address)).wait();
    const status = await f.module.accountStatus(writer.address);
    expect(status.freeEquity < 0n).to.equal(true);
    expect(status.status).to.equal(Status.OverCap);
    expect(status.worst.market).to.equal(2n);
    const [notional] = await f.module.deleverageQuote(writer.address, 2n);
    expect(notional).to.be.greaterThan(0n);
    await expect(f.module.deleverage(writer.address, 2n)).to.emit(f.module, "Deleveraged");
  });

  it("finding 2 (Medium): in a market with Greeks sizing the perpetual's cap keeps the maintenance margin, and one stressed move leaves it above maintenance", async () => {
    const f = await load();
    // Small enough that the Greeks and liquidation-distance bounds bind rather than the depth bound.
    const perp = await trader(f, 5_000);
    const greeks = await f.module.positionRisk(perp.address, ETH_MARKET);
    const plain = await f.module.positionRisk(perp.address, 2n);
    expect(greeks.binding).to.equal(Bound.Greeks);
    // Before the rule the collateral tier's bound (20x equity) bound it; the plain market's is smaller.
    expect(greeks.cap).to.be.lessThanOrEqual(plain.cap);
    const book = await f.module.greeksRisk(perp.address, ETH_MARKET);
    const m = fromWad((await f.module.marketConfig(ETH_MARKET)).maintenanceMargin);
    // A new position's book pays this market's buffer (b·E) out of the allowance, as every book does.
    const buffer = fromWad((await f.module.greeksConfig(ETH_MARKET)).buffer) * fromWad(book.equity);
    const expected = (fromWad(book.allowed) - buffer) / (fromWad(book.xMax) + m);
    expect(Math.abs(fromWad(greeks.cap) / expected - 1)).to.be.lessThan(1e-9);
    // Open a long at 99 % of that cap and move the price by one stressed move against it.
    const size = await capSize(f, perp.address, ETH_MARKET, 0.99);
    await (await f.engine.connect(perp).trade(ETH_MARKET, size)).wait();
    await setPrice(f.system.feeds.eth, 3_000 * (1 - fromWad(book.xMax)));
    const margin = await f.engine.margin(perp.address);
    expect(margin.equity > BigInt(margin.requirement)).to.equal(true);
    expect((await f.engine.liquidatable([perp.address]))[0]).to.equal(false);
  });

  it("finding 3 (Medium): deleverage never judges a position at a stored TWAP older than depthMaxAge", async () => {
    const f = await load();
    const { system } = f;
    const [, keeper] = await ethers.getSigners();
    const user = await trader(f, 1_000);
    await (await f.engine.connect(user).trade(2n, await capSize(f, user.address, 2n, 0.9))).wait();
    const feed = feedOf(system, 2n);
    const publish = async () => {
      await setPrice(feed, 3_000);
      await setPrice(system.feeds.usdc, 1);
    };
    // The pool sits at 2,700 for a TWAP window while Chainlink keeps saying 3,000; a refresh records that TWAP.
    await system.movePool(2_700);
    await time.increase(1_900);
    await publish();
    await (await f.module.refreshDepth(2n)).wait();
    expect(Math.abs(fromWad((await f.module.depthState(2n)).twapPrice) - 2_700)).to.be.lessThan(30);
    // Fresh and diverging, that TWAP is used: at 2,700 the long is far over its cap.
    const atFreshTwap = await f.module.positionRisk(user.address, 2n);
    expect(atFreshTwap.source).to.equal(PriceSource.StoredTwap);
    expect(atFreshTwap.deleverageNotional).to.be.greaterThan(0n);
    // The pool returns to 3,000; nobody refreshes for longer than depthMaxAge.
    await system.movePool(3_000);
    const depthMaxAge = Number((await f.module.marketConfig(2n)).depthMaxAge);
    await time.increase(depthMaxAge / 2);
    await publish();
    await time.increase(depthMaxAge / 2 + 1);
    await publish();
    // The stored TWAP (2,700) is now older than depthMaxAge: it is not used. At Chainlink's 3,000 the long is
    // within its cap (ratio about 0.9): nothing to do.
    const risk = await f.module.positionRisk(user.address, 2n);
    expect(risk.source).to.equal(PriceSource.Chainlink);
    expect(risk.deleverageNotional).to.equal(0n);
    expect(fromWad(risk.notional) / fromWad(risk.cap)).to.be.within(0.8, 1);
    expect(await f.module.deleverageQuote(user.address, 2n)).to.deep.equal([0n, 0n, 0n]);
    expect((await f.module.accountStatus(user.address)).status).to.equal(Status.Healthy);
    await expect(f.module.connect(keeper!).deleverage(user.address, 2n)).to.be.revertedWithCustomError(f.module, "NothingToDeleverage");
    // After a refresh the TWAP says 3,000 again: still nothing to do.
    await (await f.module.refreshDepth(2n)).wait();
    await expect(f.module.connect(keeper!).deleverage(user.address, 2n)).to.be.revertedWithCustomError(f.module, "NothingToDeleverage");
  });

  it("finding 4 (Medium): another market's stale feed does not freeze the account: the position with a fresh price is deleveraged", async () => {
    const f = await load();
    const user = await trader(f, 2_000);
    for (const market of [2n, 3n]) await (await f.engine.connect(user).trade(market, await capSize(f, user.address, market, 0.48))).wait();
    // Market 3's feed goes stale; market 2's keeps publishing, and falls 6 %: market 2's long breaches.
    const maxPriceAge = Number((await f.module.marketConfig(3n)).maxPriceAge);
    await time.increase(maxPriceAge + 1);
    await setPrice(feedOf(f.system, 2n), 2_820);
    await setPrice(f.system.feeds.usdc, 1);
    const status = await f.module.accountStatus(user.address);
    expect(status.status).to.equal(Status.OverCap);
    const risk3 = await f.module.positionRisk(user.address, 3n);
    expect(risk3.source).to.equal(PriceSource.LiveTwap);
    await expect(f.module.deleverage(user.address, 2n)).to.emit(f.module, "Deleveraged");
  });

  it("finding 4 (Medium): the position's own stale feed: deleverage plans at the pool TWAP read in the same transaction", async () => {
    const f = await load();
    const [, user] = await ethers.getSigners();
    await openAtFractionOfCap(f.system, user!, 1_000, 0.999);
    // The last ETH round is 2,850 (the long loses), then the feed stops; the pool's TWAP still says ~3,000.
    await setPrice(f.system.feeds.eth, 2_850);
    const maxPriceAge = Number((await f.module.marketConfig(ETH_MARKET)).maxPriceAge);
    await time.increase(maxPriceAge + 1);
    const risk = await f.module.positionRisk(user!.address, ETH_MARKET);
    expect(risk.source).to.equal(PriceSource.LiveTwap);
    expect(Math.abs(fromWad(risk.price) - 3_000)).to.be.lessThan(30);
    const status = await f.module.accountStatus(user!.address);
    expect(status.status).to.not.equal(Status.OracleInvalid);
  });

  it("a drained pool priced beyond MAX_TWAP_PRICE with the position's feed stale prices nothing: the views do not revert, the position is unpriced", async () => {
    const f = await load();
    const [, user] = await ethers.getSigners();
    await openAtFractionOfCap(f.system, user!, 1_000, 0.5);
    // The pool is pushed past its liquidity to an absurd price and held there for the TWAP window; the feed stops.
    const env = f.system.environment;
    await fundToken(connection, await env.usdc.getAddress(), env.swapper, 10n ** 60n);
    await movePoolTo(connection, env, 1e32);
    const config = await f.module.marketConfig(ETH_MARKET);
    await time.increase(Math.max(Number(config.maxPriceAge), Number(config.twapWindow)) + 1);
    await setPrice(f.system.feeds.usdc, 1);
    const status = await f.module.accountStatus(user!.address);
    expect(status.status).to.equal(Status.OracleInvalid);
    // The position's own view names what failed (the feed and Stale) instead of pricing at the absurd TWAP.
    await expect(f.module.positionRisk(user!.address, ETH_MARKET))
      .to.be.revertedWithCustomError(f.module, "MarketUnpriced")
      .withArgs(ETH_MARKET, f.system.feeds.eth.address, PriceFault.Stale);
    expect((await f.module.deleverageQuote(user!.address, ETH_MARKET)).notional).to.equal(0n);
    const [entry] = await f.system.ballast.riskLens.statusBatch(await f.module.getAddress(), [user!.address]);
    expect(entry!.ok).to.equal(true);
    expect(entry!.status.status).to.equal(Status.OracleInvalid);
  });

  it("finding 4 (Medium): a stale collateral is valued at its last price with a haircut widened over its age, or at nothing without its own volatility", async () => {
    const f = await load();
    const [, user] = await ethers.getSigners();
    await openAtFractionOfCap(f.system, user!, 10_000, 0.5);
    const fresh = fromWad((await f.module.accountStatus(user!.address)).equity);
    // The risk admin proposes USDC's own-volatility haircut now (a tightening: it waits GOVERNANCE_DELAY).
    const usdc = await f.system.environment.usdc.getAddress();
    const withVolZ = defaultCollateralConfig(f.system.feeds.usdc.address, { volZ: wad(3), volHorizon: 3_600 });
    await (await f.module.connect(f.system.admin).configureCollateral(usdc, withVolZ)).wait();
    // The USDC/USD feed stops for a day and an hour and a half (its maxPriceAge is a day and an hour).
    const usdcAge = Number((await f.module.collateralConfig(usdc)).maxPriceAge);
    await time.increase(usdcAge + 1_800);
    await setPrice(f.system.feeds.eth, 3_000);
    const without = await f.module.accountStatus(user!.address);
    expect(fromWad(without.equity)).to.be.lessThan(1);
    expect(without.status).to.equal(Status.OverCap);
    // With its own volatility configured (volZ), the same stale USDC counts for most of its value.
    await (await f.module.executeCollateralConfig(usdc, withVolZ)).wait();
    const withVol = fromWad((await f.module.accountStatus(user!.address)).equity);
    expect(withVol).to.be.within(0.5 * fresh, fresh);
  });

  it("finding 5 (Info): an increase names the feed that failed and how, whether a collateral's or another market's", async () => {
    const f = await load();
    const user = await trader(f, 10_000);
    await (await f.engine.connect(user).trade(2n, await capSize(f, user.address, 2n, 0.3))).wait();
    // Market 2's feed answers zero: a trade in market 3 names market 2's feed and NonPositive.
    const aggregator = feedOf(f.system, 2n).aggregator;
    const round = Number(await aggregator.latestRound()) + 1;
    const now = await time.latest();
    await aggregator.setRound(round, 0n, now, now, round);
    await expect(f.engine.connect(user).trade(3n, wad(0.01)))
      .to.be.revertedWithCustomError(f.module, "PriceInvalid")
      .withArgs(feedOf(f.system, 2n).address, PriceFault.NonPositive);
    await aggregator.setRound(round + 1, answer(3_000), now, now, round + 1);
    // The USDC feed stale: a trade in market 2 names the USDC feed.
    const usdc = await f.system.environment.usdc.getAddress();
    await time.increase(Number((await f.module.collateralConfig(usdc)).maxPriceAge) + 1);
    for (const market of [ETH_MARKET, ...MARKETS]) await setPrice(feedOf(f.system, market), 3_000);
    await (await f.module.refreshDepth(2n)).wait();
    await (await f.system.ballast.volatilityOracle.poke(feedOf(f.system, 2n).address)).wait();
    await expect(f.engine.connect(user).trade(2n, wad(0.01)))
      .to.be.revertedWithCustomError(f.module, "PriceInvalid")
      .withArgs(f.system.feeds.usdc.address, PriceFault.Stale);
  });
});

function anyValue(): boolean {
  return true;
}
