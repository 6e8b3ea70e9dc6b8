import { spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import type { Provenance } from "../../scripts/lib/provenance.js";

/**
 * The smoke scenario of `npm test` (every scenario runs in `npm run test:fork`): `npm run scenario` builds
 * what it needs, runs one scenario of the fork suite end to end on the replica and writes its summary.
 */
describe("npm run scenario flash-loan-shocks (the smoke scenario of npm test)", () => {
  it("runs the scenario end to end on the replica and writes its summary with provenance; exit 0", async function () {
    this.timeout(300_000);
    const out = await mkdtemp(path.join(tmpdir(), "ballast-scenario-"));
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/scenario.ts", "flash-loan-shocks", "--seed", "11", "--out", out], {
      encoding: "utf8",
      timeout: 280_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("flash-loan-shocks (seed 11)");
    const summary = JSON.parse(await readFile(path.join(out, "flash-loan-shocks.json"), "utf8")) as {
      scenario: string;
      seed: number;
      policies: { policy: string; badDebt: number }[];
      provenance: Provenance;
    };
    expect(Object.keys(summary).sort()).to.deep.equal(["policies", "provenance", "scenario", "seed"]);
    expect(summary.scenario).to.equal("flash-loan-shocks");
    expect(summary.policies.length).to.be.greaterThan(0);
    expect(summary.provenance).to.deep.include({ tool: "scenario", mode: "replica", chainId: 31337, forkBlock: null, seed: 11 });
    expect(summary.provenance.parameters).to.deep.equal({ scenario: "flash-loan-shocks" });
  });
});
