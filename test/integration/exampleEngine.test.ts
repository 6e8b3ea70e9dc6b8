import { expect } from "chai";
import type { Signer } from "ethers";
import { network } from "hardhat";

import { deployRiskModuleLibraries } from "../../scripts/lib/ballast/deploy.js";
import { defaultCollateralConfig, defaultMarketConfig, wad } from "../../scripts/lib/ballast/params.js";
import { deploySystem, ETH_MARKET } from "../../scripts/lib/system.js";
import { fundToken } from "../../scripts/lib/uniswap/tokens.js";
import { fromWad } from "../helpers/numbers.js";
import { spikeVolatility } from "../helpers/scenarios.js";

/**
 * The example engine of docs/INTEGRATION.md (`contracts/examples/ExampleMarginEngine.sol`) with its own risk module,
 * on the replica: the module shares the system's volatility oracle, feeds and USDC/WETH pool. Each step of the guide
 * is one test here.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const Status = { Healthy: 0n, OverCap: 1n };

async function deployExample() {
  const system = await deploySystem(connection);
  const [admin] = await ethers.getSigners();
  const usdc = await system.environment.usdc.getAddress();
  // Step 1: deploy the engine, then Ballast's module bound to it (its logic libraries linked).
  const engine = await ethers.deployContract("ExampleMarginEngine", [admin!.address, usdc]);
  const libraries = await deployRiskModuleLibraries(connection);
  const module = await ethers.deployContract(
    "RiskModule",
    [await engine.getAddress(), await system.ballast.volatilityOracle.getAddress(), 0, admin!.address],
    { libraries },
  );
  // Step 2: the risk admin lists the collateral and the market (the same maintenance margin as the engine's).
  await module.grantRole(await module.RISK_ADMIN_ROLE(), admin!.address);
  await module.grantRole(await module.GUARDIAN_ROLE(), admin!.address);
  await module.configureTier(0, wad(20));
  await module.configureCollateral(usdc, defaultCollateralConfig(system.feeds.usdc.address));
  await module.configureMarket(ETH_MARKET, defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false));
  await module.refreshDepth(ETH_MARKET);
  await module.refreshDepth(ETH_MARKET);
  // Step 3: the engine lists the market and binds the module, once.
  await engine.listMarket(ETH_MARKET, system.feeds.eth.address, wad(0.05));
  await engine.setRiskModule(await module.getAddress());
  return { system, engine, module, usdc };
}

const load = () => networkHelpers.loadFixture(deployExample);

async function deposit(example: Awaited<ReturnType<typeof deployExample>>, user: Signer, usdc: number): Promise<bigint> {
  const units = BigInt(usdc) * 10n ** 6n;
  await fundToken(connection, example.usdc, await user.getAddress(), units);
  const token = await ethers.getContractAt("TestToken", example.usdc, user);
  await (await token.approve(await example.engine.getAddress(), units)).wait();
  await (await example.engine.connect(user).deposit(units)).wait();
  return units;
}

/** Opens a long of `fraction` of the account's cap for a new position; returns its size (WAD). */
async function openAtFractionOfCap(example: Awaited<ReturnType<typeof deployExample>>, user: Signer, fraction: number) {
  const risk = await example.module.positionRisk(await user.getAddress(), ETH_MARKET);
  const size = wad((fromWad(risk.cap) * fraction) / 3_000);
  await (await example.engine.connect(user).trade(ETH_MARKET, size)).wait();
  return size;
}

