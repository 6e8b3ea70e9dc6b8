import { expect } from "chai";

import { gasCostUsd, profitGate } from "../../../scripts/keeper/economics.js";

const WAD = 10n ** 18n;
const GWEI = 10n ** 9n;

describe("keeper economics", () => {
  it("the gas cost in WAD USD: 300,000 gas at 2 gwei and 3,000 USD per ETH is 1.8 USD", () => {
    expect(gasCostUsd(300_000n, 2n * GWEI, 3_000n * WAD)).to.equal((18n * WAD) / 10n);
  });

  it("skips (unprofitable) a deleverage whose fee is below its gas cost, sends one that covers it, and sends everything with send or without a price", () => {
    const estimate = { gas: 300_000n, gasPrice: 2n * GWEI, value: WAD }; // fee 1 USD, gas 1.8 USD
    const verdict = profitGate("skip", 3_000n * WAD)(estimate);
    expect(verdict).to.deep.equal({ status: "unprofitable", reason: "keeper fee below gas cost", fee: WAD, cost: (18n * WAD) / 10n });
    expect(profitGate("skip", 3_000n * WAD)({ ...estimate, value: 2n * WAD })).to.equal(undefined);
    expect(profitGate("send", 3_000n * WAD)(estimate)).to.equal(undefined);
    expect(profitGate("skip", undefined)(estimate)).to.equal(undefined);
    expect(profitGate("skip", 3_000n * WAD)({ ...estimate, value: undefined })).to.equal(undefined);
  });
});
