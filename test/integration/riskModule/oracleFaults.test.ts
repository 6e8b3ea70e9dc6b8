import { expect } from "chai";
import type { Signer } from "ethers";

import { defaultMarketConfig } from "../../../scripts/lib/ballast/params.js";
import { answer, deployFeed, type Feed } from "../../../scripts/lib/chainlink/feeds.js";
import { ETH_MARKET, type System } from "../../../scripts/lib/system.js";
import { openAtFractionOfCap } from "../../helpers/scenarios.js";
import { systemFixture } from "../../helpers/system.js";

/**
 * The oracle fault matrix (RISK-MODEL.md section 6): each fault x (increase, deleverage, user reduce,
 * liquidation). Increases fail closed with the named error (asserted on the engine's trade and on the hook
 * itself); deleverage needs a price for the position's market, the fresh Chainlink round or else the pool TWAP
 * read in the same transaction (so no Chainlink fault stops it while the pool serves its TWAP window); user
 * reductions and liquidations never consult the module (the reference engine executes them at any positive
 * price), so only a price the engine cannot execute at (zero, negative) stops them, with the engine's own error.
 */
const { connection, load } = await systemFixture();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const PriceFault = { Reverted: 0, NonPositive: 1, FutureTimestamp: 2, Stale: 3, IncompleteRound: 4 };

interface Actors {
  system: System;
  sequencer: Feed;
  /** Over its cap (deleverage has work), far from liquidation. */
  overCap: Signer;
  /** Below maintenance (liquidatable). */
  underwater: Signer;
  /** Healthy, with room to increase. */
  trader: Signer;
  keeper: Signer;
}

/**
 * Accounts in the three states, at a fresh 2,850 USD price that the pool and its TWAP agree with, and an L2
 * sequencer feed that has been up for a day (grace period one hour).
 */
async function scene(): Promise<Actors> {
  const system = await load();
  const [, overCap, underwater, trader, keeper] = await ethers.getSigners();
  await openAtFractionOfCap(system, overCap!, 10_000, 0.7);
  await openAtFractionOfCap(system, underwater!, 10_000, 1);
  await system.deposit(trader!, { usdc: 100_000 });
  await system.trade(trader!, 1);
  // -5 %: the over-cap account breaches its cap, the one opened at its cap falls below maintenance.
  await system.setEthPrice(2_850);
  await system.movePool(2_850);
  await system.advance(1_900);
  const sequencer = await deployFeed(ethers, 0, "L2 sequencer uptime");
  const now = await time.latest();
  await sequencer.aggregator.setRound(1, 0, now - 86_400, now - 86_400, 1);
  await system.ballast.riskModule.configureSequencer(sequencer.address, 3_600);
  return { system, sequencer, overCap: overCap!, underwater: underwater!, trader: trader!, keeper: keeper! };
}

/** Publishes a raw ETH/USD round on the live aggregator. */
async function ethRound(system: System, values: { answer?: bigint; updatedAt?: number; answeredInRound?: number }) {
  const aggregator = system.feeds.eth.aggregator;
  const round = Number(await aggregator.latestRound()) + 1;
  const now = await time.latest();
  await aggregator.setRound(round, values.answer ?? answer(2_850), now, values.updatedAt ?? now, values.answeredInRound ?? round);
}

type Outcome = { ok: true; source?: number } | { error: string; args?: unknown[] };
interface Fault {
  name: string;
  inject(a: Actors): Promise<void>;
  /** What `validateIncrease` itself reverts with. */
  hook: { error: string; args?: unknown[] };
  /** The engine's increase (which calls the hook, unless it cannot price the trade at all). */
  increase: Outcome;
  deleverage: Outcome;
  reduce: Outcome;
  liquidation: Outcome;
}

