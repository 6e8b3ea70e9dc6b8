import type { Signer } from "ethers";

import { parseKeeperConfig } from "../../keeper/config.js";
import { type Keeper, startKeeper } from "../../keeper/keeper.js";
import { type Logger, silentLogger } from "../../keeper/logger.js";
import type { System } from "../system.js";
import type { RunningKeeper } from "./simulate.js";

export interface KeeperRunOptions {
  /** The keeper's sender (a funded account of the chain). */
  signer: Signer;
  /** Where the keeper keeps its checkpoint (a fresh file per run). */
  checkpoint: string;
  logger?: Logger;
  /** Longest wait for the keeper to catch up with the chain at one step, ms (default 60,000). */
  stepTimeoutMs?: number;
  /** Hedge mode on these markets (accounts opt in by approving the keeper's address as their hedger). */
  hedge?: { markets: readonly bigint[] };
}

/** A running keeper as the simulator drives it, with the keeper itself for inspection. */
export interface SimKeeper extends RunningKeeper {
  keeper: Keeper;
}

/**
 * The real keeper (the code behind `npm run keeper`) started in-process against the simulation's chain:
 * it discovers the book from the engine's events, pokes the volatility oracle on new rounds, scans every
 * block through the lens and deleverages what is over its cap, with its own nonces and confirmations.
 * The simulator's `act()` returns once the keeper has processed the chain's head and nothing it sent is
 * still in flight (and no block arrived meanwhile): the keeper acts at its own pace, the simulation waits.
 */
export async function startSimKeeper(system: System, options: KeeperRunOptions): Promise<SimKeeper> {
  const { riskModule, riskLens } = system.ballast;
  const provider = system.connection.ethers.provider;
  const config = parseKeeperConfig({
    module: await riskModule.getAddress(),
    lens: await riskLens.getAddress(),
    pollIntervalMs: 10,
    confirmations: 1,
    cooldownSeconds: 0,
    metrics: false,
    checkpoint: options.checkpoint,
    checkpointIntervalSeconds: 60,
    scanMode: "prefilter",
    ...(options.hedge === undefined ? {} : { hedge: true, hedgeMarkets: options.hedge.markets.map(Number) }),
  });
  const keeper = await startKeeper(config, { provider, signer: options.signer, logger: options.logger ?? silentLogger() });
  let inFlight = 0;
  keeper.events.on("block", (block) => {
    inFlight += block.submitted.length + block.hedged.length;
  });
  keeper.events.on("outcome", () => {
    inFlight--;
  });
  keeper.events.on("hedgeOutcome", () => {
    inFlight--;
  });
  const timeout = options.stepTimeoutMs ?? 60_000;
  let fatal: unknown;
  keeper.done.catch((error: unknown) => {
    fatal = error ?? new Error("the keeper stopped");
  });

  return {
    keeper,
    pokes: true,
    async act() {
      const deadline = Date.now() + timeout;
      for (;;) {
        const head = await provider.getBlockNumber();
        while (keeper.lastBlock() < head || inFlight > 0) {
          if (fatal !== undefined) throw fatal;
          if (Date.now() > deadline) throw new Error(`the keeper did not catch up with block ${head} in ${timeout} ms`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        if ((await provider.getBlockNumber()) === head) return;
      }
    },
    stop: () => keeper.stop(),
  };
}
