import { expect } from "chai";
import { getAddress } from "ethers";

import { engineInterface, moduleInterface } from "../../../scripts/keeper/abi.js";
import { decodeGreeksRisk, hedgeDecision, hedgeJob, type GreeksRisk } from "../../../scripts/keeper/hedger.js";

const WAD = 10n ** 18n;
const risk = (delta: bigint, band: bigint): GreeksRisk => ({
  delta,
  gamma: -WAD / 1000n,
  vega: -50n * WAD,
  perpSize: 0n,
  spot: 3_000n * WAD,
  worstLoss: 1_000n * WAD,
  allowed: 5_000n * WAD,
  hedgeDelta: -delta,
  rebalanceBand: band,
});

describe("keeper hedge mode: decisions and jobs", () => {
  it("holds inside the band (inclusive), trades exactly hedgeDelta outside it, in either direction", () => {
    expect(hedgeDecision(risk(WAD, WAD), 0n)).to.deep.equal({ action: "hold", reason: "inside-band" });
    expect(hedgeDecision(risk(-WAD / 2n, WAD), 0n)).to.deep.equal({ action: "hold", reason: "inside-band" });
    expect(hedgeDecision(risk(3n * WAD, WAD), 0n)).to.deep.equal({ action: "trade", sizeDelta: -3n * WAD });
    expect(hedgeDecision(risk(-3n * WAD, WAD), 0n)).to.deep.equal({ action: "trade", sizeDelta: 3n * WAD });
  });

  it("holds a trade below the minimum size even outside the band", () => {
    expect(hedgeDecision(risk(WAD / 100n, 0n), WAD / 10n)).to.deep.equal({ action: "hold", reason: "below-min-trade" });
    expect(hedgeDecision(risk(WAD / 5n, 0n), WAD / 10n)).to.deep.equal({ action: "trade", sizeDelta: -WAD / 5n });
  });

  it("the job calls tradeFor(account, market, sizeDelta) on the engine with a per-pair key", () => {
    const job = hedgeJob(
      "0x00000000000000000000000000000000000000e1",
      "0x00000000000000000000000000000000000000a1",
      1n,
      -2n * WAD,
      risk(2n * WAD, 0n),
    );
    expect(job.key).to.equal("hedge:0x00000000000000000000000000000000000000a1:1");
    expect(job.kind).to.equal("hedge");
    const call = engineInterface.parseTransaction({ data: job.data })!;
    expect(call.name).to.equal("tradeFor");
    expect([...call.args]).to.deep.equal([getAddress("0x00000000000000000000000000000000000000a1"), 1n, -2n * WAD]);
  });

  it("maps reverts: a revoked approval drops, oracle and staleness faults skip the block, a breach fails", () => {
    const job = hedgeJob(
      "0x00000000000000000000000000000000000000e1",
      "0x00000000000000000000000000000000000000a1",
      1n,
      WAD,
      risk(-WAD, 0n),
    );
    const action = (name: string) => job.onRevert({ name, args: {}, data: "0x" });
    expect(action("NotHedger")).to.equal("drop");
    for (const name of [
      "PriceInvalid",
      "PriceUnavailable",
      "SequencerDown",
      "SequencerGracePeriod",
      "PriceDivergence",
      "DepthStale",
      "VolatilityStale",
    ])
      expect(action(name), name).to.equal("skip");
    for (const name of ["CapExceeded", "BelowMaintenance", "GreeksBoundExceeded"]) expect(action(name), name).to.equal("fail");
    expect(job.onRevert(undefined)).to.equal("fail");
  });

  it("decodes greeksRisk's return data", () => {
    const encoded = moduleInterface.encodeFunctionResult("greeksRisk", [
      [
        [5n * WAD, -WAD / 1000n, -70n * WAD],
        -2n * WAD,
        3_000n * WAD,
        WAD / 2n,
        WAD / 50n,
        90_000n * WAD,
        40_000n * WAD,
        72_000n * WAD,
        -3,
        1,
        -3n * WAD,
        WAD / 4n,
        300n * WAD,
        41_000n * WAD,
      ],
    ]);
    expect(decodeGreeksRisk(encoded)).to.deep.equal({
      delta: 5n * WAD,
      gamma: -WAD / 1000n,
      vega: -70n * WAD,
      perpSize: -2n * WAD,
      spot: 3_000n * WAD,
      worstLoss: 40_000n * WAD,
      allowed: 72_000n * WAD,
      hedgeDelta: -3n * WAD,
      rebalanceBand: WAD / 4n,
    });
  });
});
