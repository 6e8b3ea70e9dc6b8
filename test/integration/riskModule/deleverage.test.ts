import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";

import { wad } from "../../../scripts/lib/ballast/params.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import { fromWad } from "../../helpers/numbers.js";
import { openAtFractionOfCap, spikeVolatility } from "../../helpers/scenarios.js";
import { systemFixture } from "../../helpers/system.js";

const Status = { Healthy: 0n, OverCap: 1n, OracleInvalid: 2n };
const PriceSource = { Chainlink: 0n, StoredTwap: 1n, LiveTwap: 2n };

const base = await systemFixture();
const thinWindow = await systemFixture({ market: { rho: wad(0.01) } });

describe("RiskModule deleverage", () => {
  const { connection, load } = base;
  const { ethers } = connection;

  it("reduces a position over its cap to cap * (1 - tauTarget), pays the keeper, and emits the figures", async () => {
    const system = await load();
    const [, user, keeper] = await ethers.getSigners();
    const module = system.ballast.riskModule;
    await openAtFractionOfCap(system, user!, 1_000, 0.7);
    expect((await module.accountStatus(user!.address)).status).to.equal(Status.Healthy);
    await spikeVolatility(system);

    const status = await module.accountStatus(user!.address);
    expect(status.status).to.equal(Status.OverCap);
    const before = status.worst;
    expect(before.notional > (before.cap * wad(1.05)) / wad(1)).to.equal(true);
    const [notional, sizeDelta, fee] = await module.deleverageQuote(user!.address, ETH_MARKET);
    // Hysteresis: the reduction leaves floor(cap * 0.95) of notional.
    expect(notional).to.equal(before.notional - (before.cap * wad(0.95)) / wad(1));
    expect(fee).to.equal((notional * wad(0.001)) / wad(1));

    const ledgerBefore = (await system.ballast.engine.margin(keeper!.address)).ledger;
    await expect(module.connect(keeper!).deleverage(user!.address, ETH_MARKET))
      .to.emit(module, "Deleveraged")
      .withArgs(
        user!.address,
        ETH_MARKET,
        keeper!.address,
        before.size,
        before.size - sizeDelta,
        before.price,
        before.source,
        notional,
        before.cap,
        before.binding,
        fee,
      );
    const after = await module.positionRisk(user!.address, ETH_MARKET);
    expect(after.size).to.equal(before.size - sizeDelta);
    expect(after.notional <= (before.cap * wad(0.95)) / wad(1)).to.equal(true);
    expect((await system.ballast.engine.margin(keeper!.address)).ledger - ledgerBefore).to.equal(fee);
    expect((await module.accountStatus(user!.address)).status).to.equal(Status.Healthy);
  });

  it("reverts with NothingToDeleverage for a position within cap * (1 + tauTrigger), and for a racing second keeper", async () => {
    const system = await load();
    const [, user, keeper, racer] = await ethers.getSigners();
    const module = system.ballast.riskModule;
    await openAtFractionOfCap(system, user!, 1_000, 0.7);
    await expect(module.connect(keeper!).deleverage(user!.address, ETH_MARKET)).to.be.revertedWithCustomError(
      module,
      "NothingToDeleverage",
    );
    expect(await module.deleverageQuote(user!.address, ETH_MARKET)).to.deep.equal([0n, 0n, 0n]);
    await spikeVolatility(system);
    await module.connect(keeper!).deleverage(user!.address, ETH_MARKET);
    const risk = await module.positionRisk(user!.address, ETH_MARKET);
    await expect(module.connect(racer!).deleverage(user!.address, ETH_MARKET))
      .to.be.revertedWithCustomError(module, "NothingToDeleverage")
      .withArgs(user!.address, ETH_MARKET, risk.notional, risk.cap);
  });

  it("a racing keeper in the same block reverts at once with AlreadyDeleveraged", async () => {
    const system = await load();
    const [, user, keeper, racer] = await ethers.getSigners();
    const module = system.ballast.riskModule;
    await openAtFractionOfCap(system, user!, 1_000, 0.7);
    await spikeVolatility(system);
    await ethers.provider.send("evm_setAutomine", [false]);
    const first = await module.connect(keeper!).deleverage(user!.address, ETH_MARKET, { gasLimit: 3_000_000 });
    const second = await module.connect(racer!).deleverage(user!.address, ETH_MARKET, { gasLimit: 3_000_000 });
    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
    expect((await first.wait())!.status).to.equal(1);
    const failed = await ethers.provider.getTransactionReceipt(second.hash);
    expect(failed!.status).to.equal(0);
    // Nothing was evaluated: the racer paid for a guard check, not a full evaluation.
    expect(Number(failed!.gasUsed)).to.be.lessThan(40_000);
    // Simulated in the deleverage's own block (eth_call at "latest") it is the same guard; a block later the
    // position is evaluated and found within its cap.
    await expect(module.connect(racer!).deleverage.staticCall(user!.address, ETH_MARKET)).to.be.revertedWithCustomError(
      module,
      "AlreadyDeleveraged",
    );
    await connection.networkHelpers.mine();
    await expect(module.connect(racer!).deleverage.staticCall(user!.address, ETH_MARKET)).to.be.revertedWithCustomError(
      module,
      "NothingToDeleverage",
    );
  });

  it("with the Chainlink price diverging from a fresh stored TWAP, acts on the larger of the two breaches", async () => {
    const system = await load();
    const [, user, keeper] = await ethers.getSigners();
    const module = system.ballast.riskModule;
    await openAtFractionOfCap(system, user!, 1_000, 0.9);
    await spikeVolatility(system);
    const twap = (await module.depthState(ETH_MARKET)).twapPrice;
    // The breach at the TWAP alone: the oracle set to it (no divergence, nothing else to compare).
    const snapshot = await connection.networkHelpers.takeSnapshot();
    await system.setEthPrice(fromWad(twap));
    const atTwap = (await module.positionRisk(user!.address, ETH_MARKET)).deleverageNotional;
    await snapshot.restore();
    // Chainlink now says 2,850 (a long gains nothing, its cap shrinks with the loss) while the TWAP says ~3,000.
    await system.setEthPrice(2_850);
    const risk = await module.positionRisk(user!.address, ETH_MARKET);
    const [quoted] = await module.deleverageQuote(user!.address, ETH_MARKET);
    expect(quoted).to.equal(risk.deleverageNotional);
    expect(risk.deleverageNotional >= atTwap).to.equal(true);
    expect(risk.source === PriceSource.StoredTwap).to.equal(risk.price === twap);
    await expect(module.connect(keeper!).deleverage(user!.address, ETH_MARKET))
      .to.emit(module, "Deleveraged")
      .withArgs(
        user!.address,
        ETH_MARKET,
        keeper!.address,
        anyValue,
        anyValue,
        risk.price,
        risk.source,
        anyValue,
        risk.cap,
        risk.binding,
        anyValue,
      );
  });

  // The TWAP shows the larger breach when the oracle moved in the position's favour.
  for (const [direction, moved, twapLarger] of [
    ["long", 2_900, false],
    ["short", 2_900, true],
    ["long", 3_100, true],
    ["short", 3_100, false],
  ] as const) {
    it(`accountStatus, positionRisk and deleverageQuote report the breach deleverage acts on, at the fresh TWAP when that is larger (${direction}, oracle ${moved} vs TWAP ~3,000)`, async () => {
      const system = await load();
      const [, user] = await ethers.getSigners();
      const module = system.ballast.riskModule;
      await system.deposit(user!, { usdc: 1_000 });
      const cap = fromWad((await module.positionRisk(user!.address, ETH_MARKET)).cap);
      await system.trade(user!, ((direction === "long" ? 1 : -1) * cap * 0.8) / 3_000);
      await spikeVolatility(system);
      const twap = (await module.depthState(ETH_MARKET)).twapPrice;
      // The TWAP's breach alone: the oracle set to the TWAP (8 decimals: within 1e-9 of the module's figure).
      const snapshot = await connection.networkHelpers.takeSnapshot();
      await system.setEthPrice(fromWad(twap));
      const atTwap = (await module.positionRisk(user!.address, ETH_MARKET)).deleverageNotional;
      await snapshot.restore();
      await system.setEthPrice(moved);

      const status = await module.accountStatus(user!.address);
      expect(status.status).to.equal(Status.OverCap);
      expect(status.worst.source).to.equal(twapLarger ? PriceSource.StoredTwap : PriceSource.Chainlink);
      expect(status.worst.price).to.equal(twapLarger ? twap : wad(moved));
      if (twapLarger) expect(Math.abs(fromWad(status.worst.deleverageNotional) / fromWad(atTwap) - 1)).to.be.lessThan(1e-9);
      else expect(status.worst.deleverageNotional > atTwap).to.equal(true);
      expect((await module.positionRisk(user!.address, ETH_MARKET)).deleverageNotional).to.equal(status.worst.deleverageNotional);
      const [quoted] = await module.deleverageQuote(user!.address, ETH_MARKET);
      expect(quoted).to.equal(status.worst.deleverageNotional);
    });
  }

  it("user reductions go through while the position is over its cap (the module is never consulted)", async () => {
    const system = await load();
    const [, user] = await ethers.getSigners();
    const size = await openAtFractionOfCap(system, user!, 1_000, 0.7);
    await spikeVolatility(system);
    expect((await system.ballast.riskModule.accountStatus(user!.address)).status).to.equal(Status.OverCap);
    await expect(system.trade(user!, -size / 10)).to.not.revert(ethers);
    await expect(system.trade(user!, -size * 0.9)).to.not.revert(ethers);
  });

  describe("rolling window (rho = 1 %)", () => {
    it("no rolling window sees more than rho * depth; the window refills as time passes", async () => {
      const system = await thinWindow.load();
      const signers = await thinWindow.connection.ethers.getSigners();
      const module = system.ballast.riskModule;
      const [keeper, ...users] = signers.slice(1, 5);
      for (const user of users) await openAtFractionOfCap(system, user!, 10_000, 0.7);
      await spikeVolatility(system);
      const [, capacity] = await module.deleverageCapacity(ETH_MARKET);
      expect(capacity > 0n).to.equal(true);
      let total = 0n;
      let exhausted = false;
      for (const user of users) {
        const [quoted] = await module.deleverageQuote(user!.address, ETH_MARKET);
        if (quoted === 0n) {
          await expect(module.connect(keeper!).deleverage(user!.address, ETH_MARKET))
            .to.be.revertedWithCustomError(module, "DeleverageWindowExhausted")
            .withArgs(ETH_MARKET, capacity);
          exhausted = true;
          continue;
        }
        const receipt = await (await module.connect(keeper!).deleverage(user!.address, ETH_MARKET)).wait();
        const event = receipt!.logs.map((l) => module.interface.parseLog(l)).find((e) => e?.name === "Deleveraged");
        total += event!.args.notional as bigint;
      }
      expect(exhausted).to.equal(true);
      expect(total <= capacity).to.equal(true);
      // Half the window later, half the bucket has drained.
      await thinWindow.connection.networkHelpers.time.increase(1_800);
      const [remaining] = await module.deleverageCapacity(ETH_MARKET);
      expect(remaining > 0n && remaining <= capacity / 4n + 1n).to.equal(true);
    });
  });
});
