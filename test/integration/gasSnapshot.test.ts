import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { network } from "hardhat";

import { flattenGas, GAS_SNAPSHOT, measureGas } from "../../scripts/bench/gasReport.js";

/**
 * Gas regression guard: every case of `npm run bench:gas` is measured again and compared with the committed
 * snapshot; more than 5 % above it fails (gas is deterministic for the same code and inputs). After an
 * intended change, refresh the snapshot with `npm run bench:gas -- --update-snapshot`.
 */
const TOLERANCE = 0.05;

describe("gas snapshot (regressions above 5 % fail)", () => {
  let report: Awaited<ReturnType<typeof measureGas>>;
  before(async () => {
    report = await measureGas(await network.create(), { floor: true });
  });

  it("no entry point costs more than 5 % above test/gas-snapshot.json", async () => {
    const snapshot = flattenGas(JSON.parse(await readFile(GAS_SNAPSHOT, "utf8")) as object);
    const { readFloor, transactions, ...cases } = report;
    expect(readFloor, "the read floor is measured alongside").to.not.equal(undefined);
    expect(transactions, "the whole transactions are broken down alongside").to.not.equal(undefined);
    const current = flattenGas(cases);
    expect([...current.keys()].sort()).to.deep.equal([...snapshot.keys()].sort());
    const regressions = [...current].filter(([key, gas]) => gas > snapshot.get(key)! * (1 + TOLERANCE));
    expect(regressions.map(([key, gas]) => `${key}: ${gas} vs ${snapshot.get(key)}`)).to.deep.equal([]);
  });

  it("the read floor performs the module's external reads (engine, Chainlink, volatility: the same gas within 0.1 %) and nothing it could skip; the breakdowns add up", () => {
    for (const [name, c] of Object.entries(report.readFloor!)) {
      const { module, floor } = c.breakdown;
      for (const part of ["engine", "prices", "volatility", "twap"] as const) {
        expect(Math.abs(module[part] - floor[part]), `${name}: ${part} ${module[part]} vs ${floor[part]}`).to.be.at.most(
          module[part] * 0.001,
        );
      }
      expect(floor.events + floor.dispatch, `${name}: the floor emits and dispatches nothing`).to.equal(0);
      expect(floor.configuration, `${name}: the floor reads fewer configuration words`).to.be.below(module.configuration);
      expect(Object.values(module).reduce((a, b) => a + b, 0)).to.equal(c.module);
      expect(Object.values(floor).reduce((a, b) => a + b, 0)).to.equal(c.floor);
      expect(c.ratio).to.equal(Math.round((c.module / c.floor) * 1000) / 1000);
    }
  });

  it("deleverage, refreshDepth and poke broken down as whole transactions: the parts add up to the gas used, the entry is the intrinsic gas, each external call where it belongs", () => {
    const { deleverage, refreshDepth, poke } = report.transactions!;
    expect(deleverage.gas).to.equal(report.deleverage.onePosition);
    expect(refreshDepth.gas).to.equal(report.refreshDepth);
    expect(poke.gas).to.equal(report.poke.oneRound);
    for (const [name, c] of Object.entries({ deleverage, refreshDepth, poke })) {
      const b = c.breakdown;
      expect(
        Object.values(b).reduce((a, x) => a + x, 0),
        name,
      ).to.equal(c.gas);
      expect(c.outside, name).to.equal(b.entry + b.engine + b.prices + b.volatility + b.twap);
      // 21,000 and the calldata of a call with one or two words of arguments.
      expect(b.entry, name).to.be.within(21_000, 21_000 + 16 * 68);
      expect(b.writes, `${name} writes its state`).to.be.above(0);
    }
    // The deleverage reads the prices and the volatility and calls the engine (snapshot, open interest, the
    // reduction); the depth refresh reads only the pool; the poke reads only its feed.
    expect(deleverage.breakdown.engine).to.be.above(50_000);
    expect(deleverage.breakdown.prices).to.be.above(0);
    expect(deleverage.breakdown.volatility).to.be.above(0);
    expect(deleverage.breakdown.twap).to.equal(0);
    expect(refreshDepth.breakdown.twap).to.be.above(100_000);
    expect(refreshDepth.breakdown.engine + refreshDepth.breakdown.prices + refreshDepth.breakdown.volatility).to.equal(0);
    expect(poke.breakdown.prices).to.be.above(0);
    expect(poke.breakdown.engine + poke.breakdown.twap + poke.breakdown.volatility).to.equal(0);
  });
});
