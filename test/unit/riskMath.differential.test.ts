import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import * as model from "../../scripts/lib/riskMath.js";
import { close, fromWad, MAX_UINT256, propertySeed, WAD } from "../helpers/numbers.js";

/**
 * Differential test: the TypeScript formulas (float64) against the Solidity libraries (WAD, directed
 * rounding) on random inputs across the documented domain. Tolerance: relative 1e-9, or an absolute
 * 1e-12 in natural units (the contract pads exp by 1e-15 relative and rounds each step by 1 wei); for
 * volatility, relative 1e-7 or absolute 1e-6.
 */
const RUNS = 1000;
const REL = 1e-9;
const ABS = 1e-12;

const { ethers } = await network.create();

/** e^x for x in WAD, to 50 decimal digits (Taylor series on x / 2^k, squared back k times). */
function exactExp(xWad: bigint): { num: bigint; scale: bigint } {
  const scale = 10n ** 50n;
  const k = 8n;
  const x = (xWad * 10n ** 32n) >> k; // scale 1e50, divided by 2^k
  let term = scale;
  let sum = scale;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * x) / (scale * n);
    sum += term;
  }
  for (let i = 0n; i < k; i++) sum = (sum * sum) / scale;
  return { num: sum, scale };
}
const harness = await ethers.deployContract("RiskMathHarness");

/** Amounts log-uniformly from 1 wei to 1e38 WAD. */
const amount = (maxExp = 38): fc.Arbitrary<bigint> =>
  fc.tuple(fc.bigInt({ min: 1n, max: 999_999n }), fc.integer({ min: 0, max: maxExp - 6 })).map(([m, e]) => m * 10n ** BigInt(e));
const ratio = fc.bigInt({ min: 0n, max: WAD });
const sigma = fc.bigInt({ min: 0n, max: 10n * WAD });
const horizon = fc.bigInt({ min: 0n, max: 7n * 86_400n });
const z = fc.bigInt({ min: 0n, max: 10n * WAD });

