import { expect } from "chai";

import { runFlashLoanShocks } from "../../scripts/lib/scenarios/flashLoan.js";
import { formatScenario, writeScenario } from "../../scripts/lib/scenarios/summary.js";
import { MODES, scenarioChain, scenarioSeed, skipWithoutFork } from "./mode.js";

for (const mode of MODES) {
  describe(`flash-loan shocks inside one transaction (${mode})`, function () {
    if (mode === "mainnet-fork") skipWithoutFork(this);
    let result: Awaited<ReturnType<typeof runFlashLoanShocks>>;

    before(async function () {
      this.timeout(10 * 60_000);
      const { connection, environment } = await scenarioChain(mode);
      result = await runFlashLoanShocks(connection, { seed: scenarioSeed(), ...(environment === undefined ? {} : { environment }) });
      const summary = mode === "replica" ? result.summary : { ...result.summary, scenario: "flash-loan-shocks-mainnet-fork" };
      process.stdout.write(
        `${formatScenario(summary)}\n      -> ${await writeScenario(summary, { connection, mode, tool: "test:fork" })}\n`,
      );
    });

    for (const direction of ["up", "down"] as const) {
      describe(`spot pushed 10 % ${direction} and in-range liquidity doubled`, () => {
        const observation = () => result.observations.find((o) => o.direction === direction)!;

        it("(a) a position 20 % above the unmanipulated cap is refused, with exactly the unmanipulated cap", () => {
          const o = observation();
          expect(o.tradeSucceeded).to.equal(false);
          const error = result.system.ballast.riskModule.interface.parseError(o.tradeError);
          expect(error?.name).to.equal("CapExceeded");
          expect(error!.args.cap).to.equal(o.capBefore);
          expect(o.capDuring).to.equal(o.capBefore);
        });

        it("(b) no healthy account can be deleveraged, and the depth state does not move", () => {
          const o = observation();
          expect(o.victimsDeleveraged).to.equal(0);
          for (const raw of o.victimErrors) {
            expect(result.system.ballast.riskModule.interface.parseError(raw)?.name).to.equal("NothingToDeleverage");
          }
          expect(o.depthDuring).to.equal(o.depthBefore);
          expect(o.depthAfter).to.equal(o.depthBefore);
        });

        it("(c) collateral value and equity are exactly what the oracle implies", () => {
          const o = observation();
          expect(o.equityDuring).to.equal(o.equityBefore);
        });
      });
    }

    it("the attacks were real: a flash loan each, the reference pool's spot pushed about 10 % (about 950 ticks)", async () => {
      const { system, victims, observations } = result;
      for (const o of observations) {
        expect(o.flashLoans).to.equal(1);
        expect(Math.abs(o.tickDuring - o.tickBefore)).to.be.within(900, 1_100);
      }
      expect(victims).to.have.length(5);
      for (const victim of victims) {
        const risk = await system.ballast.riskModule.positionRisk(victim, 1n);
        expect(Number(risk.notional) / Number(risk.cap)).to.be.greaterThan(0.85);
      }
    });
  });
}
