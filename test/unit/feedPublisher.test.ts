import path from "node:path";

import { expect } from "chai";

import { UsageError } from "../../scripts/lib/errors.js";
import { type FeedOptions, publishRounds } from "../../scripts/lib/feedPublisher.js";
import { type PricePath, readPricePath } from "../../scripts/lib/prices.js";
import { Random } from "../../scripts/lib/random.js";
import type { Round } from "../../scripts/lib/rounds.js";

const SAMPLE = path.join("test", "fixtures", "eth-usdt-1h-sample.csv");
/** Rounds published from the ETH/USDT hourly sample with the default options (0.5 %, 1 h, 8 decimals). */
const SAMPLE_ROUNDS = 837;

const prices = (...points: [number, number][]): PricePath => ({
  file: "synthetic",
  kind: "price",
  points: points.map(([t, p]) => ({ t, open: p, high: p, low: p, close: p })),
});

const bars = (...points: [number, number, number, number, number][]): PricePath => ({
  file: "synthetic",
  kind: "ohlc",
  points: points.map(([t, open, high, low, close]) => ({ t, open, high, low, close })),
});

const times = (rounds: Round[]) => rounds.map((r) => Number(r.updatedAt));
const answers = (rounds: Round[], decimals = 8) => rounds.map((r) => Number(r.answer) / 10 ** decimals);

/** A random walk of OHLC bars with gaps, as real 1-minute data has. */
function randomBars(count: number, seed: number): PricePath {
  const random = new Random(seed);
  let t = 1_700_000_000;
  let price = 2_000;
  const points: PricePath["points"] = [];
  for (let i = 0; i < count; i++) {
    const open = price;
    const close = open * Math.exp(0.004 * random.gaussian());
    const high = Math.max(open, close) * (1 + 0.003 * random.next());
    const low = Math.min(open, close) * (1 - 0.003 * random.next());
    points.push({ t, open, high, low, close });
    price = close;
    t += random.pick([60, 60, 60, 120, 300, 3_600, 9_000]);
  }
  return { file: "random", kind: "ohlc", points };
}

/**
 * The feed's contract, checked on any output: round ids 1, 2, ... in the phase, updatedAt non-decreasing,
 * no gap longer than the heartbeat, and every round that is not a heartbeat (gap shorter than the heartbeat)
 * moves the answer by at least the deviation threshold.
 */
function checkFeed(rounds: Round[], deviation: number, heartbeat: number, phase = 1n): void {
  rounds.forEach((round, i) => {
    expect(round.roundId, `round ${i}`).to.equal((phase << 64n) | BigInt(i + 1));
    expect(round.answeredInRound).to.equal(round.roundId);
    expect(round.startedAt).to.equal(round.updatedAt);
    expect(round.answer > 0n).to.equal(true);
    if (i === 0) return;
    const previous = rounds[i - 1]!;
    const dt = Number(round.updatedAt - previous.updatedAt);
    expect(dt, `round ${i}: time goes backwards`).to.be.at.least(0);
    expect(dt, `round ${i}: gap longer than the heartbeat`).to.be.at.most(heartbeat);
    const moved = Math.abs(Number(round.answer - previous.answer)) / Number(previous.answer);
    if (dt < heartbeat) expect(moved, `round ${i} after ${dt} s`).to.be.at.least(deviation);
  });
}

