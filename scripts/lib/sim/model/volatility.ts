/**
 * The volatility oracle in the model engine: `VolatilityOracle.poke` and `getVolatility` over a `ModelFeed`,
 * folding each new round with the ratio-of-sums EWMA of `VolatilityMath` (RISK-MODEL.md section 4) in floating
 * point (the contract computes it in WAD; `test/unit/riskMath.differential.test.ts` keeps them within 1e-7).
 */
import { YEAR } from "../../riskMath.js";
import type { ModelFeed } from "./feed.js";

/** `IVolatilityOracle.FeedConfig` in natural units. */
export interface VolatilityConfig {
  tauUp: number;
  tauDown: number;
  maxAge: number;
  maxRoundsPerPoke: number;
  sigmaMin: number;
  sigmaMax: number;
}

/** `IVolatilityOracle.FeedState`: the fold's cursor (an index into the feed's rounds), reference and sums. */
export interface VolatilityState {
  /** Index of the last round read (-1: not initialized). */
  cursor: number;
  referencePrice: number;
  referenceTime: number;
  a: number;
  b: number;
  /** Unclamped realized volatility of the last fold. */
  realizedSigma: number;
  folded: boolean;
}

export class ModelVolatility {
  constructor(
    readonly config: VolatilityConfig,
    public state: VolatilityState = { cursor: -1, referencePrice: 0, referenceTime: 0, a: 0, b: 0, realizedSigma: 0, folded: false },
  ) {}

  clone(): ModelVolatility {
    return new ModelVolatility(this.config, { ...this.state });
  }

  /** `poke`: the first call takes the latest round as the reference; later ones fold every newer round. */
  poke(feed: ModelFeed, now: number): number {
    const s = this.state;
    const last = feed.rounds.length - 1;
    if (s.cursor < 0) {
      const round = feed.rounds[last];
      if (round === undefined || !this.valid(round.answer, round.updatedAt, now)) return 0;
      s.cursor = last;
      s.referenceTime = round.updatedAt;
      s.referencePrice = Number(round.answer);
      return 0;
    }
    let folded = 0;
    let budget = this.config.maxRoundsPerPoke;
    while (budget > 0 && s.cursor < last) {
      budget--;
      s.cursor++;
      const round = feed.rounds[s.cursor]!;
      if (!this.valid(round.answer, round.updatedAt, now)) continue;
      this.fold(Number(round.answer), round.updatedAt);
      folded++;
    }
    return folded;
  }

  /** `getVolatility`: the clamped volatility and whether it is stale at `now`. */
  volatility(now: number): { sigma: number; stale: boolean } {
    const s = this.state;
    const sigma = Math.min(Math.max(s.realizedSigma, this.config.sigmaMin), this.config.sigmaMax);
    return { sigma, stale: !s.folded || s.referenceTime + this.config.maxAge < now };
  }

  private valid(answer: bigint, updatedAt: number, now: number): boolean {
    return answer > 0n && updatedAt <= now && updatedAt > this.state.referenceTime;
  }

  /** `VolatilityMath.fold` and the state update of `VolatilityOracle._fold`. */
  private fold(price: number, updatedAt: number): void {
    const s = this.state;
    const dt = updatedAt - s.referenceTime;
    const r = Math.log(price / s.referencePrice);
    const r2 = r * r;
    const up = s.b === 0 || r2 * s.b > s.a * dt;
    const d = Math.exp(-dt / (up ? this.config.tauUp : this.config.tauDown));
    s.a = d * s.a + r2;
    s.b = d * s.b + dt;
    s.referencePrice = price;
    s.referenceTime = updatedAt;
    s.realizedSigma = s.b === 0 ? 0 : Math.sqrt((s.a / s.b) * YEAR);
    s.folded = true;
  }
}
