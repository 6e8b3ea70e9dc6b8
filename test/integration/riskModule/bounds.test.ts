import { expect } from "chai";

import { wad } from "../../../scripts/lib/ballast/params.js";
import { Bound, positionCap } from "../../../scripts/lib/riskMath.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import { close, fromWad } from "../../helpers/numbers.js";
import { systemFixture } from "../../helpers/system.js";

/**
 * Every bound binds in some configuration, and `validateIncrease` names it. Expected caps are recomputed
 * with the TypeScript model from the module's own inputs (price, volatility, depth, equity).
 */
const base = await systemFixture();
const volTarget = await systemFixture({ market: { sigmaTarget: wad(0.4) } });
const oiCapped = await systemFixture({ market: { oiCapLong: wad(20_000) } });

describe("RiskModule bounds", () => {
  describe("default ETH market", () => {
    const { connection, load } = base;
    const { ethers } = connection;

    it("a small account is bound by liquidation distance, and validateIncrease names it with the cap and size", async () => {
      const system = await load();
      const [, user] = await ethers.getSigners();
      await system.deposit(user!, { usdc: 1_000 });
      const risk = await system.ballast.riskModule.positionRisk(user!.address, ETH_MARKET);
      expect(risk.binding).to.equal(Bound.LiquidationDistance);
      // The model, fed with the module's inputs: equity 1,000 * (1 - 1 % haircut), sigma from the oracle.
      const [sigma] = await system.ballast.volatilityOracle.getVolatility(system.feeds.eth.address);
      const depth = await system.ballast.riskModule.depthState(ETH_MARKET);
      const { gap } = await system.ballast.riskModule.marketConfig(ETH_MARKET);
      const expected = positionCap({
        equity: 990,
        otherRequirement: 0,
        sigma: fromWad(sigma),
        horizon: 3_600,
        z: 3,
        m: 0.05,
        isLong: false,
        sigmaTarget: 0,
        depth: Math.min(fromWad(depth.down), fromWad(depth.up)),
        kappa: 0.05,
        oiCap: 1e9,
        oiSide: 0,
        current: 0,
        tierCapacity: 990 * 20,
        greeksBound: Infinity,
        gap: fromWad(gap),
      });
      expect(expected.binding).to.equal(Bound.LiquidationDistance);
      expect(close(fromWad(risk.cap), expected.cap, 1e-9, 1e-9)).to.equal(true);
      // An opening above the cap is refused naming the bound; one below it goes through.
      const capEth = fromWad(risk.cap) / 3_000;
      await expect(system.trade(user!, capEth * 1.02))
        .to.be.revertedWithCustomError(system.ballast.riskModule, "CapExceeded")
        .withArgs(
          ETH_MARKET,
          Bound.LiquidationDistance,
          (cap: bigint) => cap > 0n,
          (notional: bigint) => notional > risk.cap,
        );
      await expect(system.trade(user!, capEth * 0.9)).to.not.revert(ethers);
    });

    it("a large account is bound by depth (kappa of the pool's depth to the slippage bound)", async () => {
      const system = await load();
      const [, whale] = await ethers.getSigners();
      await system.deposit(whale!, { usdc: 2_000_000 });
      const risk = await system.ballast.riskModule.positionRisk(whale!.address, ETH_MARKET);
      expect(risk.binding).to.equal(Bound.Depth);
      const depth = await system.ballast.riskModule.depthState(ETH_MARKET);
      // A new position is sized against the thinner side; a long is sized against the depth down.
      const thinner = depth.down < depth.up ? depth.down : depth.up;
      expect(risk.cap).to.equal((thinner * wad(0.05)) / wad(1));
      const longCap = (depth.down * wad(0.05)) / wad(1);
      await expect(system.trade(whale!, (fromWad(longCap) / 3_000) * 1.02))
        .to.be.revertedWithCustomError(system.ballast.riskModule, "CapExceeded")
        .withArgs(ETH_MARKET, Bound.Depth, longCap, (n: bigint) => n > longCap);
    });

    it("WETH collateral is bound by its tier's leverage (10x on haircut value)", async () => {
      const system = await load();
      const [, user] = await ethers.getSigners();
      await system.deposit(user!, { weth: 1 });
      const status = await system.ballast.riskModule.accountStatus(user!.address);
      const risk = await system.ballast.riskModule.positionRisk(user!.address, ETH_MARKET);
      expect(risk.binding).to.equal(Bound.CollateralTier);
      // Equity = 3,000 * (1 - max(5 %, own-volatility haircut)); tier cap = 10x equity.
      expect(close(fromWad(risk.cap), 10 * fromWad(status.equity), 1e-12, 1e-9)).to.equal(true);
      await expect(system.trade(user!, (fromWad(risk.cap) / 3_000) * 1.02))
        .to.be.revertedWithCustomError(system.ballast.riskModule, "CapExceeded")
        .withArgs(ETH_MARKET, Bound.CollateralTier, risk.cap, (n: bigint) => n > risk.cap);
    });

    it("the own-volatility haircut of WETH grows when ETH volatility rises", async () => {
      const system = await load();
      const [, user] = await ethers.getSigners();
      await system.deposit(user!, { weth: 1 });
      const before = (await system.ballast.riskModule.accountStatus(user!.address)).equity;
      // Violent rounds raise ETH volatility well above the level where z*sigma*sqrt(h) exceeds the 5 % base haircut.
      for (const price of [2_700, 3_300, 2_700, 3_300, 3_000]) {
        await connection.networkHelpers.time.increase(60);
        await system.setEthPrice(price);
      }
      await system.ballast.volatilityOracle.poke(system.feeds.eth.address);
      const [sigma] = await system.ballast.volatilityOracle.getVolatility(system.feeds.eth.address);
      const after = (await system.ballast.riskModule.accountStatus(user!.address)).equity;
      const haircut = 1 - fromWad(after) / 3_000;
      expect(haircut).to.be.greaterThan(0.05);
      expect(close(haircut, 1 - Math.exp(-3 * fromWad(sigma) * Math.sqrt(3_600 / 31_536_000)), 1e-9, 1e-9)).to.equal(true);
      expect(after < before).to.equal(true);
    });
  });

  describe("ETH market with a volatility target of 40 %", () => {
    const { connection, load } = volTarget;
    it("the volatility target binds: cap = E * sigmaTarget / sigma", async () => {
      const system = await load();
      const [, user] = await connection.ethers.getSigners();
      await system.deposit(user!, { usdc: 10_000 });
      const risk = await system.ballast.riskModule.positionRisk(user!.address, ETH_MARKET);
      expect(risk.binding).to.equal(Bound.VolatilityTarget);
      const [sigma] = await system.ballast.volatilityOracle.getVolatility(system.feeds.eth.address);
      expect(close(fromWad(risk.cap), (9_900 * 0.4) / fromWad(sigma), 1e-12, 1e-9)).to.equal(true);
      await expect(system.trade(user!, (fromWad(risk.cap) / 3_000) * 1.02))
        .to.be.revertedWithCustomError(system.ballast.riskModule, "CapExceeded")
        .withArgs(ETH_MARKET, Bound.VolatilityTarget, risk.cap, (n: bigint) => n > risk.cap);
    });
  });

  describe("ETH market with a 20,000 USD long open-interest cap", () => {
    const { connection, load } = oiCapped;
    it("open-interest headroom binds once other accounts hold the side", async () => {
      const system = await load();
      const [, first, second] = await connection.ethers.getSigners();
      await system.deposit(first!, { usdc: 10_000 });
      await system.deposit(second!, { usdc: 10_000 });
      await system.trade(first!, 5); // 15,000 USD long
      const risk = await system.ballast.riskModule.positionRisk(second!.address, ETH_MARKET);
      // A new position is sized as a short (the worse direction), so check the long side through a trade.
      await expect(system.trade(second!, 2))
        .to.be.revertedWithCustomError(system.ballast.riskModule, "CapExceeded")
        .withArgs(
          ETH_MARKET,
          Bound.OpenInterest,
          (cap: bigint) => close(fromWad(cap), 5_000, 1e-12, 1e-9),
          (n: bigint) => n === wad(6_000),
        );
      await expect(system.trade(second!, 1.5)).to.not.revert(connection.ethers);
      expect(risk.binding).to.not.equal(Bound.OpenInterest);
    });
  });
});
