import { expect } from "chai";

import { InputError } from "../../scripts/lib/errors.js";
import { publishRounds } from "../../scripts/lib/feedPublisher.js";
import type { PricePath } from "../../scripts/lib/prices.js";
import type { Round } from "../../scripts/lib/rounds.js";
import { replayGenerated, replayPrices, replayRounds, replaySteps } from "../../scripts/lib/sim/replay.js";
import { formatSummaryTable } from "../../scripts/lib/sim/table.js";
import type { PolicySummary } from "../../scripts/lib/report/types.js";

const bar = (t: number, open: number, high: number, low: number, close: number) => ({ t, open, high, low, close });

describe("replay (price paths and Chainlink rounds -> simulation steps)", () => {
  const path: PricePath = {
    file: "p.csv",
    kind: "ohlc",
    points: [bar(0, 100, 101, 99, 100), bar(3_600, 100, 120, 100, 120), bar(7_200, 120, 120, 80, 90), bar(10_800, 90, 96, 90, 95)],
  };

  it("a price path becomes exactly the rounds a feed publishes from it, with the path's figures", () => {
    const replay = replayPrices(path, { deviation: 0.01, heartbeat: 1_800 });
    const rounds = publishRounds(path, { deviation: 0.01, heartbeat: 1_800 });
    expect(replay.origin).to.equal("published");
    expect(replay.rounds).to.deep.equal(rounds.map((r) => ({ t: Number(r.updatedAt), price: Number(r.answer) / 1e8 })));
    expect(replay.path).to.deep.equal({ file: "p.csv", steps: 4, start: 100, end: 95, maxDrawdown: 0.25 });
  });

  it("real rounds are replayed at their updatedAt with answer / 10^decimals, and fewer than two are refused", () => {
    const round = (n: number, answer: bigint, t: number): Round => ({
      roundId: BigInt(n),
      answer,
      startedAt: BigInt(t),
      updatedAt: BigInt(t),
      answeredInRound: BigInt(n),
      line: n + 1,
    });
    const replay = replayRounds("r.csv", [round(1, 2_000_000n, 50), round(2, 1_500_000n, 80), round(3, 1_800_000n, 200)], 6);
    expect(replay.rounds).to.deep.equal([
      { t: 50, price: 2 },
      { t: 80, price: 1.5 },
      { t: 200, price: 1.8 },
    ]);
    expect(replay.path).to.deep.equal({ file: "r.csv", steps: 3, start: 2, end: 1.8, maxDrawdown: 0.25 });
    expect(() => replayRounds("one.csv", [round(1, 1n, 1)], 8)).to.throw(InputError, "one.csv: needs at least 2 rounds");
  });

  it("steps keep the source's spacing from the chain's clock and scale prices, not returns", () => {
    const replay = replayRounds(
      "r.csv",
      [1, 2, 3].map((n) => ({
        roundId: BigInt(n),
        answer: BigInt(n * 100),
        startedAt: 0n,
        updatedAt: BigInt(1_000 + n * n * 10),
        answeredInRound: BigInt(n),
        line: n,
      })),
      0,
    );
    const steps = replaySteps(replay, 5_000_000, 2.5, 60);
    expect(steps).to.deep.equal([
      { t: 5_000_060, price: 250, publish: true },
      { t: 5_000_090, price: 500, publish: true },
      { t: 5_000_140, price: 750, publish: true },
    ]);
  });

  it("a generated path keeps only the steps at which the oracle publishes", () => {
    const replay = replayGenerated("crash", [
      { t: 10, price: 100, publish: true },
      { t: 20, price: 50, publish: false },
      { t: 30, price: 75, publish: true },
    ]);
    expect(replay.rounds).to.deep.equal([
      { t: 10, price: 100 },
      { t: 30, price: 75 },
    ]);
    expect(replay.path).to.deep.equal({ file: "crash", steps: 3, start: 100, end: 75, maxDrawdown: 0.5 });
  });

  it("the summary table has a row per policy with its figures", () => {
    const policy = (name: string, badDebt: number): PolicySummary => ({
      policy: name,
      badDebt,
      liquidations: 3,
      liquidatedNotional: 12_345,
      writeOffs: 1,
      deleverages: 7,
      deleveragedNotional: 5_000,
      blockedIncreases: 2,
      maxPoolImpact: 0.0123,
      calmCapacity: 1e6,
      finalEquity: 2e5,
    });
    const table = formatSummaryTable({
      path: { file: "p.csv", steps: 4, start: 100, end: 95, maxDrawdown: 0.25 },
      policies: [policy("ballast", 0), policy("static", 4_321)],
      seed: 1,
      params: {},
    });
    const lines = table.split("\n");
    expect(lines).to.have.length(5);
    expect(lines[0]).to.contain("p.csv: 4 steps").and.contain("25.0 %");
    expect(lines[3]).to.match(/^ballast\s+0\s+3\s+12,345\s+1\s+7\s+5,000\s+2\s+1\.23 %\s+1,000,000\s+200,000$/);
    expect(lines[4]).to.match(/^static\s+4,321\s/);
  });
});
