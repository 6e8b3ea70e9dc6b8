import { expect } from "chai";

import { GREEKS, type OptionsVolSpikeResult, runOptionsVolSpike } from "../../scripts/lib/scenarios/optionsVolSpike.js";
import { MODES, scenarioChain, scenarioSeed, skipWithoutFork } from "./mode.js";
import { expectSummaryFile, recordScenario, reportSeedOnFailure } from "./summaryFile.js";

const usd = (value: number): string => value.toLocaleString("en-US", { maximumFractionDigits: 0 });
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

for (const mode of MODES) {
  describe(`options-vol-spike: short-gamma books through a -20 % move with volatility doubling (${mode})`, function () {
    if (mode === "mainnet-fork") skipWithoutFork(this);
    const seed = scenarioSeed();
    reportSeedOnFailure(seed);
    let result: OptionsVolSpikeResult;
    let file: string;

    before(async function () {
      // The longest scenario: about 5 minutes on a quiet 2-core machine, over 10 under load (test:fork runs in CI's 90).
      this.timeout(25 * 60_000);
      const { connection, environment } = await scenarioChain(mode);
      result = await runOptionsVolSpike(connection, { seed, ...(environment === undefined ? {} : { environment }) });
      const ratios = result.ballast.worstLoss.map((loss, i) => loss / result.ballast.allowance[i]!);
      file = await recordScenario(connection, result.summary, mode, [
        `volatility ${pct(result.sigma.before)} -> peak ${pct(result.sigma.peak)}; ` +
          `Ballast wrote ${result.ballast.written.reduce((a, b) => a + b, 0).toFixed(1)} straddles, ` +
          `the static margin ${result.baseline.written.reduce((a, b) => a + b, 0).toFixed(1)}; hedges sent ${result.ballast.hedges}`,
        `worst loss / allowance (equity less the ${pct(GREEKS.buffer)} buffer) per Ballast writer: ` +
          `${ratios.map((r) => r.toFixed(2)).join(", ")} (largest loss ${usd(Math.max(...result.ballast.worstLoss))})`,
        `Ballast's deleverages of hedges by binding bound: ${JSON.stringify(result.ballast.deleverageBounds)}`,
      ]);
    });

    it("the spike was real: ETH fell 20 % and the volatility oracle's sigma at least doubled", () => {
      expect(result.path.at(-1)!.price / result.path[0]!.price).to.be.within(0.79, 0.81);
      expect(result.sigma.peak).to.be.greaterThan(2 * result.sigma.before);
    });

    it("Ballast sized every book by the Greeks grid (smaller than the engine margin allows) and hedged it", () => {
      for (const [i, units] of result.ballast.written.entries()) {
        expect(units).to.be.greaterThan(0);
        expect(units).to.be.lessThan(result.baseline.written[i]!);
      }
      // Every book was hedged at least once. A hedge costs its maintenance margin in the account rule: once the
      // volatility shock (at an unchanged price) is a book's worst scenario, a delta hedge cannot lower the
      // book's requirement, so re-hedges are admitted only while the account can afford them.
      expect(result.ballast.hedges).to.be.at.least(result.ballast.written.length);
    });

    it("with the Greeks bound and hedge mode there is no bad debt and no liquidation; every loss stayed within its allowance", () => {
      expect(result.ballast.badDebt).to.equal(0);
      expect(result.ballast.liquidations).to.equal(0);
      for (const [i, loss] of result.ballast.worstLoss.entries()) expect(loss).to.be.lessThan(result.ballast.allowance[i]!);
    });

    it("the engine's margin alone, with no Greeks bound and no hedging, liquidates the writers", () => {
      expect(result.baseline.liquidations).to.be.greaterThan(0);
      expect(result.baseline.badDebt).to.be.at.least(result.ballast.badDebt);
    });

    it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
      await expectSummaryFile(file, seed, ["ballast", "static"]);
    });
  });
}
