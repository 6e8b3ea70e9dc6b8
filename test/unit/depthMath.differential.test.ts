import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { propertySeed } from "../helpers/numbers.js";

/**
 * DepthMath against exact arithmetic (1,000 inputs each): `g = 1.0001^(±tick/2)` is never above the exact
 * value and within 1e-8 of it; constant-liquidity depths are never above the exact closed form
 * `L·g·(1 − sqrt(1 − s))` / `L·g·(sqrt(1 + s) − 1)` and within 1e-8 of it.
 */
const RUNS = 1000;
const { ethers } = await network.create();
const harness = await ethers.deployContract("DepthMathHarness");

/** 1.0001^(tick/2) as a float with relative error ~1e-15. */
const exactG = (tick: number, baseIsToken0: boolean): number => Math.exp(((baseIsToken0 ? tick : -tick) * Math.log1p(1e-4)) / 2);

describe("DepthMath differential (1,000 inputs each, never above exact, rel 1e-8)", () => {
  it("sqrtQuotePerBaseDown is a lower bound of 1.0001^(±tick/2) within 1e-8", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -800_000, max: 800_000 }), fc.boolean(), async (tick, baseIsToken0) => {
        const g = Number(await harness.sqrtQuotePerBaseDown(tick, baseIsToken0)) / 1e18;
        const exact = exactG(tick, baseIsToken0);
        expect(g <= exact * (1 + 1e-14), `g ${g} above exact ${exact} at tick ${tick}`).to.equal(true);
        // Tightness only where 1 wei of resolution is below 1e-8 of the value (g >= 1e-6).
        if (exact >= 1e-6) expect(g >= exact * (1 - 1e-8), `g ${g} too far below ${exact}`).to.equal(true);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("sqrtQuotePerBaseDown at tick 0 is 1 less its safety margin, exactly, is never above exact at both edges of the domain (where the low one is within a wei of zero) (a tick beyond either edge reverts TickOutOfDomain)", async () => {
    expect(await harness.sqrtQuotePerBaseDown(0, true)).to.equal(10n ** 18n - 10n ** 9n - 1n);
    expect(await harness.sqrtQuotePerBaseDown(0, false)).to.equal(10n ** 18n - 10n ** 9n - 1n);
    // The domain: |tick * ln(1.0001) / 2| <= 41, so |tick| <= 820,040.
    const edge = 820_040;
    for (const baseIsToken0 of [true, false]) {
      for (const tick of [edge, -edge]) {
        const g = await harness.sqrtQuotePerBaseDown(tick, baseIsToken0);
        const exact = exactG(tick, baseIsToken0) * 1e18;
        expect(Number(g) >= exact * (1 - 1e-8) - 2, `tick ${tick}: ${g} too far below ${exact}`).to.equal(true);
        expect(Number(g) <= exact, `tick ${tick}: ${g} above ${exact}`).to.equal(true);
      }
      for (const tick of [edge + 1, -edge - 1]) {
        await expect(harness.sqrtQuotePerBaseDown(tick, baseIsToken0))
          .to.be.revertedWithCustomError(harness, "TickOutOfDomain")
          .withArgs(tick);
      }
    }
  });

  it("the quote to move the price by s at constant liquidity (sqrtAfterMove, quoteBetween) never exceeds the exact closed form", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 10n ** 6n, max: 10n ** 30n }),
        // g from 1e-6 (a base worth 1e-12 quote units per raw unit) up: below it, the 1-wei resolution of g
        // alone exceeds 1e-8 (depths stay below the exact value, only less tight).
        fc.bigInt({ min: 10n ** 12n, max: 10n ** 24n }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        async (liquidity, g, slippageBps, down) => {
          const s = slippageBps / 1000;
          const target = await harness.sqrtAfterMove(g, BigInt(slippageBps) * 10n ** 15n, down);
          const depth = Number(await harness.quoteBetween(liquidity, g, target));
          const exact = (Number(liquidity) * Number(g) * (down ? 1 - Math.sqrt(1 - s) : Math.sqrt(1 + s) - 1)) / 1e18;
          expect(depth <= exact * (1 + 1e-12) + 1, `depth ${depth} above ${exact}`).to.equal(true);
          expect(depth >= exact * (1 - 1e-8) - 2).to.equal(true);
        },
      ),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("basePrice turns g into quote per base in human units (ETH at 3,000 USDC as token1 of USDC/WETH)", async () => {
    // USDC (6 decimals) is token0, WETH (18) token1: raw quote per raw base = 3000e6 / 1e18.
    const g = BigInt(Math.round(Math.sqrt((3000 * 1e6) / 1e18) * 1e18));
    const price = Number(await harness.basePrice(g, 18, 6)) / 1e18;
    expect(Math.abs(price - 3000)).to.be.lessThan(1e-6);
  });
});
