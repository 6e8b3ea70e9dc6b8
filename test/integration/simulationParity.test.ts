import { expect } from "chai";
import { network } from "hardhat";

import { SIMULATION_CHAIN } from "../../scripts/lib/chain.js";
import { USDC_WETH } from "../../scripts/lib/environment.js";
import { ModelMarket } from "../../scripts/lib/sim/model/market.js";
import { simulateModel } from "../../scripts/lib/sim/model/simulate.js";
import { compareSummaries, PARITY_TOLERANCE } from "../../scripts/lib/sim/parity.js";
import { crashPath } from "../../scripts/lib/sim/paths.js";
import { replayGenerated } from "../../scripts/lib/sim/replay.js";
import { simulate } from "../../scripts/lib/sim/simulate.js";
import { generateProfile } from "../../scripts/lib/uniswap/index.js";

/**
 * Parity of the simulator's two engines on a short path (CI): the built-in crash (2 calm hours, then -40 % over
 * five hours with jumps and a -20 % one-hour gap; 54 ten-minute steps), 12 accounts, every policy. The EVM
 * engine runs the real contracts in phase mining; the model engine starts from the state the EVM engine's
 * chain was set up in (`ModelMarket.fromChain`). Per policy, bad debt, liquidations, write-offs, deleverages,
 * notionals, blocked increases, calm capacity, final equity and pool impact must agree within
 * `PARITY_TOLERANCE` (amounts 1 % or 1 USD, counts 1 or 2 %, impact 0.05 points). The long paths (the sample
 * path, the crash at 50 accounts) are compared by `npm run bench:parity`.
 */
const START = 3_000;
const replay = replayGenerated("built-in crash", crashPath({ seed: 20_250_312, start: 0, startPrice: START }));

describe("simulator parity: the model engine matches the EVM engine (short crash path, 12 accounts, tolerance PARITY_TOLERANCE)", () => {
  it("every policy's figures agree within the stated tolerance, and the crash exercises deleverages and liquidations", async () => {
    const chain = await network.create({ override: SIMULATION_CHAIN });
    let market: ModelMarket | undefined;
    // The profile `deploySystem` generates around the path's first price.
    const profile = generateProfile({ kind: "concentrated", spotPrice: replay.rounds[0]!.price, ...USDC_WETH, fee: 500, tickSpacing: 10 });
    const options = { replay, policies: ["ballast", "static", "tiered"] as const, accounts: 12, seed: 7 };
    const evm = await simulate(chain, {
      ...options,
      onSystem: async (system) => {
        market = await ModelMarket.fromChain(system, profile);
      },
    });
    await chain.close();
    const model = await simulateModel({ ...options, market: market! });
    const mismatches = compareSummaries(evm.summary.policies, model.summary.policies, PARITY_TOLERANCE);
    expect(mismatches, JSON.stringify({ evm: evm.summary.policies, model: model.summary.policies })).to.deep.equal([]);
    // The path is not trivial: Ballast deleverages, a baseline liquidates.
    const ballast = evm.summary.policies.find((p) => p.policy === "ballast")!;
    expect(ballast.deleverages).to.be.greaterThan(0);
    expect(evm.summary.policies.some((p) => p.liquidations > 0)).to.equal(true);
    // The baselines were sized to the same leverage in both engines (their calibration trials agree too).
    for (const name of ["static", "tiered"] as const)
      expect(Math.abs(evm.leverage[name]! / model.leverage[name]! - 1)).to.be.lessThan(PARITY_TOLERANCE.amountRelative);
  });
});
