import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import * as model from "../../scripts/lib/options/blackScholes.js";
import { close, propertySeed, WAD } from "../helpers/numbers.js";

/**
 * The on-chain Black–Scholes library (WAD, PRB Math exp/ln, its own all-positive erf series) against an
 * independent float64 model (erf series / erfc continued fraction), on random inputs across the domain,
 * against Hull's textbook values, and for put–call parity and monotonicity. Tolerances: price and vega
 * absolute 1e-12 of the spot, delta absolute 1e-12, gamma relative 1e-9 (or 1e-12 absolute), the normal
 * distribution absolute 1e-14 (measured worst cases with the fixed seed: price 3.8e-14·S, delta 2.0e-14,
 * gamma 1.7e-11, vega 7.8e-16·S). Monotonicity holds to the same 1e-12 of the spot (rounding).
 */
const RUNS = 1000;
const { ethers } = await network.create();
const harness = await ethers.deployContract("BlackScholesHarness");
const YEAR = model.YEAR_SECONDS;

const toWad = (x: number): bigint => BigInt(Math.round(x * 1e12)) * 10n ** 6n;
const f64 = (x: bigint): number => Number(x) / 1e18;

interface Input {
  spot: number;
  moneyness: number;
  sigma: number;
  tau: number;
  rate: number;
  isCall: boolean;
}

const input = fc.record({
  spot: fc.double({ min: 1, max: 100_000, noNaN: true }),
  moneyness: fc.double({ min: 0.5, max: 2, noNaN: true }),
  sigma: fc.double({ min: 0.05, max: 3, noNaN: true }),
  tau: fc.integer({ min: 3_600, max: 2 * YEAR }),
  rate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  isCall: fc.boolean(),
});

/** The contract's option and the model's, from the same WAD values. */
function option(i: Input) {
  const wad = { spot: toWad(i.spot), strike: toWad(i.spot / i.moneyness), sigma: toWad(i.sigma), rate: toWad(i.rate) };
  const onChain = { ...wad, tau: BigInt(i.tau), isCall: i.isCall };
  const float = {
    spot: f64(wad.spot),
    strike: f64(wad.strike),
    sigma: f64(wad.sigma),
    tauSeconds: i.tau,
    rate: f64(wad.rate),
    isCall: i.isCall,
  };
  return { onChain, float };
}

const hull = (spot: number, strike: number, rate: number, sigma: number, years: number, isCall: boolean) => ({
  spot: toWad(spot),
  strike: toWad(strike),
  sigma: toWad(sigma),
  tau: BigInt(Math.round(years * YEAR)),
  rate: toWad(rate),
  isCall,
});

