import { readFile } from "node:fs/promises";

import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import { formatScenario, type ScenarioSummary, writeScenario } from "../../scripts/lib/scenarios/summary.js";

/** The summary's name in a mode: `<scenario>` on the replica, `<scenario>-mainnet-fork` on the fork. */
export function scenarioName(scenario: string, mode: "replica" | "mainnet-fork"): string {
  return mode === "replica" ? scenario : `${scenario}-mainnet-fork`;
}

/** Writes `reports/scenarios/<name>.json` for the mode (with provenance) and prints the summary table (and extra lines). */
export async function recordScenario(
  connection: NetworkConnection,
  summary: ScenarioSummary,
  mode: "replica" | "mainnet-fork",
  extra: string[] = [],
): Promise<string> {
  const file = await writeScenario({ ...summary, scenario: scenarioName(summary.scenario, mode) }, { connection, mode, tool: "test:fork" });
  process.stdout.write(`${formatScenario(summary)}\n${extra.map((line) => `  ${line}\n`).join("")}      -> ${file}\n`);
  return file;
}

/** Asserts that the written summary has the scenarios' schema, the seed, the policies in order, and its provenance. */
export async function expectSummaryFile(file: string, seed: number, policies: readonly string[]): Promise<void> {
  const written = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  expect(Object.keys(written).sort()).to.deep.equal(["policies", "provenance", "scenario", "seed"]);
  expect(written.seed).to.equal(seed);
  expect(written.provenance).to.include({ tool: "test:fork", seed });
  expect((written.provenance as { chainId: number }).chainId).to.be.a("number");
  const entries = written.policies as Record<string, unknown>[];
  expect(entries.map((p) => p.policy)).to.deep.equal(policies);
  for (const p of entries) {
    expect(Object.keys(p).sort()).to.deep.equal([
      "badDebt",
      "deleveragedNotional",
      "deleverages",
      "liquidatedNotional",
      "liquidations",
      "maxPoolImpact",
      "policy",
    ]);
    for (const [key, value] of Object.entries(p)) if (key !== "policy") expect(Number.isFinite(value), key).to.equal(true);
  }
}

/** Prints the seed when a test of the suite fails. */
export function reportSeedOnFailure(seed: number): void {
  afterEach(function () {
    if (this.currentTest?.state === "failed") process.stdout.write(`      reproduce with SCENARIO_SEED=${seed}\n`);
  });
}
