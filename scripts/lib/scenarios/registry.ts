import type { NetworkConnection } from "hardhat/types/network";

import type { Environment } from "../environment.js";
import { runCascade } from "./cascade.js";
import { runFlashLoanShocks } from "./flashLoan.js";
import type { ScenarioSummary } from "./summary.js";

export interface ScenarioRunOptions {
  seed: number;
  accounts?: number;
  environment?: Environment;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Every fork-suite scenario that `npm run scenario` can run, by name. */
export const SCENARIOS: Record<string, (connection: NetworkConnection, options: ScenarioRunOptions) => Promise<ScenarioSummary>> = {
  cascade: async (connection, options) => (await runCascade(connection, options)).summary,
  "flash-loan-shocks": async (connection, options) => (await runFlashLoanShocks(connection, options)).summary,
};
