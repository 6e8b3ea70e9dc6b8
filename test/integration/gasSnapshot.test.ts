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
  it("no entry point costs more than 5 % above test/gas-snapshot.json", async () => {
    const snapshot = flattenGas(JSON.parse(await readFile(GAS_SNAPSHOT, "utf8")) as object);
    const current = flattenGas(await measureGas(await network.create()));
    expect([...current.keys()].sort()).to.deep.equal([...snapshot.keys()].sort());
    const regressions = [...current].filter(([key, gas]) => gas > snapshot.get(key)! * (1 + TOLERANCE));
    expect(regressions.map(([key, gas]) => `${key}: ${gas} vs ${snapshot.get(key)}`)).to.deep.equal([]);
  });
});
