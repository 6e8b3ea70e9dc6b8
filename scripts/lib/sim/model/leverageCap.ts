/**
 * The baselines' hook (`LeverageCap`) in the model engine: margin tiers by position notional, the initial
 * margin `N / L(N)` of every position within the account's equity.
 */
import { type ModelEngine, TradeRefused } from "./engine.js";

/** `ILeverageCap.Tier` in natural units. */
export interface LeverageTier {
  maxNotional: number;
  maxLeverage: number;
}

export class ModelLeverageCap {
  constructor(
    readonly engine: ModelEngine,
    readonly tiers: readonly LeverageTier[],
  ) {}

  clone(engine: ModelEngine): ModelLeverageCap {
    return new ModelLeverageCap(engine, this.tiers);
  }

  /** `validateIncrease`: the account's initial margin must fit in its equity. */
  validateIncrease(account: number): void {
    const equity = this.engine.margin(account).equity;
    const initialMargin = this.initialMargin(account);
    if (equity < 0 || initialMargin > equity) throw new TradeRefused(`LeverageExceeded(${initialMargin}, ${equity})`);
  }

  /** `maxNotional`: the largest notional the account's position may reach (one market: nothing else counts). */
  maxNotional(account: number): number {
    const equity = this.engine.margin(account).equity;
    if (equity <= 0) return 0;
    let best = 0;
    let floor = 0;
    for (const tier of this.tiers) {
      const candidate = Math.min(equity * tier.maxLeverage, tier.maxNotional);
      if (candidate > floor) best = candidate;
      floor = tier.maxNotional;
    }
    return best;
  }

  private initialMargin(account: number): number {
    const p = this.engine.accounts[account]!.position;
    if (p.size === 0) return 0;
    const notional = Math.abs(p.size) * this.engine.price();
    return notional / this.leverage(notional);
  }

  private leverage(notional: number): number {
    for (const tier of this.tiers) if (notional <= tier.maxNotional) return tier.maxLeverage;
    return this.tiers.at(-1)!.maxLeverage;
  }
}
