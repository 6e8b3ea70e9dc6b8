import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import { toJson, writeFileAtomic } from "../files.js";
import { DEMO_ACCOUNTS } from "./demoBook.js";
import { chainFacts, provenance } from "../provenance.js";
import { BrowserUnavailableError, screenshotReport, writeReport } from "../report/index.js";
import { cascadeSystemOptions } from "../scenarios/cascade.js";
import { startSimKeeper } from "./keeperRun.js";
import { crashPath } from "./paths.js";
import { POLICY_NAMES } from "./policies.js";
import { replayGenerated } from "./replay.js";
import { type Simulation, simulate } from "./simulate.js";

export const DEMO_DIR = "reports/demo";

export interface DemoOptions {
  /** Accounts in the book (default 24: the whole demo, compile included, fits in two minutes on 2 cores). */
  accounts?: number;
  seed?: number;
  /** Where summary.json, report.html and report.png go (default `reports/demo`). */
  dir?: string;
  /** Write report.png with headless Chromium (default true). */
  screenshot?: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

export interface DemoResult {
  simulation: Simulation;
  files: { summary: string; report: string; screenshot?: string };
  /** Why report.png was not written (no Chromium on this machine). */
  screenshotSkipped?: string;
  /** Deleverages the keeper confirmed, and its address. */
  keeper: { address: string; confirmed: number };
}

/**
 * The end-to-end demo: the mainnet replica (real Uniswap V3 pool bytecode at its mainnet address, Chainlink
 * proxies), Ballast and the reference engine deployed by the project's Ignition modules, a book of accounts,
 * the built-in crash path (-40 % over five hours with jumps and a -20 % one-hour gap), the real keeper
 * running in-process for Ballast, and the static and tiered leverage caps from the same chain state, each
 * sized to Ballast's calm-market capacity. Writes the summary, the report and its screenshot.
 */
export async function runDemo(connection: NetworkConnection, options: DemoOptions = {}): Promise<DemoResult> {
  const seed = options.seed ?? 20_250_312;
  const accounts = options.accounts ?? DEMO_ACCOUNTS;
  const dir = options.dir ?? DEMO_DIR;
  const files = {
    summary: path.join(dir, "summary.json"),
    report: path.join(dir, "report.html"),
    screenshot: path.join(dir, "report.png"),
  };
  await Promise.all(Object.values(files).map((file) => rm(file, { force: true })));

  const steps = crashPath({ seed, start: 0, startPrice: 3_000 });
  const replay = replayGenerated("built-in crash path: -40 % over 5 hours with jumps and a -20 % one-hour gap", steps);
  const signers = await connection.ethers.getSigners();
  const signer = signers[9]!;
  const checkpoint = path.join(os.tmpdir(), `ballast-demo-keeper-${process.pid}-${Date.now()}.json`);
  let confirmed = 0;
  const simulation = await simulate(connection, {
    replay,
    policies: POLICY_NAMES,
    accounts,
    seed,
    setup: cascadeSystemOptions(),
    title: "Ballast demo: a crash through Ballast and two leverage caps",
    keeper: async (system) => {
      const running = await startSimKeeper(system, { signer, checkpoint });
      running.keeper.events.on("outcome", ({ outcome }) => {
        if (outcome.status === "confirmed") confirmed++;
      });
      return running;
    },
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  await rm(checkpoint, { force: true });
  const summary = {
    ...simulation.summary,
    provenance: await provenance({ tool: "demo", ...(await chainFacts(connection, "replica")), seed, parameters: { accounts } }),
  };
  await writeReport(files.report, { ...simulation.report, summary });
  await writeFileAtomic(files.summary, toJson(summary));
  const result: DemoResult = {
    simulation,
    files: { summary: files.summary, report: files.report },
    keeper: { address: await signer.getAddress(), confirmed },
  };
  if (options.screenshot ?? true) {
    try {
      await screenshotReport(files.report, files.screenshot);
      result.files.screenshot = files.screenshot;
    } catch (error) {
      // Without Chromium the demo still succeeds: the report is written, only its picture is missing.
      if (!(error instanceof BrowserUnavailableError)) throw error;
      result.screenshotSkipped = error.message;
    }
  }
  return result;
}