const ok: Outcome = { ok: true };
/** `IRiskTypes.PriceSource.LiveTwap`: the deleverage was judged at the pool TWAP read in its transaction. */
const atLiveTwap: Outcome = { ok: true, source: 2 };
const faults: Fault[] = [
  {
    name: "stale price (older than maxPriceAge)",
    inject: async (a) => {
      await time.increase(3_600 + 301);
    },
    hook: { error: "PriceInvalid", args: [PriceFault.Stale] },
    increase: { error: "PriceInvalid", args: [PriceFault.Stale] },
    deleverage: atLiveTwap,
    reduce: ok,
    liquidation: ok,
  },
  {
    name: "zero answer",
    inject: (a) => ethRound(a.system, { answer: 0n }),
    hook: { error: "PriceInvalid", args: [PriceFault.NonPositive] },
    increase: { error: "PriceUnavailable" },
    // The module plans at the pool TWAP; the reference engine cannot execute without a positive round.
    deleverage: { error: "PriceUnavailable" },
    reduce: { error: "PriceUnavailable" },
    liquidation: { error: "PriceUnavailable" },
  },
  {
    name: "negative answer",
    inject: (a) => ethRound(a.system, { answer: -1n }),
    hook: { error: "PriceInvalid", args: [PriceFault.NonPositive] },
    increase: { error: "PriceUnavailable" },
    // The module plans at the pool TWAP; the reference engine cannot execute without a positive round.
    deleverage: { error: "PriceUnavailable" },
    reduce: { error: "PriceUnavailable" },
    liquidation: { error: "PriceUnavailable" },
  },
  {
    name: "future timestamp",
    inject: async (a) => ethRound(a.system, { updatedAt: (await time.latest()) + 3_600 }),
    hook: { error: "PriceInvalid", args: [PriceFault.FutureTimestamp] },
    increase: { error: "PriceInvalid", args: [PriceFault.FutureTimestamp] },
    deleverage: atLiveTwap,
    reduce: ok,
    liquidation: ok,
  },
  {
    name: "incomplete round (answeredInRound < roundId)",
    inject: async (a) => {
      const round = Number(await a.system.feeds.eth.aggregator.latestRound()) + 1;
      await ethRound(a.system, { answeredInRound: round - 1 });
    },
    hook: { error: "PriceInvalid", args: [PriceFault.IncompleteRound] },
    increase: { error: "PriceInvalid", args: [PriceFault.IncompleteRound] },
    deleverage: ok,
    reduce: ok,
    liquidation: ok,
  },
  {
    name: "sequencer down",
    inject: async (a) => {
      const now = await time.latest();
      await a.sequencer.aggregator.setRound(2, 1, now, now, 2);
    },
    hook: { error: "SequencerDown" },
    increase: { error: "SequencerDown" },
    deleverage: ok,
    reduce: ok,
    liquidation: ok,
  },
  {
    name: "sequencer back up, inside its grace period",
    inject: async (a) => {
      const now = await time.latest();
      await a.sequencer.aggregator.setRound(2, 0, now - 600, now - 600, 2);
    },
    hook: { error: "SequencerGracePeriod" },
    increase: { error: "SequencerGracePeriod" },
    deleverage: ok,
    reduce: ok,
    liquidation: ok,
  },
  {
    name: "Chainlink price diverging from the pool TWAP (-10 %)",
    inject: (a) => ethRound(a.system, { answer: answer(2_850 * 0.9) }),
    hook: { error: "PriceDivergence" },
    increase: { error: "PriceDivergence" },
    deleverage: ok,
    reduce: ok,
    liquidation: ok,
  },
];

async function outcome(action: () => Promise<unknown>): Promise<{ ok: true } | { error: unknown }> {
  try {
    await action();
    return { ok: true };
  } catch (error) {
    return { error };
  }
}