describe("ExampleMarginEngine with Ballast (docs/INTEGRATION.md)", () => {
  it("an increase within the cap opens; an increase above it reverts with the module's CapExceeded and is undone", async () => {
    const example = await load();
    const [, alice] = await ethers.getSigners();
    await deposit(example, alice!, 1_000);
    const size = await openAtFractionOfCap(example, alice!, 0.5);
    expect((await example.engine.position(alice!.address, ETH_MARKET)).size).to.equal(size);
    const cap = (await example.module.positionRisk(alice!.address, ETH_MARKET)).cap;
    await expect(example.engine.connect(alice!).trade(ETH_MARKET, size * 2n)).to.be.revertedWithCustomError(example.module, "CapExceeded");
    expect((await example.engine.position(alice!.address, ETH_MARKET)).size).to.equal(size);
    expect(cap > 0n).to.equal(true);
  });

  it("a withdrawal that would break the account rule reverts with the module's error; a small one goes through", async () => {
    const example = await load();
    const [, alice] = await ethers.getSigners();
    const units = await deposit(example, alice!, 1_000);
    await openAtFractionOfCap(example, alice!, 0.8);
    await expect(example.engine.connect(alice!).withdraw((units * 9n) / 10n)).to.be.revertedWithCustomError(example.module, "CapExceeded");
    await expect(example.engine.connect(alice!).withdraw(units / 100n)).to.emit(example.engine, "Withdrawn");
  });

  it("reductions and closes go through while the guardian pauses increases, which the module then refuses", async () => {
    const example = await load();
    const [, alice] = await ethers.getSigners();
    await deposit(example, alice!, 1_000);
    const size = await openAtFractionOfCap(example, alice!, 0.5);
    await example.module.pauseIncreases();
    await expect(example.engine.connect(alice!).trade(ETH_MARKET, size / 10n)).to.be.revertedWithCustomError(
      example.module,
      "IncreasesArePaused",
    );
    await expect(example.engine.connect(alice!).trade(ETH_MARKET, -size / 2n)).to.emit(example.engine, "PositionChanged");
    await expect(example.engine.connect(alice!).trade(ETH_MARKET, -(size - size / 2n)))
      .to.emit(example.engine, "PositionChanged")
      .withArgs(alice!.address, ETH_MARKET, size - size / 2n, 0n, wad(3_000), 0n);
  });

  it("after a volatility spike a keeper's deleverage reduces the position through reducePosition and is paid its fee", async () => {
    const example = await load();
    const [, alice, keeper] = await ethers.getSigners();
    await deposit(example, alice!, 1_000);
    const size = await openAtFractionOfCap(example, alice!, 0.7);
    await spikeVolatility(example.system);
    expect((await example.module.accountStatus(alice!.address)).status).to.equal(Status.OverCap);
    const [, sizeDelta, fee] = await example.module.deleverageQuote(alice!.address, ETH_MARKET);
    expect(sizeDelta > 0n && fee > 0n).to.equal(true);
    await expect(example.module.connect(keeper!).deleverage(alice!.address, ETH_MARKET))
      .to.emit(example.engine, "KeeperPaid")
      .withArgs(alice!.address, keeper!.address, fee)
      .and.to.emit(example.engine, "PositionChanged")
      .withArgs(alice!.address, ETH_MARKET, size, size - sizeDelta, wad(3_000), 0n);
    expect((await example.engine.accountSnapshot(keeper!.address)).adjustments).to.equal(fee);
    expect((await example.module.accountStatus(alice!.address)).status).to.equal(Status.Healthy);
    await expect(example.engine.connect(keeper!).reducePosition(alice!.address, ETH_MARKET, 1n, keeper!.address, 0n))
      .to.be.revertedWithCustomError(example.engine, "NotRiskModule")
      .withArgs(keeper!.address);
  });

  it("a liquidation closes every position of an account below maintenance without consulting the module", async () => {
    const example = await load();
    const [, alice, bob] = await ethers.getSigners();
    await deposit(example, alice!, 1_000);
    const size = await openAtFractionOfCap(example, alice!, 0.95);
    await expect(example.engine.connect(bob!).liquidate(alice!.address)).to.be.revertedWithCustomError(example.engine, "NotLiquidatable");
    await example.module.pauseIncreases(); // the module's state does not matter to a liquidation
    const [equity] = await example.engine.margin(alice!.address);
    // The price at which the long's loss leaves less than 5 % maintenance: well below it.
    const crash = 3_000 - (fromWad(equity) / fromWad(size)) * 0.98;
    await example.system.setEthPrice(crash);
    await expect(example.engine.connect(bob!).liquidate(alice!.address))
      .to.emit(example.engine, "Liquidated")
      .and.to.emit(example.engine, "PositionChanged");
    expect((await example.engine.accountSnapshot(alice!.address)).positions).to.have.length(0);
  });
});
