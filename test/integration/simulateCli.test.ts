import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { access, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { simulateCommand } from "../../scripts/commands/simulate.js";
import { runCommand } from "../../scripts/lib/cli.js";
import type { Provenance } from "../../scripts/lib/provenance.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-simulate-"));

/** Runs `scripts/simulate.ts` as a user would (`npm run simulate -- ...` runs the same command). */
function simulateProcess(args: string[]) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/simulate.ts", "--quiet", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

/** Runs the command in-process (the failure cases stop before any chain starts). */
async function simulate(argv: string[]) {
  let stderr = "";
  const code = await runCommand(simulateCommand, ["--quiet", ...argv], { stdout: () => undefined, stderr: (t) => (stderr += t) });
  return { code, stderr };
}

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** An output directory holding an earlier run's files, which a failed run must not leave behind. */
async function staleOut(name: string): Promise<string> {
  const out = path.join(dir, name);
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, "summary.json"), "{}");
  await writeFile(path.join(out, "report.html"), "<html></html>");
  return out;
}

describe("npm run simulate (replay a price path through Ballast and the baselines)", () => {
  const bad: [string, string, string, RegExp][] = [
    ["a missing file", "missing.csv", "", /missing\.csv/],
    ["a wrong header", "header.csv", "time,close\n1,2\n", /header\.csv:1: .*header/],
    [
      "non-monotonic timestamps",
      "order.csv",
      "timestamp,price\n100,10\n200,11\n150,12\n",
      /order\.csv:4: timestamps must strictly increase/,
    ],
    ["a non-positive price", "price.csv", "timestamp,price\n100,10\n200,0\n", /price\.csv:3: .*price/],
  ];
  for (const [label, name, text, message] of bad) {
    it(`exits 1 on ${label}, naming the file and line, and leaves no report behind`, async function () {
      this.timeout(180_000);
      const input = text === "" ? path.join(dir, name) : await file(name, text);
      const out = await staleOut(`out-${name}`);
      const run = await simulate(["--prices", input, "--out", out]);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr)
        .to.match(/^error: /)
        .and.match(message);
      expect(await exists(path.join(out, "summary.json"))).to.equal(false);
      expect(await exists(path.join(out, "report.html"))).to.equal(false);
    });
  }

  it("exits 2 with usage on an unknown policy, on --rounds without --decimals, and on both --prices and --rounds", async () => {
    const prices = await file("ok.csv", "timestamp,price\n100,10\n200,11\n");
    const unknown = await simulate(["--prices", prices, "--policy", "yolo", "--out", dir]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain("--policy: expected one of ballast, static, tiered, all").and.contain("usage: npm run simulate");
    const decimals = await simulate(["--rounds", prices, "--out", dir]);
    expect(decimals.code).to.equal(2);
    expect(decimals.stderr).to.contain("--decimals: required with --rounds");
    const both = await simulate(["--prices", prices, "--rounds", prices, "--decimals", "8", "--out", dir]);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.contain("give exactly one of --prices and --rounds");
  });

  describe("two runs of real-format Chainlink rounds with one seed", function () {
    let input: string;
    const runs: { status: number; stdout: string; stderr: string; out: string }[] = [];

    before(async function () {
      this.timeout(300_000);
      // 24 rounds of the hourly ETH/USDT sample's first day, as a feed with 8 decimals would have published them.
      const lines = (await readFile("test/fixtures/eth-usdt-1h-sample.csv", "utf8")).trim().split("\n").slice(1, 25);
      const rounds = lines.map((line, i) => {
        const [t, , , , close] = line.split(",");
        const id = (1n << 64n) + BigInt(i + 1);
        return `${id},${Math.round(Number(close) * 1e8)},${t},${t},${id}`;
      });
      input = await file("rounds.csv", `roundId,answer,startedAt,updatedAt,answeredInRound\n${rounds.join("\n")}\n`);
      // Both at once, in separate processes: the same inputs and seed must give the same bytes.
      const outs = [path.join(dir, "run-a"), path.join(dir, "run-b")];
      const results = await Promise.all(
        outs.map((out) => simulateProcess(["--rounds", input, "--decimals", "8", "--accounts", "5", "--seed", "7", "--out", out])),
      );
      for (const [i, r] of results.entries()) runs.push({ ...r, out: outs[i]! });
    });

    it("write summary.json in the documented schema (every policy, every field, provenance) and report.html", async () => {
      const [run] = runs;
      expect(run!.status, run!.stderr).to.equal(0);
      const summary = JSON.parse(await readFile(path.join(run!.out, "summary.json"), "utf8")) as {
        path: Record<string, unknown>;
        policies: Record<string, unknown>[];
        seed: number;
        params: Record<string, unknown>;
        provenance: Provenance;
      };
      expect(Object.keys(summary).sort()).to.deep.equal(["params", "path", "policies", "provenance", "seed"]);
      expect(summary.path).to.deep.include({ file: input, steps: 24, start: 268.09 });
      expect(summary.seed).to.equal(7);
      expect(summary.params).to.include({ accounts: 5, rounds: 24, rounds_origin: "chainlink" });
      expect(summary.params).to.not.have.property("seconds");
      expect(summary.policies.map((p) => p.policy)).to.deep.equal(["ballast", "static", "tiered"]);
      for (const p of summary.policies) {
        expect(Object.keys(p).sort()).to.deep.equal(
          [
            "badDebt",
            "blockedIncreases",
            "calmCapacity",
            "deleveragedNotional",
            "deleverages",
            "finalEquity",
            "liquidatedNotional",
            "liquidations",
            "maxPoolImpact",
            "policy",
            "writeOffs",
          ].sort(),
        );
        expect(p.calmCapacity).to.be.greaterThan(0);
      }
      // Every baseline was sized to Ballast's calm-market capacity.
      const [ballast, ...baselines] = summary.policies.map((p) => p.calmCapacity as number);
      for (const capacity of baselines) expect(capacity / ballast!).to.be.within(0.9, 1.1);
      const html = await readFile(path.join(run!.out, "report.html"), "utf8");
      expect(html)
        .to.contain('id="report-data"')
        .and.not.match(/<script[^>]+src=/);
      expect(run!.stdout)
        .to.match(/^ballast\s/m)
        .and.match(/^static\s/m)
        .and.match(/^tiered\s/m)
        .and.match(/^done in /m);
    });

    it("provenance names the tool, commit, replica chain, the input's SHA-256, the seed and the parameters", async () => {
      const { provenance } = JSON.parse(await readFile(path.join(runs[0]!.out, "summary.json"), "utf8")) as { provenance: Provenance };
      const version = (JSON.parse(await readFile("package.json", "utf8")) as { version: string }).version;
      expect(provenance).to.deep.include({ tool: "simulate", version, mode: "replica", forkBlock: null, chainId: 31337, seed: 7 });
      expect(provenance.commit).to.match(/^[0-9a-f]{40}$/);
      expect(provenance.dirty).to.be.a("boolean");
      expect(provenance.inputs).to.deep.equal([
        {
          file: input,
          sha256: createHash("sha256")
            .update(await readFile(input))
            .digest("hex"),
        },
      ]);
      expect(provenance.parameters).to.deep.equal({ engine: "evm", policy: "all", accounts: 5, decimals: 8 });
    });

    it("the rerun with the same seed writes summary.json and report.html byte for byte the same", async () => {
      for (const run of runs) expect(run.status, run.stderr).to.equal(0);
      for (const name of ["summary.json", "report.html"]) {
        const [a, b] = await Promise.all(runs.map((r) => readFile(path.join(r.out, name))));
        expect(a!.length, name).to.be.greaterThan(0);
        expect(a!.equals(b!), `${name} differs between the runs`).to.equal(true);
      }
    });
  });
  it("--engine model replays the same path with a parameters file's market (its gap floor in the summary) and no wall-clock field", async function () {
    this.timeout(300_000);
    const params = await file(
      "params.json",
      JSON.stringify({
        BallastMarket: { gap: "250000000000000000n", z: "3000000000000000000n", baseCollateralHaircut: "221199000000000000n" },
      }),
    );
    const out = path.join(dir, "model");
    const run = await simulateProcess([
      "--prices",
      "test/fixtures/eth-usdt-1h-sample.csv",
      "--engine",
      "model",
      "--params",
      params,
      "--accounts",
      "8",
      "--out",
      out,
    ]);
    expect(run.status, run.stderr).to.equal(0);
    const text = await readFile(path.join(out, "summary.json"), "utf8");
    const summary = JSON.parse(text) as {
      params: { engine: string; market: { gap: number } };
      provenance: Provenance;
    };
    expect(summary.params.engine).to.equal("model");
    expect(summary.params.market.gap).to.equal(0.25);
    expect(summary.provenance).to.deep.include({ tool: "simulate", mode: "none", chainId: null });
    expect(summary.provenance.inputs.map((i) => i.file)).to.deep.equal(["test/fixtures/eth-usdt-1h-sample.csv", params]);
    expect(summary.provenance.parameters).to.include({ engine: "model", accounts: 8 });
    expect(text).to.not.match(/"(seconds|elapsed|startedAt|date)"/);
  });

  it("a parameters file with an unknown field stops the run naming the file and the field's line (exit 1); an unknown engine exits 2", async () => {
    const params = await file("bad-params.json", '{\n  "BallastMarket": {\n    "gap": "1n",\n    "zz": 3\n  }\n}\n');
    const run = await simulate([
      "--prices",
      "test/fixtures/eth-usdt-1h-sample.csv",
      "--engine",
      "model",
      "--params",
      params,
      "--out",
      path.join(dir, "bad-params"),
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/bad-params\.json:4: unknown field "zz"/);
    const engine = await simulate(["--prices", "test/fixtures/eth-usdt-1h-sample.csv", "--engine", "fast", "--out", dir]);
    expect(engine.code).to.equal(2);
    expect(engine.stderr).to.contain("--engine: expected one of evm, model");
  });
});
