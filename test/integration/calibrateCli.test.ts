import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { readParamsFile } from "../../scripts/lib/ballast/paramsFile.js";
import { AXES } from "../../scripts/lib/calibrate/space.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-calibrate-"));

function calibrate(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/calibrate.ts", "--quiet", ...args], {
    encoding: "utf8",
    timeout: 300_000,
  });
}

/** A small calibration (12 paths of 3 days, 6 accounts, in-process, no EVM check): the pipeline, not the answer. */
const SMALL = ["--paths", "12", "--hours", "72", "--accounts", "6", "--threads", "0", "--verify", "0", "--seed", "3"];

describe("npm run calibrate (Monte Carlo sweep of a market's parameters)", () => {
  it("writes a parameters file the simulator reads, within the hard bounds, a report and a reproducible calibration.json", async () => {
    const out = path.join(dir, "run");
    const first = calibrate(["--prices", "test/fixtures/eth-usdt-1h-sample.csv", "--out", out, ...SMALL]);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/recommended: gap=/);
    const params = await readParamsFile(path.join(out, "params.json"));
    const market = params.market as Record<string, bigint | number>;
    for (const axis of AXES) {
      if (axis.name === "tau" || axis.name === "tauDown") continue;
      const value = typeof market[axis.name] === "bigint" ? Number(market[axis.name]) / 1e18 : Number(market[axis.name]);
      expect(value, axis.name).to.be.within(axis.bounds[0], axis.bounds[1]);
    }
    expect(market.tauTrigger).to.equal(market.tauTarget);
    const json = JSON.parse(await readFile(path.join(out, "calibration.json"), "utf8")) as Record<string, unknown>;
    expect(json.provenance).to.include.keys("commit", "seed", "inputs", "parameters", "version");
    expect(JSON.stringify(json)).to.not.match(/"(seconds|elapsed|startedAt|date)"/);
    const html = await readFile(path.join(out, "report.html"), "utf8");
    expect(html).to.contain('data-chart="frontier"').and.contain("Recommended parameters");

    // The same seed gives the same files, byte for byte.
    const again = path.join(dir, "again");
    const second = calibrate(["--prices", "test/fixtures/eth-usdt-1h-sample.csv", "--out", again, ...SMALL]);
    expect(second.status, second.stderr).to.equal(0);
    for (const name of ["params.json", "calibration.json"]) {
      const a = (await readFile(path.join(out, name), "utf8")).replaceAll(out, "<out>");
      const b = (await readFile(path.join(again, name), "utf8")).replaceAll(again, "<out>");
      expect(a, name).to.equal(b);
    }
  });

  it("bad input stops before any work: a bad row names the file and line (exit 1), a bad flag exits 2 with usage", async () => {
    const bad = path.join(dir, "bad.csv");
    await writeFile(bad, "timestamp,price\n100,10\n200,11\n150,12\n");
    const run = calibrate(["--prices", bad, "--out", path.join(dir, "bad")]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/bad\.csv:4: timestamps must strictly increase/);
    const flag = calibrate(["--prices", bad, "--stress-vol", "3:1"]);
    expect(flag.status).to.equal(2);
    expect(flag.stderr)
      .to.match(/--stress-vol: min must not exceed max/)
      .and.match(/usage: npm run calibrate/);
  });
});
