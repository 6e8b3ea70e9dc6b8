import { expect } from "chai";

import {
  type CrashIncidentResult,
  type MangoResult,
  type PhaseChangeResult,
  runMangoPump,
  runPhaseChange,
  runSequencerOutage,
  runStaleFeed,
  SEQUENCER_OUTAGE,
  type SequencerResult,
  STALE_OUTAGE,
  type StepProbe,
} from "../../scripts/lib/scenarios/oracleIncidents.js";
import { describeOutcome, type Outcome } from "../../scripts/lib/scenarios/probes.js";
import { ETH_MARKET } from "../../scripts/lib/system.js";
import { MODES, scenarioChain, scenarioSeed, skipWithoutFork } from "./mode.js";
import { expectSummaryFile, recordScenario, reportSeedOnFailure } from "./summaryFile.js";

const PriceFault = { Stale: 3n } as const;
const Bound = { Depth: 3n, OpenInterest: 4n } as const;
const CALM_STEPS = 12;
const STEP = 600;

/** The error name of an outcome ("ok" when it went through). */
const errorOf = (outcome: Outcome | undefined): string => (outcome === undefined || outcome.ok ? "ok" : outcome.error);
const argsOf = (outcome: Outcome): readonly unknown[] => (outcome.ok ? [] : outcome.args);
const usd = (value: number): string => value.toLocaleString("en-US", { maximumFractionDigits: 0 });

/** Deleverages (or liquidations) of a run whose step time lies in [from, to). */
function eventsBetween(run: CrashIncidentResult["ballast"], kind: "deleverage" | "liquidation", from: number, to: number): number {
  return run.result.series.events.filter((e) => e.kind === kind && e.t >= from && e.t < to).length;
}

function probeLine(p: StepProbe): string {
  const deleverage = p.deleverage === undefined ? "" : `, deleverage ${describeOutcome(p.deleverage)}`;
  return `step ${p.index} (price age ${p.priceAge} s): increase ${describeOutcome(p.increase)}${deleverage}`;
}

