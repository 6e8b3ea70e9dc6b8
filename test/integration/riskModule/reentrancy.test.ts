import { expect } from "chai";

import { defaultCollateralConfig, defaultMarketConfig, wad } from "../../../scripts/lib/ballast/params.js";
import { deployRiskModuleLibraries } from "../../../scripts/lib/ballast/deploy.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import { systemFixture } from "../../helpers/system.js";

const { connection, load } = await systemFixture();
const { ethers } = connection;
const Reentry = { None: 0, Deleverage: 1, RefreshDepth: 2 };

/** A second risk module, bound to a malicious engine, sharing the system's oracles and pool. */
async function moduleForMaliciousEngine() {
  const system = await load();
  const [admin] = await ethers.getSigners();
  const engine = await ethers.deployContract("ReentrantEngine");
  const libraries = await deployRiskModuleLibraries(connection);
  const module = await ethers.deployContract(
    "RiskModule",
    [await engine.getAddress(), await system.ballast.volatilityOracle.getAddress(), 0, admin!.address],
    { libraries },
  );
  await module.grantRole(await module.RISK_ADMIN_ROLE(), admin!.address);
  await module.configureTier(0, wad(20));
  const usdc = await system.environment.usdc.getAddress();
  await module.configureCollateral(usdc, defaultCollateralConfig(system.feeds.usdc.address));
  await module.configureMarket(ETH_MARKET, defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false));
  await module.refreshDepth(ETH_MARKET);
  await module.refreshDepth(ETH_MARKET);
  // 1,000 USDC behind a 10 ETH long: far over any cap.
  await engine.setAccount({ asset: usdc, amount: 1_000_000_000n }, { market: ETH_MARKET, size: wad(10), entryPrice: wad(3_000) });
  return { system, engine, module };
}

describe("RiskModule reentrancy", () => {
  it("a malicious engine re-entering deleverage from reducePosition makes the whole deleverage revert", async () => {
    const { engine, module } = await moduleForMaliciousEngine();
    const [, victim] = await ethers.getSigners();
    await engine.setModule(await module.getAddress(), Reentry.Deleverage);
    await expect(module.deleverage(victim!.address, ETH_MARKET)).to.be.revertedWithCustomError(module, "ReentrancyGuardReentrantCall");
    // Without re-entry the same deleverage goes through: the guard, not the breach, stopped it.
    await engine.setModule(await module.getAddress(), Reentry.None);
    await expect(module.deleverage(victim!.address, ETH_MARKET)).to.emit(module, "Deleveraged");
  });

  it("a malicious engine cannot re-enter refreshDepth during a deleverage", async () => {
    const { engine, module } = await moduleForMaliciousEngine();
    const [, victim] = await ethers.getSigners();
    await engine.setModule(await module.getAddress(), Reentry.RefreshDepth);
    await expect(module.deleverage(victim!.address, ETH_MARKET)).to.be.revertedWithCustomError(module, "ReentrancyGuardReentrantCall");
  });

  it("a token re-entering the engine during a deposit cannot trade around the module's check", async () => {
    const system = await load();
    const { engine } = system.ballast;
    const [owner] = await ethers.getSigners();
    const token = await ethers.deployContract("ReentrantToken", [await engine.getAddress(), ETH_MARKET]);
    await engine.connect(owner!).listCollateral(await token.getAddress(), { feed: system.feeds.usdc.address });
    await token.approve(await engine.getAddress(), wad(1));
    await expect(engine.deposit(await token.getAddress(), wad(1))).to.be.revertedWithCustomError(engine, "ReentrancyGuardReentrantCall");
  });
});
