/**
 * What the EVM engine's keeper and liquidator evaluate on-chain each step, screened off-chain as production bots
 * do (the real keeper's `scanMode: "prefilter"`, a liquidation bot's margin check): the keeper's prefilter
 * (`scripts/keeper/prefilter.ts`, the shared account rule fed by the chain's reads, snapshots cached and
 * re-read for every account that acted) names the accounts that may be over their cap; the reference engine's
 * margin, computed from the same snapshots and prices, names those that may be below maintenance. Only those go
 * to the chain (`RiskLens.statusBatch`, `liquidatable`), which decides. Both screens keep a 5 % margin, far
 * above the model's 1e-9 agreement with the contracts, and count an account they cannot evaluate as a suspect:
 * the on-chain answer is never skipped for an account that could need it.
 */
import { silentLogger } from "../../../keeper/logger.js";
import { Prefilter } from "../../../keeper/prefilter.js";
import { Rpc } from "../../../keeper/rpc.js";
import type { AccountStatus } from "../../rule/account.js";
import type { System } from "../../system.js";

/** Suspects from a ratio of `1 - MARGIN` of the threshold up. */
const MARGIN = 0.05;

export class AccountScreen {
  private readonly prefilter: Prefilter;
  private readonly touched = new Set<string>();

  constructor(
    private readonly system: System,
    engine: string,
    private readonly addresses: readonly string[],
    module: string,
    oracle: string,
  ) {
    this.prefilter = new Prefilter(
      system.connection.ethers.provider,
      new Rpc({ timeoutMs: 120_000, attempts: 1 }),
      { module, engine, oracle, margin: MARGIN, snapshotConcurrency: 8 },
      silentLogger(),
    );
  }

  /** An account acted (traded, was deleveraged or liquidated): its snapshot is read again. */
  touch(address: string): void {
    this.touched.add(address);
  }

  /** Reads the market, the collaterals and the snapshots that changed, at `blockTag`. */
  async refresh(blockTag: number | "latest"): Promise<void> {
    this.prefilter.invalidate(this.touched);
    this.touched.clear();
    const block = blockTag === "latest" ? await this.system.connection.ethers.provider.getBlockNumber() : blockTag;
    await this.prefilter.refresh(this.addresses, block);
  }

  /** Accounts that may be over their cap (by index). */
  keeperSuspects(): number[] {
    const suspects = new Set(this.prefilter.suspects(this.addresses).suspects);
    return this.addresses.flatMap((a, i) => (suspects.has(a) ? [i] : []));
  }

  /** The rule's status of an account (for the report's aggregate cap); undefined when unknown. */
  status(index: number): AccountStatus | undefined {
    return this.prefilter.status(this.addresses[index]!);
  }

  /**
   * Accounts that may be below the engine's maintenance margin (by index): equity at the latest prices (no
   * haircut) under `(1 + MARGIN)` times the requirement `|size| * price * m`, or unknown.
   */
  liquidationSuspects(): number[] {
    const { markets, collaterals } = this.prefilter.ruleInputs;
    return this.addresses.flatMap((address, i) => {
      const s = this.prefilter.snapshotOf(address);
      if (s === undefined) return [i];
      let equity = s.adjustments;
      for (const c of s.collateral) {
        const input = collaterals.get(c.asset);
        if (input?.price === undefined) return [i];
        equity += (Number(c.amount) / 10 ** input.decimals) * input.price;
      }
      let requirement = 0;
      for (const p of s.positions) {
        const market = markets.get(p.market);
        if (market?.price === undefined) return [i];
        equity += p.size * (market.price - p.entryPrice);
        requirement += Math.abs(p.size) * market.price * market.m;
      }
      return equity < requirement * (1 + MARGIN) + 1e-6 ? [i] : [];
    });
  }
}
