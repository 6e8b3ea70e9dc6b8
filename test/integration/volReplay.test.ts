import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { volCommand } from "../../scripts/commands/vol.js";
import { runCommand } from "../../scripts/lib/cli.js";
import { type Provenance, sha256File } from "../../scripts/lib/provenance.js";
import { VolatilityEstimator } from "../../scripts/lib/riskMath.js";
import { replayRounds, type VolReport } from "../../scripts/lib/volReplay.js";
import { syntheticRounds, writeRoundsCsv } from "../helpers/fixtures.js";
import { close } from "../helpers/numbers.js";

const { ethers } = await network.create();
const dir = await mkdtemp(path.join(tmpdir(), "ballast-vol-"));

/** Runs `scripts/vol.ts` as a user would (`npm run vol -- ...` runs the same command). */
function runVol(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/vol.ts", ...args], { encoding: "utf8", timeout: 120_000 });
}

/** Runs the command in-process, as `npm run vol` does, capturing its output (for the failure cases). */
async function vol(argv: string[]) {
  let stderr = "";
  const code = await runCommand(volCommand, argv, { stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

describe("vol replay (rounds through EACAggregatorProxy + VolatilityOracle)", () => {
  it("folds every round after the first across two proxy phase changes and matches the TypeScript estimator", async () => {
    const rounds = syntheticRounds(900, 7, 6, 300);
    const report = await replayRounds(ethers, rounds, 8);
    expect(report.records).to.have.length(rounds.length - 1);
    expect(report.records.map((r) => r.roundId)).to.deep.equal(rounds.slice(1).map((r) => r.roundId.toString()));
    const model = new VolatilityEstimator(report.params.tauUp, report.params.tauDown);
    model.observe(Number(rounds[0]!.answer) / 1e8, Number(rounds[0]!.updatedAt));
    report.records.forEach((record, i) => {
      model.observe(Number(rounds[i + 1]!.answer) / 1e8, record.updatedAt);
      const expected = Math.min(report.params.sigmaMax, Math.max(report.params.sigmaMin, model.sigma));
      expect(close(record.sigma, expected, 1e-7, 1e-9), `record ${i}: ${record.sigma} vs ${expected}`).to.equal(true);
    });
  });

  it("npm run vol writes the documented JSON atomically and exits 0", async () => {
    const input = path.join(dir, "rounds.csv");
    const out = path.join(dir, "out", "vol.json");
    await writeRoundsCsv(input, syntheticRounds(300, 11));
    const run = runVol(["--rounds", input, "--decimals", "8", "--out", out, "--quiet"]);
    expect(run.status, run.stderr).to.equal(0);
    const report = JSON.parse(await readFile(out, "utf8")) as VolReport & { provenance: Provenance };
    expect(Object.keys(report).sort()).to.deep.equal(["params", "provenance", "records"]);
    expect(report.provenance).to.deep.include({ tool: "vol", mode: "replica", chainId: 31337 });
    expect(report.provenance.inputs).to.deep.equal([{ file: input, sha256: await sha256File(input) }]);
    expect(report.provenance.parameters).to.deep.include({ decimals: 8, tauUp: 3_600 });
    expect(Object.keys(report.params).sort()).to.deep.equal(["secondsPerYear", "sigmaMax", "sigmaMin", "tauDown", "tauUp"]);
    expect(report.params.secondsPerYear).to.equal(31_536_000);
    expect(report.records).to.have.length(299);
    const first = report.records[0]!;
    expect(Object.keys(first).sort()).to.deep.equal(["price", "roundId", "sigma", "updatedAt"]);
    expect(first.roundId)
      .to.be.a("string")
      .and.match(/^\d{20,}$/);
    expect(first.sigma).to.be.a("number").and.be.greaterThan(0);
  });

  it("npm run vol exits 1 on a bad file, names the line, and leaves no output behind", async () => {
    const input = path.join(dir, "bad.csv");
    const out = path.join(dir, "bad.json");
    await writeFile(input, "roundId,answer,startedAt,updatedAt,answeredInRound\n1,100,10,20,1\n2,abc,10,30,2\n");
    const run = await vol(["--rounds", input, "--decimals", "8", "--out", out]);
    expect(run.code).to.equal(1);
    expect(run.stderr)
      .to.match(/^error: /)
      .and.contain(`${input}:3`)
      .and.contain('column "answer"');
    expect(existsSync(out)).to.equal(false);
  });

  it("npm run vol exits 2 with usage when --decimals is missing", async () => {
    const run = await vol(["--rounds", "x.csv"]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("--decimals: required").and.contain("usage: npm run vol");
  });
});
