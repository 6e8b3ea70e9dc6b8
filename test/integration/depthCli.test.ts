import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { USDC_WETH } from "../../scripts/lib/environment.js";
import { generateProfile } from "../../scripts/lib/uniswap/index.js";
import { depthCommand } from "../../scripts/commands/depth.js";
import { runCommand } from "../../scripts/lib/cli.js";
import { toJson } from "../../scripts/lib/files.js";
import type { Provenance } from "../../scripts/lib/provenance.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-depth-"));

function runDepth(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/depth.ts", ...args], { encoding: "utf8", timeout: 180_000 });
}

interface DepthOutput {
  module: { down: number; up: number };
  exact: { down: number; up: number };
  slippage: number;
  price: number;
  provenance: Provenance;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function depth(argv: string[]) {
  let stderr = "";
  const code = await runCommand(depthCommand, argv, { stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

describe("npm run depth (module depth vs an actual swap on the real pool)", () => {
  it("on the tick-snapshot sample, prints the documented JSON and the module's depth never exceeds the exact one", () => {
    const run = runDepth(["--pool", "test/fixtures/univ3-ticks-sample.json", "--slippage", "0.02"]);
    expect(run.status, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as DepthOutput;
    expect(Object.keys(out).sort()).to.deep.equal(["exact", "module", "price", "provenance", "slippage"]);
    expect(out.provenance).to.deep.include({ tool: "depth", mode: "replica", chainId: 31337, forkBlock: null });
    expect(out.provenance.inputs).to.deep.equal([
      { file: "test/fixtures/univ3-ticks-sample.json", sha256: sha256(readFileSync("test/fixtures/univ3-ticks-sample.json")) },
    ]);
    expect(out.slippage).to.equal(0.02);
    expect(out.module.down).to.be.greaterThan(0);
    expect(out.module.down).to.be.at.most(out.exact.down);
    expect(out.module.up).to.be.at.most(out.exact.up);
  });

  it("on a generated gapped profile at 1 % slippage, the module's depth never exceeds the exact one", async () => {
    const file = path.join(dir, "gapped.json");
    const snapshot = generateProfile({ kind: "gapped", spotPrice: 2_500, ...USDC_WETH, fee: 500, tickSpacing: 10, seed: 3 });
    await writeFile(file, toJson(snapshot));
    const run = runDepth(["--pool", file, "--slippage", "0.01"]);
    expect(run.status, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as DepthOutput;
    expect(Math.abs(out.price / 2_500 - 1)).to.be.lessThan(0.001);
    expect(out.module.down).to.be.at.most(out.exact.down);
    expect(out.module.up).to.be.at.most(out.exact.up);
  });

  it("refuses a snapshot of another kind of pool with exit code 1, naming the file", async () => {
    const file = path.join(dir, "other.json");
    const sample = JSON.parse(await readFile("test/fixtures/univ3-ticks-sample.json", "utf8")) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...sample, fee: 3000, tickSpacing: 60 }));
    const run = await depth(["--pool", file]);
    expect(run.code).to.equal(1);
    expect(run.stderr)
      .to.match(/^error: /)
      .and.contain(file);
  });

  it("exits 2 with usage when --pool is missing or --slippage is out of range", async () => {
    const missing = await depth([]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain("--pool: required").and.contain("usage: npm run depth");
    const bad = await depth(["--pool", "x.json", "--slippage", "0.5"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("--slippage: expected a number from 0.001 to 0.2");
  });
});