describe("BlackScholes: on-chain prices and Greeks", () => {
  it("matches the float64 model on 1,000 random options (price, delta, gamma, vega; tolerances in the file header)", async () => {
    let worst = { price: 0, delta: 0, gamma: 0, vega: 0 };
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const { onChain, float } = option(i);
        const q = await harness.quote(onChain);
        const m = model.quote(float);
        const errors = {
          price: Math.abs(f64(q.price) - m.price) / float.spot,
          delta: Math.abs(f64(q.delta) - m.delta),
          gamma: Math.abs(f64(q.gamma) - m.gamma) / Math.max(m.gamma, 1e-5),
          vega: Math.abs(f64(q.vega) - m.vega) / float.spot,
        };
        worst = {
          price: Math.max(worst.price, errors.price),
          delta: Math.max(worst.delta, errors.delta),
          gamma: Math.max(worst.gamma, errors.gamma),
          vega: Math.max(worst.vega, errors.vega),
        };
        expect(errors.price, "price").to.be.at.most(1e-12);
        expect(errors.delta, "delta").to.be.at.most(1e-12);
        expect(close(f64(q.gamma), m.gamma, 1e-9, 1e-12), "gamma").to.equal(true);
        expect(errors.vega, "vega").to.be.at.most(1e-12);
        expect(f64(q.price)).to.equal(f64(await harness.price(onChain)));
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
    process.stdout.write(
      `      worst errors: price ${worst.price.toExponential(1)}·S, delta ${worst.delta.toExponential(1)}, gamma ${worst.gamma.toExponential(1)} rel, vega ${worst.vega.toExponential(1)}·S\n`,
    );
  });

  it("reproduces Hull's textbook values (calls and puts to the cent, Greeks to the printed digits)", async () => {
    // Options, Futures and Other Derivatives: S = 42, K = 40, r = 10 %, sigma = 20 %, T = 0.5 year.
    expect(f64(await harness.price(hull(42, 40, 0.1, 0.2, 0.5, true)))).to.be.within(4.755, 4.765);
    expect(f64(await harness.price(hull(42, 40, 0.1, 0.2, 0.5, false)))).to.be.within(0.805, 0.815);
    // S = 49, K = 50, r = 5 %, sigma = 20 %, T = 20 weeks: delta 0.522, gamma 0.066, vega 12.1.
    const q = await harness.quote(hull(49, 50, 0.05, 0.2, 0.3846, true));
    expect(f64(q.delta)).to.be.within(0.5215, 0.5225);
    expect(f64(q.gamma)).to.be.within(0.0655, 0.0665);
    expect(f64(q.vega)).to.be.within(12.05, 12.15);
    expect(f64(q.price)).to.be.within(2.395, 2.405);
  });

  it("put–call parity C − P = S − K·e^(−rτ) and equal gamma and vega, on 1,000 random inputs (to 1e-12 of S)", async () => {
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const { onChain, float } = option({ ...i, isCall: true });
        const c = await harness.quote(onChain);
        const p = await harness.quote({ ...onChain, isCall: false });
        const forward = float.spot - float.strike * Math.exp((-float.rate * float.tauSeconds) / YEAR);
        expect(Math.abs(f64(c.price) - f64(p.price) - forward) / float.spot).to.be.at.most(1e-12);
        expect(c.delta - p.delta).to.equal(WAD);
        expect(c.gamma).to.equal(p.gamma);
        expect(c.vega).to.equal(p.vega);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("the normal distribution matches the model on [-10, 10] (to 1e-14), with N(0) = 1/2 and N(x) + N(-x) = 1", async () => {
    for (let x = -10; x <= 10; x += 0.0625) {
      const n = f64(await harness.normalCdf(toWad(x)));
      expect(Math.abs(n - model.normalCdf(x)), `N(${x})`).to.be.at.most(1e-14);
      expect(Math.abs(f64(await harness.normalPdf(toWad(x))) - model.normalPdf(x)), `pdf(${x})`).to.be.at.most(1e-14);
    }
    expect(await harness.normalCdf(0n)).to.equal(WAD / 2n);
    for (const x of [1n, WAD / 3n, 2n * WAD, 7n * WAD]) expect((await harness.normalCdf(x)) + (await harness.normalCdf(-x))).to.equal(WAD);
  });

  it("price rises with spot and volatility and falls with the strike (calls), on 1,000 random inputs", async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.double({ min: 1.001, max: 1.5, noNaN: true }), async (i, bump) => {
        const { onChain } = option({ ...i, isCall: true });
        const base = await harness.price(onChain);
        const slack = onChain.spot / 10n ** 12n;
        const scaled = (v: bigint) => (v * BigInt(Math.round(bump * 1e6))) / 1_000_000n;
        expect(await harness.price({ ...onChain, spot: scaled(onChain.spot) })).to.be.at.least(base - slack);
        expect(await harness.price({ ...onChain, sigma: scaled(onChain.sigma) })).to.be.at.least(base - slack);
        expect(await harness.price({ ...onChain, strike: scaled(onChain.strike) })).to.be.at.most(base + slack);
      }),
      { numRuns: RUNS, seed: propertySeed() },
    );
  });

  it("expiry, zero volatility and deep in or out of the money: intrinsic values, prices within [0, S] / [0, K], no revert", async () => {
    const base = hull(3_000, 3_000, 0, 0.8, 30 / 365, true);
    const expired = await harness.quote({ ...base, tau: 0n, spot: toWad(3_100) });
    expect([expired.price, expired.delta, expired.gamma, expired.vega]).to.deep.equal([toWad(100), WAD, 0n, 0n]);
    const atTheMoney = await harness.quote({ ...base, tau: 0n, isCall: false });
    expect([atTheMoney.price, atTheMoney.delta]).to.deep.equal([0n, -WAD / 2n]);
    const flat = await harness.quote({ ...base, sigma: 0n, rate: toWad(0.05), strike: toWad(2_900) });
    expect(close(f64(flat.price), 3_000 - 2_900 * Math.exp(-0.05 * (30 / 365)), 1e-12, 1e-9)).to.equal(true);
    expect([flat.delta, flat.gamma, flat.vega]).to.deep.equal([WAD, 0n, 0n]);
    for (const [spot, strike] of [
      [1e5, 10.01],
      [10.01, 1e5],
    ] as const) {
      for (const isCall of [true, false]) {
        const q = await harness.quote({ ...base, spot: toWad(spot), strike: toWad(strike), isCall, sigma: toWad(0.05), tau: 3_600n });
        expect(q.price).to.be.at.least(0n);
        expect(q.price).to.be.at.most(isCall ? toWad(spot) : toWad(strike));
      }
    }
    process.stdout.write(`      gas of one quote (30-day ATM): ${await harness.quoteGas(base)}\n`);
  });

  it("reverts with BlackScholesInputOutOfRange naming each input outside the domain", async () => {
    const base = hull(3_000, 3_000, 0, 0.8, 30 / 365, true);
    const Input = { Spot: 0, Strike: 1, Moneyness: 2, Sigma: 3, Tau: 4, Rate: 5 };
    for (const [bad, which] of [
      [{ ...base, spot: 10n ** 11n }, Input.Spot],
      [{ ...base, strike: 10n ** 31n }, Input.Strike],
      [{ ...base, spot: toWad(1), strike: toWad(100_000) }, Input.Moneyness],
      [{ ...base, sigma: 11n * WAD }, Input.Sigma],
      [{ ...base, tau: BigInt(6 * YEAR) }, Input.Tau],
      [{ ...base, rate: 2n * WAD }, Input.Rate],
    ] as const) {
      await expect(harness.quote(bad))
        .to.be.revertedWithCustomError(harness, "BlackScholesInputOutOfRange")
        .withArgs(
          which,
          (v: unknown) => typeof v === "bigint",
          (v: unknown) => typeof v === "bigint",
        );
    }
  });
});