describe("publishRounds (price path -> Chainlink rounds)", () => {
  it("publishes the first price, then only moves of at least 0.5 % from the last published answer", () => {
    const rounds = publishRounds(prices([0, 100], [60, 100.4], [120, 100.5], [180, 100.9], [240, 99.99], [300, 99.6]));
    expect(times(rounds)).to.deep.equal([0, 120, 240]);
    expect(answers(rounds)).to.deep.equal([100, 100.5, 99.99]);
  });

  it("honours a custom deviation threshold", () => {
    const path = prices([0, 100], [60, 100.4], [120, 100.5], [180, 101.1], [240, 100.2]);
    // At 0.1 %: 100.4 -> 100.5 is 0.0996 %, under the threshold measured from the last published answer.
    expect(answers(publishRounds(path, { deviation: 0.001 }))).to.deep.equal([100, 100.4, 101.1, 100.2]);
    // At 1 %: only 100 -> 101.1 (1.1 %); 101.1 -> 100.2 is 0.89 %.
    expect(answers(publishRounds(path, { deviation: 0.01 }))).to.deep.equal([100, 101.1]);
  });

  it("publishes a heartbeat every hour on a flat path, even across a 10-hour gap with no data", () => {
    const rounds = publishRounds(prices([0, 50], [36_000, 50]));
    expect(times(rounds)).to.deep.equal([0, 3_600, 7_200, 10_800, 14_400, 18_000, 21_600, 25_200, 28_800, 32_400, 36_000]);
    expect(new Set(answers(rounds))).to.deep.equal(new Set([50]));
    checkFeed(rounds, 0.005, 3_600);
  });

  it("publishes heartbeats at the heartbeat's time with the last observed price, inside flat OHLC bars", () => {
    const rounds = publishRounds(bars([0, 10, 10, 10, 10], [3_000, 10, 10, 10, 10], [7_000, 10.02, 10.02, 10.02, 10.02]), {
      heartbeat: 1_000,
    });
    // Points at 0, 750, 1500, 2250 | 3000, 4000, 5000, 6000 | 7000, 7875, 8750, 9625 (last bar: median length 3500).
    expect(times(rounds)).to.deep.equal([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000]);
    expect(answers(rounds).slice(0, 7)).to.deep.equal([10, 10, 10, 10, 10, 10, 10]);
    expect(answers(rounds).slice(7)).to.deep.equal([10.02, 10.02, 10.02]);
  });

  it("publishes the intrabar extremes: low then high in an up bar, high then low in a down bar", () => {
    const up = publishRounds(bars([0, 100, 103, 97, 100.2], [3_600, 100.2, 100.2, 100.2, 100.2]));
    expect(times(up).slice(0, 4)).to.deep.equal([0, 900, 1_800, 2_700]);
    expect(answers(up).slice(0, 4)).to.deep.equal([100, 97, 103, 100.2]);
    const down = publishRounds(bars([0, 100, 103, 97, 99.9], [3_600, 99.9, 99.9, 99.9, 99.9]));
    expect(answers(down).slice(0, 4)).to.deep.equal([100, 103, 97, 99.9]);
    // A bar whose open and close are equal publishes nothing at the close if the extremes stayed under the threshold.
    const quiet = publishRounds(bars([0, 100, 100.3, 99.7, 100], [3_600, 100, 100, 100, 100]));
    expect(times(quiet)).to.deep.equal([0, 3_600]);
  });

  it("spaces a bar's points between its start and the next bar's start, and gives the last bar the median length", () => {
    // Bar lengths 600 and 3600: median 2100, so the last bar's points are at +0, +525, +1050, +1575.
    const path = bars([0, 100, 110, 90, 105], [600, 106, 115, 95, 100], [4_200, 101, 120, 80, 90]);
    const rounds = publishRounds(path, { heartbeat: 100_000 });
    expect(times(rounds)).to.deep.equal([0, 150, 300, 450, 600, 1_500, 2_400, 3_300, 4_200, 4_725, 5_250, 5_775]);
    expect(answers(rounds).slice(-4)).to.deep.equal([101, 120, 80, 90]);
  });

  it("uses proxy round ids in the given phase, the given decimals, and the bar's source line", () => {
    const path: PricePath = {
      file: "f.csv",
      kind: "ohlc",
      points: [
        { t: 1_000, open: 2_500.12345678, high: 2_600, low: 2_500, close: 2_600, line: 7 },
        { t: 4_600, open: 2_600, high: 2_600, low: 2_600, close: 2_600, line: 9 },
      ],
    };
    const rounds = publishRounds(path, { phase: 6, decimals: 18 });
    expect(rounds[0]).to.deep.equal({
      roundId: 110680464442257309697n, // (6 << 64) | 1, the first id of phase 6
      answer: 2_500_123_456_780_000_000_000n,
      startedAt: 1_000n,
      updatedAt: 1_000n,
      answeredInRound: 110680464442257309697n,
      line: 7,
    });
    expect(rounds.map((r) => r.roundId & (2n ** 64n - 1n))).to.deep.equal(rounds.map((_, i) => BigInt(i + 1)));
    expect(rounds.map((r) => r.line)).to.deep.equal([7, 7, 9]);
    expect(publishRounds(path, { decimals: 0 })[0]!.answer).to.equal(2_500n);
    expect(publishRounds(path)[0]!.answer).to.equal(250_012_345_678n);
    expect(publishRounds(path)[0]!.roundId).to.equal((1n << 64n) | 1n);
  });

  it("keeps the feed's contract on random gappy OHLC paths for several thresholds and heartbeats", () => {
    const configs: Required<Pick<FeedOptions, "deviation" | "heartbeat">>[] = [
      { deviation: 0.005, heartbeat: 3_600 },
      { deviation: 0.001, heartbeat: 600 },
      { deviation: 0.02, heartbeat: 86_400 },
    ];
    for (const [seed, config] of configs.entries()) {
      const rounds = publishRounds(randomBars(3_000, seed + 1), { ...config, phase: 3 });
      expect(rounds.length).to.be.greaterThan(100);
      checkFeed(rounds, config.deviation, config.heartbeat, 3n);
    }
  });

  it(`publishes ${SAMPLE_ROUNDS} rounds from the real-format ETH/USDT hourly sample, keeping the feed's contract`, async () => {
    const path = await readPricePath(SAMPLE);
    const rounds = publishRounds(path);
    checkFeed(rounds, 0.005, 3_600);
    expect(rounds).to.have.length(SAMPLE_ROUNDS);
    expect(rounds[0]!.answer).to.equal(26_814_000_000n);
    expect(rounds[0]!.line).to.equal(2);
    expect(rounds.at(-1)!.line).to.equal(505);
    const lastBar = path.points.at(-1)!;
    expect(Number(rounds.at(-1)!.updatedAt)).to.be.within(lastBar.t, lastBar.t + 3_600);
  });

  it("rejects options out of range with a UsageError naming the option", () => {
    const path = prices([0, 1]);
    for (const [opts, name] of [
      [{ deviation: 0 }, "deviation"],
      [{ heartbeat: 1.5 }, "heartbeat"],
      [{ decimals: 19 }, "decimals"],
      [{ phase: 0 }, "phase"],
    ] as const) {
      expect(() => publishRounds(path, opts), name)
        .to.throw(UsageError)
        .with.property("message")
        .that.contains(name);
    }
    expect(() => publishRounds(prices([0, 1e-9]))).to.throw(UsageError, "non-positive answer");
  });
});
