import { expect } from "chai";

import { type CollateralFailureResult, runCollateralFailure } from "../../scripts/lib/scenarios/collateralFailure.js";
import { MODES, scenarioChain, scenarioSeed, skipWithoutFork } from "./mode.js";
import { expectSummaryFile, recordScenario, reportSeedOnFailure } from "./summaryFile.js";

const usd = (value: number): string => value.toLocaleString("en-US", { maximumFractionDigits: 0 });
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

for (const mode of MODES) {
  describe(`collateral-quality-failure: a thin token backing longs in its own market collapses -60 % (${mode})`, function () {
    if (mode === "mainnet-fork") skipWithoutFork(this);
    const seed = scenarioSeed();
    reportSeedOnFailure(seed);
    let result: CollateralFailureResult;
    let file: string;
    const eventsOf = (run: CollateralFailureResult["ballast"], account: string, kind: "deleverage" | "liquidation") =>
      run.series.events.filter((e) => e.account === account && e.kind === kind);

    before(async function () {
      this.timeout(10 * 60_000);
      const { connection, environment } = await scenarioChain(mode);
      result = await runCollateralFailure(connection, { seed, ...(environment === undefined ? {} : { environment }) });
      file = await recordScenario(connection, result.summary, mode, [
        `static leverage ${result.staticLeverage.toFixed(2)}x; ` +
          `token volatility ${pct(result.sigma.before)} -> ${pct(result.sigma.after)}, ` +
          `haircut ${pct(result.haircut.before)} -> ${pct(result.haircut.after)}`,
        `whale: ${eventsOf(result.ballast, result.whale, "deleverage").length} deleverages under Ballast; ` +
          `${eventsOf(result.baseline, result.whale, "liquidation").length} liquidation(s) under the static cap; ` +
          `calm capacity ${usd(result.ballast.summary.calmCapacity)} / ${usd(result.baseline.summary.calmCapacity)}`,
      ]);
    });

    it("the collapse was real: the token's oracle fell at least 60 % and its volatility (and so its haircut) rose", () => {
      const prices = result.ballast.series.points.map((p) => p.price);
      expect(Math.min(...prices) / result.asset.startPrice).to.be.at.most(0.4 * 1.05);
      expect(result.sigma.after).to.be.greaterThan(2 * result.sigma.before);
      expect(result.haircut.after).to.be.greaterThan(result.haircut.before);
    });

    it("with Ballast there is no bad debt and no liquidation", () => {
      expect(result.ballast.summary.badDebt).to.equal(0);
      expect(result.ballast.summary.liquidations).to.equal(0);
    });

    it("the whale was deleveraged before any liquidation, bound by its collateral tier (haircut growing with volatility)", () => {
      const deleverages = eventsOf(result.ballast, result.whale, "deleverage");
      expect(deleverages.length).to.be.greaterThan(0);
      expect(eventsOf(result.ballast, result.whale, "liquidation")).to.have.length(0);
      // Every account liquidated under Ballast (none expected) had been deleveraged first.
      for (const liquidation of result.ballast.series.events.filter((e) => e.kind === "liquidation")) {
        expect(eventsOf(result.ballast, liquidation.account!, "deleverage").some((d) => d.t <= liquidation.t)).to.equal(true);
      }
      // Through the collapse, the collateral tier is the bound that binds most positions.
      const collapse = result.ballast.series.points.slice(6, 30);
      const tierBound = collapse.filter((p) => {
        const counts = Object.entries(p.binding ?? {}).sort((a, b) => b[1] - a[1]);
        return counts[0]?.[0] === "collateral-tier";
      });
      expect(tierBound.length).to.be.greaterThan(collapse.length / 2);
      // The static cap did not deleverage the whale: it was liquidated.
      expect(eventsOf(result.baseline, result.whale, "liquidation").length).to.be.greaterThan(0);
    });

    it("the static cap, at the same calm-market capacity, leaves bad debt (more than Ballast's)", () => {
      expect(result.baseline.summary.calmCapacity / result.ballast.summary.calmCapacity).to.be.within(0.95, 1.05);
      expect(result.baseline.summary.liquidations).to.be.greaterThan(0);
      expect(result.baseline.summary.badDebt).to.be.greaterThan(result.ballast.summary.badDebt);
    });

    it("user reductions were never blocked, and no rolling deleverage window was exceeded", () => {
      expect(result.ballast.failedReductions).to.equal(0);
      expect(result.baseline.failedReductions).to.equal(0);
      expect(result.ballast.windowRespected).to.equal(true);
    });

    it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
      await expectSummaryFile(file, seed, ["ballast", "static"]);
    });
  });
}
