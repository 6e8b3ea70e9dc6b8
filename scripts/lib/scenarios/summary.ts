import path from "node:path";

import { toJson, writeFileAtomic } from "../files.js";
import type { PolicySummary } from "../report/types.js";

/** The one schema of every scenario summary (`reports/scenarios/<name>.json`). USD amounts as numbers. */
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

/** Writes `reports/scenarios/<scenario>.json` atomically and returns its path. */
export async function writeScenario(summary: ScenarioSummary, directory = SCENARIO_DIR): Promise<string> {
  const file = path.join(directory, `${summary.scenario}.json`);
  await writeFileAtomic(file, toJson(summary));
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
