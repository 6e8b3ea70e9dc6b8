/**
 * One policy over a path on the EVM: the step loop (`steps.ts`) on the chain's world (`evm/world.ts`). Kept as
 * the entry point of the fork scenarios and the demo, which run in `auto` mining (their hooks and the real
 * keeper act between transactions); the simulator runs in `phase` mining.
 */
import type { System } from "../system.js";
import { type MiningMode, EvmWorld, statusBatch } from "./evm/world.js";
import { ethSimMarket, type SimMarket } from "./market.js";
import type { Policy } from "./policies.js";
import { runSteps, type SimResult, type StepOptions } from "./steps.js";

export { bookWallet } from "./evm/world.js";
export { SIM_DEFAULTS, type SimHooks, type SimResult, type StepKeeper } from "./steps.js";

export interface SimOptions extends Omit<StepOptions, "startPrice"> {
  policy: Policy;
  /** The market the book trades (default: the system's ETH market). */
  market?: SimMarket;
  /** How transactions are mined (default `auto`: each as it is sent). */
  mining?: MiningMode;
}

/**
 * Runs one policy over a path on the system's chain: opens the book, then at every step moves the oracle (the
 * exogenous path plus the reflexive drift) and lets arbitrage align the pool, lets traders top up and cut,
 * runs the keeper (Ballast: volatility pokes, depth refresh, deleverage of every over-cap account, worst
 * first), runs the liquidator, and sells what deleverages and liquidations closed (and the base collateral
 * they seized, e.g. WETH) into the market's real pool. The market is the system's ETH market unless `market`
 * names another (a thin asset's).
 */
export async function runPolicy(system: System, options: SimOptions): Promise<SimResult> {
  const market = options.market ?? (await ethSimMarket(system));
  const world = await EvmWorld.create({
    system,
    policy: options.policy,
    market,
    book: options.book,
    seed: options.seed,
    mining: options.mining ?? "auto",
  });
  return runSteps(world, { ...options, startPrice: market.startPrice });
}

/** The keeper's rule, inline: every account the lens reports over its cap, worst `notional / cap` first. */
export async function sweep(system: System, accounts: readonly string[], market: bigint): Promise<void> {
  const { riskModule } = system.ballast;
  const entries = await statusBatch(system, accounts);
  const over = [...entries].filter((e) => e.ok && e.status.status === 1n).sort((a, b) => (b.status.ratio > a.status.ratio ? 1 : -1));
  for (const entry of over) {
    // The window may be exhausted, or the breach gone: the next step tries again.
    await riskModule
      .deleverage(entry.account, market, { gasLimit: 5_000_000n })
      .then((tx) => tx.wait())
      .catch(() => undefined);
  }
}
