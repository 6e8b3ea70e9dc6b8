import { expect } from "chai";
import { network } from "hardhat";

import { ballastForEngine } from "../../deploy/lib/ballastForEngine.js";
import { deploymentFromJson, readDeploymentFile } from "../../scripts/lib/ballast/deploymentFile.js";
import { defaultMarketConfig, wad } from "../../scripts/lib/ballast/params.js";
import { deploySystem, ETH_MARKET } from "../../scripts/lib/system.js";
import { fundToken } from "../../scripts/lib/uniswap/tokens.js";

/**
 * Deploying Ballast next to an existing engine with the Ignition modules `deploy/modules/BallastForEngine.ts` and
 * `BallastForEngineWithOracle.ts` (built here from the same builder, `deploy/lib/ballastForEngine.ts`, with a markets
 * file pointing at the replica's feeds and pool). The existing engine is the example engine.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function deployEngine() {
  const system = await deploySystem(connection);
  const [deployer] = await ethers.getSigners();
  const usdc = await system.environment.usdc.getAddress();
  const engine = await ethers.deployContract("ExampleMarginEngine", [deployer!.address, usdc]);
  await engine.listMarket(ETH_MARKET, system.feeds.eth.address, wad(0.05));
  const markets = deploymentFromJson({
    tiers: [{ tier: 0, maxLeverage: "20" }],
    collaterals: [{ asset: usdc, feed: system.feeds.usdc.address, baseHaircut: "0.02" }],
    markets: [
      {
        id: 1,
        feed: system.feeds.eth.address,
        pool: await system.pool.getAddress(),
        baseIsToken0: false,
        maintenanceMargin: "0.05",
        z: "3.5",
      },
    ],
    feeds: [{ feed: system.feeds.eth.address, tauUp: 1800 }, { feed: system.feeds.usdc.address }],
  });
  return { system, engine, usdc, markets };
}

const load = () => networkHelpers.loadFixture(deployEngine);

describe("Ballast next to an existing engine (Ignition: BallastForEngine)", () => {
  it("with the existing volatility oracle: libraries linked, the file's tier, collateral and market listed, roles handed over, the admin transfer begun; the engine binds the module and its increases are validated", async () => {
    const { system, engine, usdc, markets } = await load();
    const [deployer, , , , admin, riskAdmin, guardian, riskOracle, trader] = await ethers.getSigners();
    const { riskModule, riskLens, upkeep, volatilityOracle } = await connection.ignition.deploy(
      ballastForEngine(markets, { newOracle: false }),
      {
        parameters: {
          BallastForEngine: {
            engine: await engine.getAddress(),
            volatilityOracle: await system.ballast.volatilityOracle.getAddress(),
            admin: admin!.address,
            adminDelay: 3_600,
            riskAdmin: riskAdmin!.address,
            guardian: guardian!.address,
            riskOracle: riskOracle!.address,
            upkeepPageSize: 25,
          },
        },
      },
    );
    const module = await ethers.getContractAt("RiskModule", await riskModule.getAddress());
    expect(await module.engine()).to.equal(await engine.getAddress());
    expect(await volatilityOracle.getAddress()).to.equal(await system.ballast.volatilityOracle.getAddress());
    const expected = defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false, { z: wad(3.5) });
    const listed = await module.marketConfig(ETH_MARKET);
    expect(listed.z).to.equal(expected.z);
    expect(listed.maintenanceMargin).to.equal(wad(0.05));
    expect(listed.kappa).to.equal(expected.kappa);
    expect((await module.collateralConfig(usdc)).baseHaircut).to.equal(wad(0.02));
    expect(await module.tierLeverage(0)).to.equal(wad(20));
    for (const [role, holder] of [
      [await module.RISK_ADMIN_ROLE(), riskAdmin!],
      [await module.GUARDIAN_ROLE(), guardian!],
      [await module.RISK_ORACLE_ROLE(), riskOracle!],
    ] as const) {
      expect(await module.hasRole(role, holder.address)).to.equal(true);
      expect(await module.hasRole(role, deployer!.address)).to.equal(false);
    }
    expect((await module.pendingDefaultAdmin())[0]).to.equal(admin!.address);
    const hosted = await ethers.getContractAt("BallastUpkeep", await upkeep.getAddress());
    expect(await hosted.pageSize()).to.equal(25n);
    expect(await hosted.lens()).to.equal(await riskLens.getAddress());

    // The engine's own binding, the depth warm-up, then a trade the module validates.
    await engine.setRiskModule(await module.getAddress());
    await module.refreshDepth(ETH_MARKET);
    await module.refreshDepth(ETH_MARKET);
    await fundToken(connection, usdc, trader!.address, 1_000_000_000n);
    await (await (await ethers.getContractAt("TestToken", usdc, trader)).approve(await engine.getAddress(), 1_000_000_000n)).wait();
    await (await engine.connect(trader!).deposit(1_000_000_000n)).wait();
    await expect(engine.connect(trader!).trade(ETH_MARKET, wad(0.1))).to.emit(engine, "PositionChanged");
    await expect(engine.connect(trader!).trade(ETH_MARKET, wad(100))).to.be.revertedWithCustomError(module, "CapExceeded");
  });

  it("with a new volatility oracle: the file's feeds are configured in it and its roles are handed over too", async () => {
    const { system, engine, markets } = await load();
    const [deployer, , , , admin, riskAdmin] = await ethers.getSigners();
    const { riskModule, volatilityOracle } = await connection.ignition.deploy(ballastForEngine(markets, { newOracle: true }), {
      parameters: {
        BallastForEngineWithOracle: { engine: await engine.getAddress(), admin: admin!.address, riskAdmin: riskAdmin!.address },
      },
    });
    const oracle = await ethers.getContractAt("VolatilityOracle", await volatilityOracle.getAddress());
    expect(await oracle.getAddress()).to.not.equal(await system.ballast.volatilityOracle.getAddress());
    expect(await (await ethers.getContractAt("RiskModule", await riskModule.getAddress())).volatilityOracle()).to.equal(
      await oracle.getAddress(),
    );
    expect((await oracle.feedConfig(system.feeds.eth.address)).tauUp).to.equal(1_800n);
    expect((await oracle.feedConfig(system.feeds.usdc.address)).tauDown).to.equal(86_400n);
    const role = await oracle.RISK_ADMIN_ROLE();
    expect(await oracle.hasRole(role, riskAdmin!.address)).to.equal(true);
    expect(await oracle.hasRole(role, deployer!.address)).to.equal(false);
    expect((await oracle.pendingDefaultAdmin())[0]).to.equal(admin!.address);
  });

  it("the markets file: defaults fill what it leaves out, every bad field is named, and the shipped mainnet example parses", () => {
    const parsed = readDeploymentFile("deploy/integrator/mainnet.markets.json");
    expect(parsed.markets.map((m) => m.id)).to.deep.equal([1]);
    expect(parsed.markets[0]!.config.horizon).to.equal(3_600);
    expect(parsed.collaterals[1]!.config.volZ).to.equal(wad(3));
    expect(parsed.feeds).to.have.length(2);
    const problems = (json: unknown): string => {
      try {
        deploymentFromJson(json);
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    const bad = problems({ collaterals: [{ asset: "0x12", feed: "0x0000000000000000000000000000000000000001" }], markets: [], typo: 1 });
    expect(bad).to.match(/collaterals\.0\.asset: an address/);
    expect(bad).to.match(/typo/);
    const market = {
      id: 1,
      feed: "0x0000000000000000000000000000000000000001",
      pool: "0x0000000000000000000000000000000000000002",
      baseIsToken0: false,
    };
    expect(problems({ collaterals: [], markets: [{ ...market, maintenanceMargin: 0.05 }] })).to.match(/markets\.0\.maintenanceMargin/);
    expect(
      problems({
        collaterals: [],
        markets: [
          { ...market, maintenanceMargin: "0.05" },
          { ...market, maintenanceMargin: "0.05" },
        ],
      }),
    ).to.match(/listed twice/);
  });
});