describe("RiskMath differential: TypeScript model vs contract (1,000 inputs each, rel 1e-9)", () => {
  it("positionCapDown matches the model's cap, every bound, and the binding bound", async () => {
    const input = fc.record({
      equity: fc.tuple(amount(37), fc.boolean()).map(([v, neg]) => (neg ? -v / 10n : v)),
      otherRequirement: fc.oneof(fc.constant(0n), amount(36)),
      sigma,
      horizon,
      z,
      // Margin ratios from 0.01 % (markets are configured far above): at m = 0 and s = 0 the padded exp
      // leaves the contract a finite bound where the exact one is unbounded.
      m: fc.bigInt({ min: WAD / 10_000n, max: WAD / 2n }),
      isLong: fc.boolean(),
      sigmaTarget: fc.oneof(fc.constant(0n), sigma),
      depth: amount(37),
      kappa: ratio,
      oiCap: amount(37),
      oiSide: amount(36),
      current: amount(35),
      tierCapacity: fc.oneof(fc.constant(MAX_UINT256), amount(38)),
      greeksBound: fc.constant(MAX_UINT256),
      // Half without a gap floor, half with one up to the configurable maximum (1.0).
      gap: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: WAD })),
    });
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const [cap, binding, bounds] = await harness.positionCapDown(i);
        const expected = model.positionCap({
          equity: fromWad(i.equity),
          otherRequirement: fromWad(i.otherRequirement),
          sigma: fromWad(i.sigma),
          horizon: Number(i.horizon),
          z: fromWad(i.z),
          m: fromWad(i.m),
          isLong: i.isLong,
          sigmaTarget: fromWad(i.sigmaTarget),
          depth: fromWad(i.depth),
          kappa: fromWad(i.kappa),
          oiCap: fromWad(i.oiCap),
          oiSide: fromWad(i.oiSide),
          current: fromWad(i.current),
          tierCapacity: fromWad(i.tierCapacity),
          greeksBound: fromWad(i.greeksBound),
          gap: fromWad(i.gap),
        });
        bounds.forEach((b, k) => {
          expect(close(fromWad(b), expected.bounds[k]!, REL, ABS), `bound ${k + 1}: ${fromWad(b)} vs ${expected.bounds[k]}`).to.equal(true);
        });
        expect(close(fromWad(cap), expected.cap, REL, ABS), `cap ${fromWad(cap)} vs ${expected.cap}`).to.equal(true);
        // The binding bound is comparable only when the two smallest bounds are not within tolerance.
        const sorted = [...expected.bounds].sort((a, b) => a - b);
        if (!close(sorted[0]!, sorted[1]!, REL, ABS)) expect(Number(binding)).to.equal(expected.binding);
        // Directed rounding: the contract's cap is never above the exact one (beyond float noise).
        expect(fromWad(cap) <= expected.cap * (1 + REL) + ABS).to.equal(true);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("stressedMoveUp and the adverse moves match and round up", async () => {
    await fc.assert(
      fc.asyncProperty(sigma, horizon, z, async (sg, h, zz) => {
        const s = await harness.stressedMoveUp(sg, h, zz);
        const expected = model.stressedMove(fromWad(sg), Number(h), fromWad(zz));
        expect(close(fromWad(s), expected, REL, ABS)).to.equal(true);
        const [xl, xs] = await Promise.all([harness.adverseMoveLongUp(s), harness.adverseMoveShortUp(s)]);
        const sf = fromWad(s);
        expect(close(fromWad(xl), model.adverseMoveLong(sf), REL, ABS)).to.equal(true);
        expect(close(fromWad(xs), model.adverseMoveShort(sf), REL, ABS)).to.equal(true);
        expect(fromWad(xl) >= model.adverseMoveLong(sf) * (1 - 1e-15)).to.equal(true);
        expect(fromWad(xs) >= model.adverseMoveShort(sf) * (1 - 1e-15)).to.equal(true);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("stressedMoveUp with a gap floor matches max(diffusion, gap) and rounds up", async () => {
    await fc.assert(
      fc.asyncProperty(sigma, horizon, z, fc.bigInt({ min: 0n, max: 16n * WAD }), async (sg, h, zz, g) => {
        const s = await harness.stressedMoveGapUp(sg, h, zz, g);
        const expected = model.stressedMove(fromWad(sg), Number(h), fromWad(zz), fromWad(g));
        expect(close(fromWad(s), expected, REL, ABS), `s ${fromWad(s)} vs ${expected}`).to.equal(true);
        expect(s >= g).to.equal(true);
        expect(s >= (await harness.stressedMoveUp(sg, h, zz))).to.equal(true);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("adverse moves are upper bounds of the exact values (50-digit reference) and at most 1e-15 above", async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: 16n * WAD }), async (s) => {
        const [xl, xs] = await Promise.all([harness.adverseMoveLongUp(s), harness.adverseMoveShortUp(s)]);
        const { num, scale } = exactExp(s);
        // x_S = e^s - 1 and x_L = 1 - e^-s = (e^s - 1) / e^s, both scaled to 1e50.
        const exactShort = num - scale;
        const exactLong = (exactShort * scale) / num;
        const toScale = 10n ** 32n;
        expect(xs * toScale >= exactShort, `x_S below exact at s=${s}`).to.equal(true);
        expect(xl * toScale >= exactLong, `x_L below exact at s=${s}`).to.equal(true);
        // Tight: within 1e-15 of e^s (the pad) plus a few wei.
        expect((xs * toScale - exactShort) * 10n ** 15n <= num * 2n + 10n * toScale * 10n ** 15n).to.equal(true);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("ownVolHaircutUp and deleverageAmountUp match", async () => {
    await fc.assert(
      fc.asyncProperty(
        ratio,
        sigma,
        horizon,
        amount(36),
        amount(36),
        fc.bigInt({ min: 0n, max: WAD }),
        ratio,
        async (base, sc, h, size, cap, trig, tgt) => {
          const haircut = await harness.ownVolHaircutUp(base, sc, h, 3n * WAD);
          expect(close(fromWad(haircut), model.ownVolHaircut(fromWad(base), fromWad(sc), Number(h), 3), REL, ABS)).to.equal(true);
          const amountOut = await harness.deleverageAmountUp(size, cap, trig, tgt);
          const [sz, cp, tr, tg] = [fromWad(size), fromWad(cap), fromWad(trig), fromWad(tgt)];
          const threshold = cp * (1 + tr);
          if (close(sz, threshold, REL, ABS)) return; // at the trigger, rounding decides
          expect(amountOut > 0n).to.equal(model.isOverCap(sz, cp, tr));
          expect(close(fromWad(amountOut), model.deleverageAmount(sz, cp, tr, tg), REL, ABS)).to.equal(true);
        },
      ),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("the volatility estimator matches on random round sequences (100 paths x 30 rounds)", async () => {
    const path = fc.array(fc.record({ ret: fc.double({ min: -0.3, max: 0.3, noNaN: true }), dt: fc.integer({ min: 1, max: 7200 }) }), {
      minLength: 30,
      maxLength: 30,
    });
    await fc.assert(
      fc.asyncProperty(path, fc.integer({ min: 60, max: 86_400 }), fc.integer({ min: 1, max: 20 }), async (steps, tauUp, ratioDown) => {
        const tauDown = tauUp * ratioDown;
        const prices = [2_000n * 10n ** 8n];
        const times = [1_700_000_000n];
        for (const { ret, dt } of steps) {
          prices.push(BigInt(Math.max(1, Math.round(Number(prices.at(-1)!) * Math.exp(ret)))));
          times.push(times.at(-1)! + BigInt(dt));
        }
        const sigmas = await harness.replay(prices, times, tauUp, tauDown);
        const estimator = new model.VolatilityEstimator(tauUp, tauDown);
        prices.forEach((p, k) => {
          estimator.observe(Number(p), Number(times[k]!));
          // sigma below 1e-6 (0.0001 %) is far under any configured floor; the contract zeroes a decay below 1 wei.
          if (k > 0) expect(close(fromWad(sigmas[k]!), estimator.sigma, 1e-7, 1e-6), `round ${k}`).to.equal(true);
        });
      }),
      { numRuns: 100, seed: propertySeed() },
    );
  });
});
