/**
 * One Monte Carlo path under one parameter set, on the model engine: Ballast alone (the baselines do not
 * depend on Ballast's parameters), the same seeded book and traders on every path (as `npm run simulate --
 * --seed <seed>` would run that path: the EVM verification re-runs it so).
 */
import { type BookAccount, generateBook } from "../sim/book.js";
import type { TickSnapshot } from "../uniswap/index.js";
import { defaultModelConfig, ModelMarket } from "../sim/model/market.js";
import { replayPrices } from "../sim/replay.js";
import { replaySteps } from "../sim/replay.js";
import { runSteps } from "../sim/steps.js";
import { asPricePath, type McPath } from "./paths.js";
import { type Candidate, candidateOverrides } from "./space.js";

/** What one path did under one parameter set. */
export interface PathOutcome {
  id: number;
  badDebt: number;
  liquidations: number;
  writeOffs: number;
  deleverages: number;
  /** Ballast's calm capacity (average open interest over the first 10 % of the path), USD. */
  calmCapacity: number;
  /** Share of the book's accounts deleveraged at least once. */
  deleveragedShare: number;
}

/** What every run of a calibration shares. */
export interface EvaluationSetup {
  accounts: number;
  seed: number;
  /** Price of the first hour of every path. */
  startPrice: number;
  /** The pool's liquidity (default: the generated concentrated profile at the start price). */
  profile?: TickSnapshot;
}

/** A market per candidate (its starting state depends on the configuration), and the book. */
export class PathEvaluator {
  private readonly markets = new Map<string, ModelMarket>();
  private book: BookAccount[] | undefined;

  constructor(readonly setup: EvaluationSetup) {}

  private market(candidate: Candidate): ModelMarket {
    const key = JSON.stringify(candidate);
    let market = this.markets.get(key);
    if (market === undefined) {
      market = ModelMarket.synthetic({
        config: defaultModelConfig(candidateOverrides(candidate)),
        ...(this.setup.profile === undefined ? { ethPrice: this.setup.startPrice } : { profile: this.setup.profile }),
      });
      this.markets.clear();
      this.markets.set(key, market);
    }
    return market;
  }

  async evaluate(candidate: Candidate, path: McPath): Promise<PathOutcome> {
    const market = this.market(candidate);
    const startPrice = market.start.startPrice;
    this.book ??= generateBook({ accounts: this.setup.accounts, seed: this.setup.seed, ethPrice: startPrice });
    const replay = replayPrices(asPricePath(path, market.start.time));
    const steps = replaySteps(replay, market.start.time, startPrice / path.prices[0]!);
    const result = await runSteps(market.world("ballast"), {
      book: this.book,
      path: steps,
      seed: this.setup.seed,
      startPrice,
      noSeries: true,
    });
    const s = result.summary;
    const deleveraged = new Set(result.series.events.filter((e) => e.kind === "deleverage").map((e) => e.account));
    return {
      id: path.id,
      badDebt: s.badDebt,
      liquidations: s.liquidations,
      writeOffs: s.writeOffs,
      deleverages: s.deleverages,
      calmCapacity: s.calmCapacity,
      deleveragedShare: deleveraged.size / this.book.length,
    };
  }
}
