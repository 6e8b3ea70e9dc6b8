import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { type DemoResult, runDemo } from "../../scripts/lib/sim/demo.js";

const ACCOUNTS = 6;

describe(`npm run demo (replica, Ballast with the real keeper, two baselines; ${ACCOUNTS} accounts)`, function () {
  let result: DemoResult;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    dir = await mkdtemp(path.join(tmpdir(), "ballast-demo-"));
    result = await runDemo(await network.create(), { accounts: ACCOUNTS, dir });
  });

  it("runs every policy through the crash from the same book, baselines sized to Ballast's calm-market capacity", () => {
    const { policies } = result.simulation.summary;
    expect(policies.map((p) => p.policy)).to.deep.equal(["ballast", "static", "tiered"]);
    for (const p of policies.slice(1)) expect(p.calmCapacity / policies[0]!.calmCapacity).to.be.within(0.9, 1.1);
    expect(result.simulation.summary.path.maxDrawdown).to.be.greaterThan(0.35);
  });

  it("with Ballast there is no bad debt, and the real keeper sent every deleverage", () => {
    const ballast = result.simulation.summary.policies[0]!;
    expect(ballast.badDebt).to.equal(0);
    expect(ballast.deleverages).to.be.greaterThan(0);
    expect(result.keeper.confirmed).to.equal(ballast.deleverages);
    expect(result.simulation.summary.params.keeper).to.equal("keeper");
    expect(result.simulation.results.ballast!.failedReductions).to.equal(0);
  });

  it("writes summary.json, a self-contained report.html and a screenshot of it", async () => {
    const { provenance, ...summary } = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as Record<string, unknown>;
    expect(summary).to.deep.equal(JSON.parse(JSON.stringify(result.simulation.summary)));
    expect(provenance).to.deep.include({ tool: "demo", mode: "replica", chainId: 31337, forkBlock: null, seed: 20_250_312 });
    expect(provenance).to.have.property("parameters").that.deep.equals({ accounts: ACCOUNTS });
    const html = await readFile(path.join(dir, "report.html"), "utf8");
    expect(html)
      .to.contain("Ballast demo")
      .and.not.match(/<script[^>]+src=/);
    const png = await readFile(path.join(dir, "report.png"));
    expect([...png.subarray(0, 8)]).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).to.be.greaterThan(20_000);
  });
});
