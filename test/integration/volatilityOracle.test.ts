import { expect } from "chai";
import { network } from "hardhat";

import { VolatilityEstimator } from "../../scripts/lib/riskMath.js";
import { answer, deployFeed, type Feed, MissingRound, proxyRoundId, switchAggregator } from "../../scripts/lib/chainlink/feeds.js";
import { close, fromWad } from "../helpers/numbers.js";
import VolatilityOracleModule from "../../deploy/modules/VolatilityOracle.js";
import { DEFAULT_FEED_CONFIG, deployVolatilityOracle } from "../helpers/volatilityOracle.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const SkipReason = { Missing: 0, NonPositiveAnswer: 1, AnswerTooLarge: 2, IncompleteRound: 3, FutureTimestamp: 4, NotNewer: 5 };
const ConfigField = {
  Feed: 0,
  TauUp: 1,
  TauDown: 2,
  MaxAge: 3,
  MaxRoundsPerPoke: 4,
  SigmaMin: 5,
  SigmaMax: 6,
  ImpliedFeed: 7,
  ImpliedWeight: 8,
};

async function setupWith(missing: number) {
  const feed = await deployFeed(ethers, 8, "ETH / USD", missing);
  const oracle = await deployVolatilityOracle(ethers);
  await oracle.configureFeed(feed.address, DEFAULT_FEED_CONFIG);
  return { feed, oracle };
}

/** Reconfigures `feed`: at once when it loosens, else proposed, then executed after GOVERNANCE_DELAY. */
async function reconfigure(oracle: Awaited<ReturnType<typeof deployVolatilityOracle>>, feed: string, config: typeof DEFAULT_FEED_CONFIG) {
  await oracle.configureFeed(feed, config);
  if ((await oracle.pendingFeedConfig(feed))[1] === 0n) return;
  await time.increase(await oracle.GOVERNANCE_DELAY());
  await oracle.executeFeedConfig(feed, config);
}

/** Fixture: an OCR2-style feed behind a real proxy and a configured oracle. */
const setup = () => setupWith(MissingRound.ReturnZeros);

/** Transmits rounds at `start + i * step` seconds and moves the chain past the last one. */
async function publish(feed: Feed, prices: number[], step = 600, start?: number): Promise<number[]> {
  const t0 = start ?? (await time.latest()) + step;
  const times = prices.map((_, i) => t0 + i * step);
  await feed.aggregator.transmitBatch(
    prices.map((p) => answer(p)),
    times,
  );
  await time.increaseTo(times.at(-1)! + 1);
  return times;
}

