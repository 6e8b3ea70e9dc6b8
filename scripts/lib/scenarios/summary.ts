import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import type { EnvironmentMode } from "../environment.js";
import { toJson, writeFileAtomic } from "../files.js";
import { chainFacts, type Provenance, provenance } from "../provenance.js";
import type { PolicySummary } from "../report/types.js";

/**
 * The one schema of every scenario summary (`reports/scenarios/<name>.json`). USD amounts as numbers. The
 * file also holds the run's `provenance`.
 */
export interface ScenarioSummary {
  scenario: string;
  seed: number;
  policies: Pick<
    PolicySummary,
    "policy" | "badDebt" | "liquidations" | "liquidatedNotional" | "deleverages" | "deleveragedNotional" | "maxPoolImpact"
  >[];
}

export const SCENARIO_DIR = "reports/scenarios";

export function scenarioPolicy(summary: PolicySummary): ScenarioSummary["policies"][number] {
  const { policy, badDebt, liquidations, liquidatedNotional, deleverages, deleveragedNotional, maxPoolImpact } = summary;
  return { policy, badDebt, liquidations, liquidatedNotional, deleverages, deleveragedNotional, maxPoolImpact };
}

/** Who wrote a scenario summary, on what chain, with what parameters (its provenance). */
export interface ScenarioContext {
  connection: NetworkConnection;
  mode: EnvironmentMode;
  /** `scenario` (the command) or `test:fork` (the suite). */
  tool: string;
  parameters?: Record<string, unknown>;
  directory?: string;
}

/** Writes `<directory>/<scenario>.json` (default `reports/scenarios`) atomically, with provenance, and returns its path. */
export async function writeScenario(summary: ScenarioSummary, context: ScenarioContext): Promise<string> {
  const file = path.join(context.directory ?? SCENARIO_DIR, `${summary.scenario}.json`);
  const record: Provenance = await provenance({
    tool: context.tool,
    ...(await chainFacts(context.connection, context.mode)),
    seed: summary.seed,
    parameters: context.parameters ?? {},
  });
  await writeFileAtomic(file, toJson({ ...summary, provenance: record }));
  return file;
}

/** A fixed-width table of a summary, for scripts and test logs. */
export function formatScenario(summary: ScenarioSummary): string {
  const usd = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const rows = summary.policies.map(
    (p) =>
      `  ${p.policy.padEnd(8)} bad debt ${usd(p.badDebt).padStart(12)}  liquidations ${String(p.liquidations).padStart(4)} (${usd(p.liquidatedNotional).padStart(12)})  deleverages ${String(p.deleverages).padStart(4)} (${usd(p.deleveragedNotional).padStart(12)})  max pool impact ${(p.maxPoolImpact * 100).toFixed(2)} %`,
  );
  return [`${summary.scenario} (seed ${summary.seed})`, ...rows].join("\n");
}
