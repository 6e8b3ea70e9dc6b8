import { readFile } from "node:fs/promises";

import { expect } from "chai";

import { runCascade } from "../../scripts/lib/scenarios/cascade.js";
import { formatScenario, writeScenario } from "../../scripts/lib/scenarios/summary.js";
import { MODES, scenarioChain, scenarioSeed, skipWithoutFork } from "./mode.js";

const ACCOUNTS = 200;

for (const mode of MODES) {
  describe(`cascade: ${ACCOUNTS} accounts through a -40 % crash with a -20 % one-hour gap (${mode})`, function () {
    if (mode === "mainnet-fork") skipWithoutFork(this);
    const seed = scenarioSeed();
    let result: Awaited<ReturnType<typeof runCascade>>;

    before(async function () {
      this.timeout(20 * 60_000);
      const { connection, environment } = await scenarioChain(mode);
      result = await runCascade(connection, { seed, accounts: ACCOUNTS, ...(environment === undefined ? {} : { environment }) });
      const file = await writeScenario(mode === "replica" ? result.summary : { ...result.summary, scenario: "cascade-mainnet-fork" }, {
        connection,
        mode,
        tool: "test:fork",
        parameters: { accounts: ACCOUNTS },
      });
      process.stdout.write(`${formatScenario(result.summary)}\n      -> ${file}\n`);
    });

    afterEach(function () {
      if (this.currentTest?.state === "failed") process.stdout.write(`      reproduce with SCENARIO_SEED=${seed}\n`);
    });

    it("with Ballast there is no bad debt", () => {
      expect(result.ballast.summary.badDebt).to.equal(0);
    });

    it("no rolling deleverage window was exceeded", () => {
      expect(result.ballast.summary.deleverages).to.be.greaterThan(0);
      expect(result.ballast.windowRespected).to.equal(true);
    });

    it("user reductions were never blocked, under either policy", () => {
      expect(result.ballast.failedReductions).to.equal(0);
      expect(result.baseline.failedReductions).to.equal(0);
    });

    it("the static cap was sized to Ballast's calm-market capacity (within 5 %)", () => {
      const ratio = result.baseline.summary.calmCapacity / result.ballast.summary.calmCapacity;
      expect(ratio).to.be.within(0.95, 1.05);
      expect(result.staticLeverage).to.be.greaterThan(1);
    });

    it("the summary is written in the scenarios' schema, with both policies' figures", async () => {
      const name = mode === "replica" ? "cascade" : "cascade-mainnet-fork";
      const written = JSON.parse(await readFile(`reports/scenarios/${name}.json`, "utf8")) as Record<string, unknown>;
      expect(Object.keys(written).sort()).to.deep.equal(["policies", "provenance", "scenario", "seed"]);
      expect(written.provenance).to.deep.include({ tool: "test:fork", mode, seed, parameters: { accounts: ACCOUNTS } });
      expect(written.seed).to.equal(seed);
      const policies = written.policies as Record<string, unknown>[];
      expect(policies.map((p) => p.policy)).to.deep.equal(["ballast", "static"]);
      for (const p of policies) {
        expect(Object.keys(p).sort()).to.deep.equal([
          "badDebt",
          "deleveragedNotional",
          "deleverages",
          "liquidatedNotional",
          "liquidations",
          "maxPoolImpact",
          "policy",
        ]);
      }
    });
  });
}