describe("VolatilityOracle through a real EACAggregatorProxy", () => {
  it("first poke takes the latest round as the reference and folds nothing; the state is stale until a fold", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    await publish(feed, [2000, 2010, 1990]);
    await expect(oracle.poke(feed.address))
      .to.emit(oracle, "ReferenceInitialized")
      .withArgs(feed.address, proxyRoundId(1, 3), answer(1990), await feed.aggregator.latestTimestamp());
    const state = await oracle.feedState(feed.address);
    expect(state.cursor).to.equal(proxyRoundId(1, 3));
    expect(state.a).to.equal(0n);
    const [sigma, stale] = await oracle.getVolatility(feed.address);
    expect(stale).to.equal(true);
    expect(sigma).to.equal(DEFAULT_FEED_CONFIG.sigmaMin);
  });

  it("poke folds every round since the last poke and matches the TypeScript estimator", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const prices = [2000, 2012, 1995, 2030, 2031, 1980, 1985, 2100, 2090, 2095];
    const times = await publish(feed, prices.slice(0, 1));
    await oracle.poke(feed.address);
    const rest = await publish(feed, prices.slice(1), 900);
    const tx = await oracle.poke(feed.address);
    const receipt = await tx.wait();
    const folded = receipt!.logs.map((l) => oracle.interface.parseLog(l)).filter((e) => e?.name === "RoundFolded");
    expect(folded).to.have.length(prices.length - 1);

    const model = new VolatilityEstimator(Number(DEFAULT_FEED_CONFIG.tauUp), Number(DEFAULT_FEED_CONFIG.tauDown));
    [...times, ...rest].forEach((t, i) => model.observe(prices[i]!, t));
    const [sigma, stale] = await oracle.getVolatility(feed.address);
    expect(stale).to.equal(false);
    expect(close(fromWad(sigma), model.sigma, 1e-7, 1e-9), `${fromWad(sigma)} vs ${model.sigma}`).to.equal(true);
    expect(fromWad(folded.at(-1)!.args.sigma)).to.equal(fromWad(sigma));
  });

  it("poke reads at most maxRoundsPerPoke rounds per call and resumes where it stopped", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    await oracle.configureFeed(feed.address, { ...DEFAULT_FEED_CONFIG, maxRoundsPerPoke: 5 });
    await publish(feed, [2000]);
    await oracle.poke(feed.address);
    await publish(
      feed,
      Array.from({ length: 12 }, (_, i) => 2000 + i * 3),
    );
    const counts: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      counts.push(await oracle.poke.staticCall(feed.address));
      await oracle.poke(feed.address);
    }
    expect(counts).to.deep.equal([5n, 5n, 2n, 0n]);
    expect((await oracle.feedState(feed.address)).cursor).to.equal(proxyRoundId(1, 13));
  });

  for (const [label, missing] of [
    ["OCR2 (zeros)", MissingRound.ReturnZeros],
    ["OCR1 (revert)", MissingRound.Revert],
  ] as const) {
    it(`poke crosses a proxy phase change, finishing the old aggregator's rounds first (${label})`, async () => {
      const { feed, oracle } = await setupWith(missing);
      await publish(feed, [2000]);
      await oracle.poke(feed.address);
      await publish(feed, [2010, 2020]); // phase 1 rounds 2 and 3, not yet poked
      await switchAggregator(ethers, feed, missing);
      await publish(feed, [2030, 2040]); // phase 2 rounds 1 and 2
      const tx = await oracle.poke(feed.address);
      const receipt = await tx.wait();
      const folded = receipt!.logs.map((l) => oracle.interface.parseLog(l)).filter((e) => e?.name === "RoundFolded");
      expect(folded.map((e) => e!.args.roundId)).to.deep.equal([
        proxyRoundId(1, 2),
        proxyRoundId(1, 3),
        proxyRoundId(2, 1),
        proxyRoundId(2, 2),
      ]);
      expect((await oracle.feedState(feed.address)).cursor).to.equal(proxyRoundId(2, 2));
    });
  }

  it("skips invalid rounds with their reason and folds the next valid one against the last valid reference", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const [t0] = await publish(feed, [2000]);
    await oracle.poke(feed.address);
    const now = await time.latest();
    const agg = feed.aggregator;
    await agg.setRound(2, 0, now, now + 10, 2); // zero answer
    await agg.setRound(3, -5, now, now + 20, 3); // negative answer
    await agg.setRound(4, answer(2100), now, now + 30, 3); // incomplete: answeredInRound < roundId
    await agg.setRound(5, answer(2100), now, now + 100_000, 5); // future timestamp
    await agg.setRound(6, answer(2100), now, t0!, 6); // not newer than the reference (duplicate time)
    await agg.setRound(7, answer(2020), now, now + 40, 7); // valid
    await time.increaseTo(now + 41);
    const before = await oracle.feedState(feed.address);
    const tx = oracle.poke(feed.address);
    await expect(tx).to.emit(oracle, "RoundSkipped").withArgs(feed.address, proxyRoundId(1, 2), SkipReason.NonPositiveAnswer);
    await expect(tx).to.emit(oracle, "RoundSkipped").withArgs(feed.address, proxyRoundId(1, 3), SkipReason.NonPositiveAnswer);
    await expect(tx).to.emit(oracle, "RoundSkipped").withArgs(feed.address, proxyRoundId(1, 4), SkipReason.IncompleteRound);
    await expect(tx).to.emit(oracle, "RoundSkipped").withArgs(feed.address, proxyRoundId(1, 5), SkipReason.FutureTimestamp);
    await expect(tx).to.emit(oracle, "RoundSkipped").withArgs(feed.address, proxyRoundId(1, 6), SkipReason.NotNewer);
    await expect(tx).to.emit(oracle, "RoundFolded");
    const after = await oracle.feedState(feed.address);
    // Exactly one return was folded: ln(2020 / 2000) over the time since the reference.
    const model = new VolatilityEstimator(3600, 86_400);
    model.observe(2000, Number(before.referenceTime));
    model.observe(2020, now + 40);
    const clamped = Math.min(5, Math.max(0.1, model.sigma));
    expect(close(fromWad(await oracle.realizedVolatility(feed.address)), clamped, 1e-7, 1e-9)).to.equal(true);
    expect(after.referencePrice).to.equal(answer(2020));
    expect(after.cursor).to.equal(proxyRoundId(1, 7));
  });

  it("a round read again after it was folded is not folded twice", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    await publish(feed, [2000, 2050]);
    await oracle.poke(feed.address);
    await publish(feed, [2100]);
    await oracle.poke(feed.address);
    const state = await oracle.feedState(feed.address);
    expect(await oracle.poke.staticCall(feed.address)).to.equal(0n);
    await oracle.poke(feed.address);
    expect(await oracle.feedState(feed.address)).to.deep.equal(state);
  });

  it("reads as stale once the last folded round is older than maxAge", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    await publish(feed, [2000]);
    await oracle.poke(feed.address);
    const [t] = await publish(feed, [2040]);
    await oracle.poke(feed.address);
    expect((await oracle.getVolatility(feed.address))[1]).to.equal(false);
    await time.increaseTo(t! + Number(DEFAULT_FEED_CONFIG.maxAge) + 1);
    expect((await oracle.getVolatility(feed.address))[1]).to.equal(true);
  });

  it("reacts to a spike at once (tauUp) and forgets it slowly (tauDown)", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    await reconfigure(oracle, feed.address, { ...DEFAULT_FEED_CONFIG, sigmaMin: 10n ** 16n, sigmaMax: 10n * 10n ** 18n, maxAge: 86_400 });
    // A calm hour of 0.1 % moves every 10 minutes.
    const calm = Array.from({ length: 12 }, (_, i) => 2000 * (1 + (i % 2 === 0 ? 0.001 : -0.001)));
    await publish(feed, calm);
    await oracle.poke(feed.address);
    await publish(feed, calm);
    await oracle.poke(feed.address);
    const calmSigma = fromWad(await oracle.realizedVolatility(feed.address));
    await publish(feed, [1800]); // -10 % in one round
    await oracle.poke(feed.address);
    const spikeSigma = fromWad(await oracle.realizedVolatility(feed.address));
    expect(spikeSigma).to.be.greaterThan(calmSigma * 5);
    const decay: number[] = [];
    for (let hour = 0; hour < 6; hour++) {
      await publish(
        feed,
        calm.map((p) => p * 0.9),
      );
      await oracle.poke(feed.address);
      decay.push(fromWad(await oracle.realizedVolatility(feed.address)));
    }
    // Monotone decline, but six hours later still well above the calm level (tauDown = 1 day).
    decay.reduce((prev, s) => (expect(s).to.be.lessThan(prev), s), spikeSigma);
    expect(decay.at(-1)).to.be.greaterThan(calmSigma * 2);
  });

  it("an implied-volatility feed raises the effective volatility, and makes it stale when it is stale", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const implied = await deployFeed(ethers, 8, "ETH IV");
    await reconfigure(oracle, feed.address, { ...DEFAULT_FEED_CONFIG, impliedFeed: implied.address, impliedWeight: 8n * 10n ** 17n });
    await publish(feed, [2000]);
    await oracle.poke(feed.address);
    await publish(feed, [2001]);
    const ivTime = await time.latest();
    await implied.aggregator.transmit(answer(0.9), ivTime); // 90 % implied
    await oracle.poke(feed.address);
    const [sigma, stale] = await oracle.getVolatility(feed.address);
    expect(stale).to.equal(false);
    expect(Math.abs(fromWad(sigma) - 0.72)).to.be.lessThan(1e-12); // 0.8 * 90 % is above the realized volatility
    await time.increaseTo(ivTime + Number(DEFAULT_FEED_CONFIG.maxAge) + 1);
    expect((await oracle.getVolatility(feed.address))[1]).to.equal(true);
  });

  it("configureFeed enforces every hard bound with InvalidFeedConfig naming the field", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const base = DEFAULT_FEED_CONFIG;
    const cases: [Partial<typeof base>, number, bigint | number][] = [
      [{ tauUp: 59 }, ConfigField.TauUp, 59],
      [{ tauUp: 365 * 86_400 + 1, tauDown: 365 * 86_400 + 1 }, ConfigField.TauUp, 365 * 86_400 + 1],
      [{ tauDown: 3_599 }, ConfigField.TauDown, 3_599],
      [{ maxAge: 59 }, ConfigField.MaxAge, 59],
      [{ maxAge: 7 * 86_400 + 1 }, ConfigField.MaxAge, 7 * 86_400 + 1],
      [{ maxRoundsPerPoke: 0 }, ConfigField.MaxRoundsPerPoke, 0],
      [{ maxRoundsPerPoke: 1001 }, ConfigField.MaxRoundsPerPoke, 1001],
      [{ sigmaMin: 10n ** 16n - 1n }, ConfigField.SigmaMin, 10n ** 16n - 1n],
      [{ sigmaMax: 10n ** 17n - 1n }, ConfigField.SigmaMax, 10n ** 17n - 1n],
      [{ sigmaMax: 10n * 10n ** 18n + 1n }, ConfigField.SigmaMax, 10n * 10n ** 18n + 1n],
      [{ impliedWeight: 1 }, ConfigField.ImpliedWeight, 1],
      [{ impliedFeed: feed.address, impliedWeight: 0 }, ConfigField.ImpliedWeight, 0],
      [{ impliedFeed: feed.address, impliedWeight: 2n * 10n ** 18n + 1n }, ConfigField.ImpliedWeight, 2n * 10n ** 18n + 1n],
    ];
    for (const [change, field, value] of cases) {
      await expect(
        oracle.configureFeed(feed.address, { ...base, ...change }),
        JSON.stringify(change, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
      )
        .to.be.revertedWithCustomError(oracle, "InvalidFeedConfig")
        .withArgs(field, value);
    }
    await expect(oracle.configureFeed(ethers.ZeroAddress, base))
      .to.be.revertedWithCustomError(oracle, "InvalidFeedConfig")
      .withArgs(ConfigField.Feed, 0);
  });

  it("only RISK_ADMIN_ROLE configures; poke is permissionless; unknown feeds revert with FeedNotConfigured", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const [, stranger] = await ethers.getSigners();
    await expect(oracle.connect(stranger!).configureFeed(feed.address, DEFAULT_FEED_CONFIG))
      .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
      .withArgs(stranger!.address, await oracle.RISK_ADMIN_ROLE());
    await publish(feed, [2000]);
    await expect(oracle.connect(stranger!).poke(feed.address)).to.emit(oracle, "ReferenceInitialized");
    await expect(oracle.getVolatility(stranger!.address))
      .to.be.revertedWithCustomError(oracle, "FeedNotConfigured")
      .withArgs(stranger!.address);
    await expect(oracle.poke(stranger!.address)).to.be.revertedWithCustomError(oracle, "FeedNotConfigured");
  });

  it("the default admin changes hands only after the delay, in two steps", async () => {
    const { oracle } = await networkHelpers.loadFixture(setup);
    const [admin, next] = await ethers.getSigners();
    await oracle.beginDefaultAdminTransfer(next!.address);
    await expect(oracle.connect(next!).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(
      oracle,
      "AccessControlEnforcedDefaultAdminDelay",
    );
    await time.increase(86_401);
    await oracle.connect(next!).acceptDefaultAdminTransfer();
    expect(await oracle.defaultAdmin()).to.equal(next!.address);
    expect(await oracle.hasRole(await oracle.DEFAULT_ADMIN_ROLE(), admin!.address)).to.equal(false);
  });

  it("finding 1 (Medium): a tightening reconfiguration (sigmaMin up, sigmaMax up, implied feed swapped) waits GOVERNANCE_DELAY; a loosening applies at once", async () => {
    const { feed, oracle } = await networkHelpers.loadFixture(setup);
    const [, stranger] = await ethers.getSigners();
    const implied = await deployFeed(ethers, 8, "ETH IV");
    await publish(feed, [2000, 2002]);
    await oracle.poke(feed.address);
    await oracle.poke(feed.address);
    const before = await oracle.getVolatility(feed.address);
    expect(before[0]).to.equal(DEFAULT_FEED_CONFIG.sigmaMin); // calm: at the floor
    const tighter = {
      ...DEFAULT_FEED_CONFIG,
      sigmaMin: 10n * 10n ** 18n,
      sigmaMax: 10n * 10n ** 18n,
      impliedFeed: implied.address,
      impliedWeight: 2n * 10n ** 18n,
    };
    const proposedAt = (await time.latest()) + 1;
    await expect(oracle.configureFeed(feed.address, tighter))
      .to.emit(oracle, "FeedConfigProposed")
      .withArgs(feed.address, anyValue, proposedAt + 86_400);
    // Nothing changed: the configuration, the volatility.
    expect((await oracle.feedConfig(feed.address)).sigmaMin).to.equal(DEFAULT_FEED_CONFIG.sigmaMin);
    expect((await oracle.getVolatility(feed.address))[0]).to.equal(before[0]);
    await expect(oracle.connect(stranger!).executeFeedConfig(feed.address, tighter))
      .to.be.revertedWithCustomError(oracle, "ChangeNotReady")
      .withArgs(feed.address, proposedAt + 86_400);
    // Only the published configuration executes, by anyone, after the delay.
    await time.increaseTo(proposedAt + 86_400);
    await expect(
      oracle.connect(stranger!).executeFeedConfig(feed.address, { ...tighter, impliedWeight: 10n ** 18n }),
    ).to.be.revertedWithCustomError(oracle, "ChangeNotProposed");
    await expect(oracle.connect(stranger!).executeFeedConfig(feed.address, tighter)).to.emit(oracle, "FeedConfigured");
    expect((await oracle.feedConfig(feed.address)).sigmaMin).to.equal(10n * 10n ** 18n);
    expect((await oracle.getVolatility(feed.address))[0]).to.equal(10n * 10n ** 18n);
    // Loosening (back to the defaults: lower floor and ceiling, no implied feed) applies at once.
    await expect(oracle.configureFeed(feed.address, DEFAULT_FEED_CONFIG)).to.emit(oracle, "FeedConfigured");
    expect((await oracle.getVolatility(feed.address))[0]).to.equal(DEFAULT_FEED_CONFIG.sigmaMin);
    // A pending tightening can be cancelled by the risk admin only.
    await oracle.configureFeed(feed.address, { ...DEFAULT_FEED_CONFIG, maxAge: 3_600 });
    await expect(oracle.connect(stranger!).cancelFeedConfig(feed.address)).to.be.revertedWithCustomError(
      oracle,
      "AccessControlUnauthorizedAccount",
    );
    await expect(oracle.cancelFeedConfig(feed.address)).to.emit(oracle, "FeedConfigCancelled");
    expect((await oracle.pendingFeedConfig(feed.address))[1]).to.equal(0n);
    await expect(oracle.cancelFeedConfig(feed.address)).to.be.revertedWithCustomError(oracle, "ChangeNotProposed");
  });
});

describe("VolatilityOracle deployment", () => {
  it("the Ignition module in deploy/ deploys it with the deployer as default admin and a two-day delay", async () => {
    const { ignition, ethers: e } = await network.create();
    const deployed = await ignition.deploy(VolatilityOracleModule);
    const oracle = await e.getContractAt("VolatilityOracle", await deployed.volatilityOracle.getAddress());
    const [deployer] = await e.getSigners();
    expect(await oracle.defaultAdmin()).to.equal(deployer!.address);
    expect(await oracle.defaultAdminDelay()).to.equal(2n * 86_400n);
  });
});

function anyValue(): boolean {
  return true;
}
