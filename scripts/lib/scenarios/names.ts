/** The fork suite's scenarios, by name (a module without dependencies: `--help` lists them without loading them). */
export const SCENARIO_NAMES = [
  "cascade",
  "flash-loan-shocks",
  "oracle-mango-pump",
  "oracle-stale-feed",
  "oracle-sequencer-outage",
  "oracle-phase-change",
  "collateral-quality-failure",
  "options-vol-spike",
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];