describe("RiskModule oracle fault matrix", () => {
  it("the scene is as described before any fault: every action goes through", async () => {
    const a = await scene();
    const module = a.system.ballast.riskModule;
    expect((await module.accountStatus(await a.overCap.getAddress())).status).to.equal(1n);
    const margin = await a.system.ballast.engine.margin(await a.underwater.getAddress());
    expect(margin.equity < BigInt(margin.requirement)).to.equal(true);
    await expect(a.system.trade(a.trader, 0.5)).to.not.revert(ethers);
  });

  for (const fault of faults) {
    describe(fault.name, () => {
      it(`validateIncrease itself reverts with ${fault.hook.error}`, async () => {
        const a = await scene();
        await fault.inject(a);
        const module = a.system.ballast.riskModule;
        const assertion = expect(module.validateIncrease(await a.trader.getAddress(), ETH_MARKET)).to.be.revertedWithCustomError(
          module,
          fault.hook.error,
        );
        if (fault.hook.args) await assertion.withArgs(a.system.feeds.eth.address, ...fault.hook.args);
        else await assertion;
      });
      const actions: [keyof Omit<Fault, "name" | "inject">, (a: Actors) => Promise<unknown>][] = [
        ["increase", (a) => a.system.trade(a.trader, 0.5)],
        ["deleverage", async (a) => a.system.ballast.riskModule.connect(a.keeper).deleverage(await a.overCap.getAddress(), ETH_MARKET)],
        ["reduce", (a) => a.system.trade(a.trader, -0.5)],
        ["liquidation", async (a) => a.system.ballast.engine.connect(a.keeper).liquidate(await a.underwater.getAddress())],
      ];
      for (const [action, run] of actions) {
        const expected = fault[action];
        it(`${action}: ${"ok" in expected ? "goes through" : `reverts with ${expected.error}`}`, async () => {
          const a = await scene();
          await fault.inject(a);
          const module = a.system.ballast.riskModule;
          const engine = a.system.ballast.engine;
          if ("ok" in expected) {
            const result = await outcome(() => run(a));
            expect(result, "ok" in result ? "" : String((result as { error: unknown }).error)).to.deep.equal({ ok: true });
            if (expected.source !== undefined) {
              const [event] = await module.queryFilter(module.filters.Deleveraged(), "latest");
              expect(event!.args.source).to.equal(BigInt(expected.source));
            }
          } else {
            const source = ["PriceUnavailable"].includes(expected.error) ? engine : module;
            const assertion = expect(run(a)).to.be.revertedWithCustomError(source, expected.error);
            if (expected.args) await assertion.withArgs(a.system.feeds.eth.address, ...expected.args);
            else await assertion;
          }
        });
      }
    });
  }

  it("a stale volatility state fails increases but not deleverage", async () => {
    const a = await scene();
    const module = a.system.ballast.riskModule;
    // Rounds keep coming but nobody pokes the oracle for longer than its maxAge (2 hours).
    for (let i = 0; i < 5; i++) {
      await time.increase(1_800);
      await a.system.setEthPrice(2_850);
      await module.refreshDepth(ETH_MARKET);
    }
    await expect(a.system.trade(a.trader, 0.5))
      .to.be.revertedWithCustomError(module, "VolatilityStale")
      .withArgs(a.system.feeds.eth.address);
    await expect(module.connect(a.keeper).deleverage(await a.overCap.getAddress(), ETH_MARKET)).to.emit(module, "Deleveraged");
  });

  it("a reduction goes through even while increases are paused and every oracle is stale", async () => {
    const a = await scene();
    await a.system.ballast.riskModule.pauseIncreases();
    await time.increase(86_400 * 2);
    await expect(a.system.trade(a.trader, -1)).to.not.revert(ethers);
    await expect(a.system.ballast.engine.connect(a.keeper).liquidate(await a.underwater.getAddress())).to.emit(
      a.system.ballast.engine,
      "Liquidated",
    );
  });

  it("finding 5 (Low): a sequencer feed reporting up with startedAt == 0 counts as down: increases fail with SequencerDown", async () => {
    const a = await scene();
    const module = a.system.ballast.riskModule;
    const now = await time.latest();
    // Up (answer 0) but no start time: before, the grace period was counted from 1970 and the increase passed.
    await a.sequencer.aggregator.setRound(2, 0, 0, now, 2);
    await expect(a.system.trade(a.trader, 0.1)).to.be.revertedWithCustomError(module, "SequencerDown");
    await expect(module.validateIncrease(await a.trader.getAddress(), ETH_MARKET)).to.be.revertedWithCustomError(module, "SequencerDown");
    // The same round with a start a day ago lets the increase through.
    await a.sequencer.aggregator.setRound(3, 0, now - 86_400, now, 3);
    await expect(a.system.trade(a.trader, 0.1)).to.not.revert(ethers);
  });

  it("views never revert on a price fault: accountStatus reports OracleInvalid when neither Chainlink nor the pool TWAP prices a market", async () => {
    const a = await scene();
    // A TWAP window the pool's observations cannot serve (its cardinality is far below a day of blocks).
    const module = a.system.ballast.riskModule;
    // Another TWAP window tightens (it can change every depth and price): proposed, executed after the delay.
    const dayWindow = defaultMarketConfig(a.system.feeds.eth.address, await a.system.pool.getAddress(), false, { twapWindow: 86_400 });
    await time.increase(3_600);
    await module.configureMarket(ETH_MARKET, dayWindow);
    await time.increase(86_400);
    await module.executeMarketConfig(ETH_MARKET, dayWindow);
    // The pool's 100 observations then cover the last hundred blocks only: a day-long window cannot be served.
    for (let i = 0; i < 101; i++) await a.system.movePool(i % 2 === 0 ? 2_851 : 2_850);
    await a.system.setEthPrice(2_850);
    await ethRound(a.system, { answer: 0n });
    await expect(module.connect(a.keeper).deleverage(await a.overCap.getAddress(), ETH_MARKET))
      .to.be.revertedWithCustomError(module, "MarketUnpriced")
      .withArgs(ETH_MARKET, a.system.feeds.eth.address, PriceFault.NonPositive);
    const status = await a.system.ballast.riskModule.accountStatus(await a.trader.getAddress());
    expect(status.status).to.equal(2n);
    expect(await a.system.ballast.riskModule.deleverageQuote(await a.overCap.getAddress(), ETH_MARKET)).to.deep.equal([0n, 0n, 0n]);
    const entries = await a.system.ballast.riskLens.statusBatch(await a.system.ballast.riskModule.getAddress(), [
      await a.trader.getAddress(),
    ]);
    expect(entries[0]!.ok).to.equal(true);
    expect(entries[0]!.status.status).to.equal(2n);
  });
});
