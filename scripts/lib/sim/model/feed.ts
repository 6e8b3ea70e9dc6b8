/**
 * A Chainlink feed in the model engine: the rounds a test aggregator behind an `EACAggregatorProxy` holds, read
 * as `ChainlinkReader.read` and `VolatilityOracle.poke` read them.
 */

/** `ChainlinkReader.Level`. */
export enum ReadLevel {
  Positive = 0,
  Fresh = 1,
  Strict = 2,
}

/** One round: the integer answer and its `updatedAt` (rounds are complete: `answeredInRound == roundId`). */
export interface ModelRound {
  answer: bigint;
  updatedAt: number;
}

/** A reading of the latest round: the price when it passes the level's checks. */
export interface FeedReading {
  ok: boolean;
  /** The answer in natural units (USD), whenever positive (also when not fresh). */
  price: number | undefined;
  updatedAt: number;
}

export class ModelFeed {
  readonly rounds: ModelRound[] = [];

  constructor(readonly decimals = 8) {}

  clone(): ModelFeed {
    const copy = new ModelFeed(this.decimals);
    copy.rounds.push(...this.rounds);
    return copy;
  }

  /** Publishes a round (`setPrice`): `answer = round(price * 10^decimals)` at `updatedAt`. */
  publish(price: number, updatedAt: number): void {
    this.rounds.push({ answer: BigInt(Math.round(price * 10 ** this.decimals)), updatedAt });
  }

  /** The latest round read at `now` with `maxAge` and `level` (`ChainlinkReader.read`). */
  read(now: number, maxAge: number, level: ReadLevel): FeedReading {
    const last = this.rounds.at(-1);
    if (last === undefined || last.answer <= 0n) return { ok: false, price: undefined, updatedAt: last?.updatedAt ?? 0 };
    const price = Number(last.answer) / 10 ** this.decimals;
    if (level === ReadLevel.Positive) return { ok: true, price, updatedAt: last.updatedAt };
    const ok = last.updatedAt <= now && now - last.updatedAt <= maxAge;
    return { ok, price, updatedAt: last.updatedAt };
  }

  /** The latest positive answer in natural units (the reference engine's mark), undefined when none. */
  latestPrice(): number | undefined {
    return this.read(0, 0, ReadLevel.Positive).price;
  }
}