for (const mode of MODES) {
  describe(`oracle incidents (${mode})`, function () {
    if (mode === "mainnet-fork") skipWithoutFork(this);
    const seed = scenarioSeed();
    reportSeedOnFailure(seed);

    describe("oracle-mango-pump: a thin market pumped ~5x, the oracle follows the venue, the TWAP lags", () => {
      let result: MangoResult;
      let file: string;
      const run = (policy: "ballast" | "static") => result.runs.find((r) => r.policy === policy)!;

      before(async function () {
        this.timeout(10 * 60_000);
        const { connection, environment } = await scenarioChain(mode);
        result = await runMangoPump(connection, { seed, ...(environment === undefined ? {} : { environment }) });
        file = await recordScenario(
          connection,
          result.summary,
          mode,
          result.runs.map(
            (r) =>
              `${r.policy.padEnd(8)} long ${usd(r.opened)} (asked ${usd(r.requested)}: ${errorOf(r.request)}), ` +
              `PnL manufactured ${usd(r.manufacturedPnl)}, withdraw ${errorOf(r.withdraw)}, ` +
              `ETH long ${usd(r.increaseNotional)} ${errorOf(r.increase)}, ` +
              `realized by deleverage ${usd(r.realized)}, push ${usd(r.pushCapital)} (round trip cost ${usd(r.pushCost)})`,
          ),
        );
      });

      it("the push was real: the thin pool's spot ~5x, the oracle followed it, the module's TWAP lagged", () => {
        const ballast = run("ballast");
        expect(ballast.pumpedPrice / result.asset.startPrice).to.be.within(4, 6.5);
        expect(ballast.pumpedPrice / result.asset.startPrice).to.be.within(0.95 * result.pump, 1.05 * result.pump);
        expect(ballast.twapPrice).to.be.lessThan(ballast.pumpedPrice / 2);
        expect(ballast.manufacturedPnl).to.be.greaterThan(0);
        expect(run("static").pushCapital).to.equal(ballast.pushCapital);
      });

      it("the thin market's depth-sized cap bounded the attacker's long in the first place (CapExceeded on Depth or OpenInterest)", () => {
        const ballast = run("ballast");
        expect(errorOf(ballast.request)).to.equal("CapExceeded");
        const [market, bound] = argsOf(ballast.request) as [bigint, bigint];
        expect(market).to.equal(result.asset.market);
        expect([Bound.Depth, Bound.OpenInterest]).to.include(bound);
        expect(["depth", "open-interest"]).to.include(ballast.binding);
        expect(ballast.opened).to.be.greaterThan(0).and.at.most(ballast.cap!);
        // The static cap let the same collateral hold a long many times larger.
        const baseline = run("static");
        expect(baseline.request.ok).to.equal(true);
        expect(baseline.opened).to.be.greaterThan(10 * ballast.opened);
      });

      it("under Ballast, withdrawing collateral and opening an ETH long against the inflated PnL are both refused", () => {
        const ballast = run("ballast");
        for (const outcome of [ballast.withdraw, ballast.increase]) {
          expect(["PriceDivergence", "CapExceeded"], describeOutcome(outcome)).to.include(errorOf(outcome));
        }
        if (errorOf(ballast.withdraw) === "PriceDivergence") {
          const [market, oraclePrice, twapPrice] = argsOf(ballast.withdraw) as [bigint, bigint, bigint];
          expect(market).to.equal(result.asset.market);
          expect(Number(oraclePrice) / 1e18 / ballast.pumpedPrice).to.be.within(0.99, 1.01);
          expect(Number(twapPrice) / 1e18 / ballast.twapPrice).to.be.within(1 - 1e-9, 1 + 1e-9);
        }
        expect(ballast.withdrawn).to.equal(0);
      });

      it("under the static cap, the same withdrawal and ETH long go through", () => {
        const baseline = run("static");
        expect(baseline.withdraw.ok, describeOutcome(baseline.withdraw)).to.equal(true);
        expect(baseline.increase.ok, describeOutcome(baseline.increase)).to.equal(true);
        expect(baseline.increaseNotional).to.be.greaterThan(baseline.manufacturedPnl);
      });

      it("once the price returns, Ballast has no bad debt; the static cap's account is liquidated with bad debt", () => {
        for (const r of result.runs) expect(r.returnedPrice / result.asset.startPrice).to.be.within(0.95, 1.05);
        const ballast = run("ballast");
        expect(ballast.liquidated).to.equal(false);
        expect(ballast.badDebt).to.equal(0);
        const baseline = run("static");
        expect(baseline.liquidated).to.equal(true);
        expect(baseline.badDebt).to.be.greaterThan(0);
      });

      it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
        await expectSummaryFile(file, seed, ["ballast", "static"]);
      });
    });

    describe("oracle-stale-feed: ETH/USD publishes nothing for two hours of a crash", () => {
      let result: CrashIncidentResult;
      let file: string;
      let maxPriceAge: number;
      const stale = (probes: readonly StepProbe[]) => probes.filter((p) => p.priceAge > maxPriceAge);

      before(async function () {
        this.timeout(10 * 60_000);
        const { connection, environment } = await scenarioChain(mode);
        result = await runStaleFeed(connection, { seed, ...(environment === undefined ? {} : { environment }) });
        maxPriceAge = Number((await result.system.ballast.riskModule.marketConfig(ETH_MARKET)).maxPriceAge);
        file = await recordScenario(connection, result.summary, mode, [
          `static leverage ${result.staticLeverage!.toFixed(2)}x; increases blocked: ` +
            `ballast ${result.ballast.result.summary.blockedIncreases}, static ${result.baseline!.result.summary.blockedIncreases}`,
          ...result.ballast.probes.map((p) => `ballast ${probeLine(p)}`),
        ]);
      });

      it("while the price is older than maxPriceAge, every increase fails closed with PriceInvalid(ETH/USD, Stale)", () => {
        const probes = stale(result.ballast.probes);
        expect(probes.length).to.be.at.least(4);
        for (const p of probes) {
          expect(errorOf(p.increase), probeLine(p)).to.equal("PriceInvalid");
          expect(argsOf(p.increase)).to.deep.equal([result.system.feeds.eth.address, PriceFault.Stale]);
        }
      });

      it("deleverage goes on through the outage at the pool TWAP read in its transaction (never PriceInvalid), and Ballast ends with no bad debt", () => {
        for (const p of stale(result.ballast.probes)) {
          expect(["ok", "NothingToDeleverage", "DeleverageWindowExhausted", "AlreadyDeleveraged"], probeLine(p)).to.include(
            errorOf(p.deleverage),
          );
        }
        const outageStart = CALM_STEPS + STALE_OUTAGE.from;
        const resumed = result.path[outageStart + STALE_OUTAGE.steps]!;
        expect(resumed.publish).to.equal(true);
        // The keeper kept deleveraging while the price was stale (each judged at the live TWAP).
        const staleFrom = result.path[outageStart - 1]!.t + maxPriceAge;
        expect(eventsBetween(result.ballast, "deleverage", staleFrom, resumed.t)).to.be.greaterThan(0);
        expect(result.ballast.result.summary.badDebt).to.equal(0);
        expect(result.ballast.result.summary.liquidations).to.equal(0);
      });

      it("user reductions and liquidations still go through (they never consult the module)", () => {
        for (const run of [result.ballast, result.baseline!]) {
          expect(run.result.failedReductions).to.equal(0);
          for (const p of stale(run.probes)) {
            expect(p.reduce.ok, probeLine(p)).to.equal(true);
            // A liquidation call is judged by the engine alone: at worst "not liquidatable", never a module error.
            for (const error of p.liquidationErrors) expect(error).to.equal("NotLiquidatable");
          }
        }
        const resumed = result.path[CALM_STEPS + STALE_OUTAGE.from + STALE_OUTAGE.steps]!.t;
        expect(eventsBetween(result.baseline!, "liquidation", resumed, resumed + 1)).to.be.greaterThan(0);
      });

      it("the static cap accepts the same increases at the stale price, and ends with more bad debt than Ballast", () => {
        const probes = stale(result.baseline!.probes);
        expect(probes.length).to.be.at.least(4);
        for (const p of probes) expect(p.increase.ok, probeLine(p)).to.equal(true);
        const [ballast, baseline] = result.summary.policies;
        expect(baseline!.badDebt).to.be.greaterThan(ballast!.badDebt);
      });

      it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
        await expectSummaryFile(file, seed, ["ballast", "static"]);
      });
    });

    describe("oracle-sequencer-outage: an L2 sequencer down for 40 minutes of a crash, then a one-hour grace period", () => {
      let result: SequencerResult;
      let file: string;
      const down = CALM_STEPS + SEQUENCER_OUTAGE.from;
      const up = down + SEQUENCER_OUTAGE.steps;
      const graceSteps = SEQUENCER_OUTAGE.grace / STEP;

      before(async function () {
        this.timeout(10 * 60_000);
        const { connection, environment } = await scenarioChain(mode);
        result = await runSequencerOutage(connection, { seed, ...(environment === undefined ? {} : { environment }) });
        file = await recordScenario(connection, result.summary, mode, [
          `static leverage ${result.staticLeverage!.toFixed(2)}x; sequencer down at ${result.downAt}, up at ${result.upAt}`,
          ...result.ballast.probes.map((p) => `ballast ${probeLine(p)}`),
        ]);
      });

      it("while the sequencer is down, every increase fails with SequencerDown", () => {
        const probes = result.ballast.probes.filter((p) => p.index >= down && p.index < up);
        expect(probes).to.have.length(SEQUENCER_OUTAGE.steps);
        for (const p of probes) expect(errorOf(p.increase), probeLine(p)).to.equal("SequencerDown");
        const before = result.ballast.probes.find((p) => p.index === down - 1)!;
        expect(["SequencerDown", "SequencerGracePeriod"]).not.to.include(errorOf(before.increase));
      });

      it("inside the grace period, increases fail with SequencerGracePeriod(up + grace); after it, no sequencer error", () => {
        const grace = result.ballast.probes.filter((p) => p.index >= up && p.index < up + graceSteps);
        expect(grace).to.have.length(graceSteps);
        for (const p of grace) {
          expect(errorOf(p.increase), probeLine(p)).to.equal("SequencerGracePeriod");
          expect(argsOf(p.increase)).to.deep.equal([BigInt(result.upAt + SEQUENCER_OUTAGE.grace)]);
        }
        const after = result.ballast.probes.filter((p) => p.index >= up + graceSteps);
        expect(after.length).to.be.at.least(1);
        for (const p of after) expect(["SequencerDown", "SequencerGracePeriod"]).not.to.include(errorOf(p.increase));
      });

      it("deleverage continues through the outage and the grace period; user reductions and liquidations too", () => {
        const from = result.path[down]!.t;
        const to = result.path[up + graceSteps]!.t;
        expect(eventsBetween(result.ballast, "deleverage", from, to)).to.be.greaterThan(0);
        for (const run of [result.ballast, result.baseline!]) {
          expect(run.result.failedReductions).to.equal(0);
          for (const p of run.probes) {
            expect(p.reduce.ok, probeLine(p)).to.equal(true);
            for (const error of p.liquidationErrors) expect(error).to.equal("NotLiquidatable");
          }
        }
        expect(eventsBetween(result.baseline!, "liquidation", from, to)).to.be.greaterThan(0);
      });

      it("with Ballast there is no bad debt; the static cap (no sequencer check) accepted increases during the outage", () => {
        expect(result.ballast.result.summary.badDebt).to.equal(0);
        const outage = result.baseline!.probes.filter((p) => p.index >= down && p.index < up);
        expect(outage).to.have.length(SEQUENCER_OUTAGE.steps);
        for (const p of outage) expect(p.increase.ok, probeLine(p)).to.equal(true);
      });

      it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
        await expectSummaryFile(file, seed, ["ballast", "static"]);
      });
    });

    describe("oracle-phase-change: mid-crash, the ETH/USD proxy switches to a new aggregator (a new phase)", () => {
      let result: PhaseChangeResult;
      let file: string;
      const at = (index: number) => result.observations.find((o) => o.index === index)!;

      before(async function () {
        this.timeout(10 * 60_000);
        const { connection, environment } = await scenarioChain(mode);
        result = await runPhaseChange(connection, { seed, ...(environment === undefined ? {} : { environment }) });
        const o = at(result.switchIndex);
        file = await recordScenario(connection, result.summary, mode, [
          `phase ${at(result.switchIndex - 1).proxyPhase} -> ${o.proxyPhase} at step ${o.index}; ` +
            `rounds folded then (phase:round): ${o.folded.map((id) => `${id >> 64n}:${id & (2n ** 64n - 1n)}`).join(", ")}`,
        ]);
      });

      it("the proxy moved to a new phase, and the volatility oracle's cursor followed it at once", () => {
        const before = at(result.switchIndex - 1);
        const after = at(result.switchIndex);
        expect(after.proxyPhase).to.equal(before.proxyPhase + 1);
        expect(before.cursorPhase).to.equal(before.proxyPhase);
        expect(after.cursorPhase).to.equal(after.proxyPhase);
        // The first round of the new phase was folded in the step of the switch (its return spans the phases).
        expect(after.folded).to.deep.equal([(BigInt(after.proxyPhase) << 64n) | 1n]);
      });

      it("the volatility never went stale and a round was folded at every step, across the phase", () => {
        expect(result.observations).to.have.length(result.path.length);
        for (const o of result.observations) {
          expect(o.stale, `step ${o.index}`).to.equal(false);
          expect(o.folded.length, `step ${o.index}`).to.be.at.least(1);
          expect(o.cursorPhase).to.equal(o.proxyPhase);
        }
      });

      it("deleverages continued after the switch, and there is no bad debt", () => {
        const switched = result.path[result.switchIndex]!.t;
        expect(eventsBetween(result.ballast, "deleverage", switched, Infinity)).to.be.greaterThan(0);
        expect(result.ballast.result.summary.badDebt).to.equal(0);
        expect(result.ballast.result.failedReductions).to.equal(0);
        expect(result.ballast.result.windowRespected).to.equal(true);
      });

      it("the summary is written in the scenarios' schema, with Ballast's figures", async () => {
        await expectSummaryFile(file, seed, ["ballast"]);
      });
    });
  });
}
