import type { NetworkConnection } from "hardhat/types/network";

import type { Environment } from "../environment.js";
import { runCascade } from "./cascade.js";
import { runCollateralFailure } from "./collateralFailure.js";
import { runFlashLoanShocks } from "./flashLoan.js";
import { runOptionsVolSpike } from "./optionsVolSpike.js";
import { runMangoPump, runPhaseChange, runSequencerOutage, runStaleFeed } from "./oracleIncidents.js";
import type { ScenarioName } from "./names.js";
import type { ScenarioSummary } from "./summary.js";

export interface ScenarioRunOptions {
  seed: number;
  accounts?: number;
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Every fork-suite scenario that `npm run scenario` can run, by name. */
export const SCENARIOS: Record<ScenarioName, (connection: NetworkConnection, options: ScenarioRunOptions) => Promise<ScenarioSummary>> = {
  cascade: async (connection, options) => (await runCascade(connection, options)).summary,
  "flash-loan-shocks": async (connection, options) => (await runFlashLoanShocks(connection, options)).summary,
  "oracle-mango-pump": async (connection, options) => (await runMangoPump(connection, options)).summary,
  "oracle-stale-feed": async (connection, options) => (await runStaleFeed(connection, options)).summary,
  "oracle-sequencer-outage": async (connection, options) => (await runSequencerOutage(connection, options)).summary,
  "oracle-phase-change": async (connection, options) => (await runPhaseChange(connection, options)).summary,
  "collateral-quality-failure": async (connection, options) => (await runCollateralFailure(connection, options)).summary,
  "options-vol-spike": async (connection, options) => (await runOptionsVolSpike(connection, options)).summary,
};
