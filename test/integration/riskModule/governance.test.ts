import { expect } from "chai";
import type { Result } from "ethers";

import { defaultCollateralConfig, defaultMarketConfig, wad } from "../../../scripts/lib/ballast/params.js";
import { answer, deployFeed } from "../../../scripts/lib/chainlink/feeds.js";
import { enableGreeks } from "../../../scripts/lib/options/setup.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import { openAtFractionOfCap } from "../../helpers/scenarios.js";
import { systemFixture } from "../../helpers/system.js";

const { connection, load } = await systemFixture();
const { ethers, networkHelpers } = connection;

/** `IRiskModule.ConfigField` order. */
const Field = {
  Feed: 0,
  MaxPriceAge: 1,
  Horizon: 2,
  MaintenanceMargin: 3,
  Z: 4,
  Kappa: 5,
  KappaOI: 6,
  SigmaTarget: 7,
  MaxDeviation: 8,
  TauTrigger: 9,
  TauTarget: 10,
  OiCap: 11,
  Pool: 12,
  TwapWindow: 13,
  MaxWalkSteps: 14,
  MaxSlippage: 15,
  Rho: 16,
  DeleverageWindow: 17,
  DepthMaxAge: 18,
  DepthRisePerHour: 19,
  KeeperFeeRate: 20,
  KeeperFeeMax: 21,
  Tier: 22,
  Haircut: 23,
  TierLeverage: 24,
  SequencerGrace: 25,
  Asset: 26,
  Gap: 33,
};
const Param = {
  Horizon: 0,
  MaintenanceMargin: 1,
  Z: 2,
  Kappa: 3,
  KappaOI: 4,
  SigmaTarget: 5,
  OiCapLong: 6,
  OiCapShort: 7,
  MaxSlippage: 8,
  Rho: 9,
  Gap: 10,
};

const NEW_MARKET = 2n;

/** A struct returned by a contract call, by field name. */
const asObject = (result: unknown): Record<string, unknown> => (result as Result).toObject();

describe("RiskModule governance", () => {
  async function marketBase() {
    const system = await load();
    return defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false);
  }

  it("configureMarket rejects every field outside its hard bounds with InvalidConfig naming it", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const base = await marketBase();
    const cases: [Partial<IRiskTypes.MarketConfigStruct>, number, bigint | number][] = [
      [{ feed: ethers.ZeroAddress }, Field.Feed, 0],
      [{ pool: ethers.ZeroAddress }, Field.Pool, 0],
      [{ maxPriceAge: 59 }, Field.MaxPriceAge, 59],
      [{ maxPriceAge: 2 * 86_400 + 1 }, Field.MaxPriceAge, 2 * 86_400 + 1],
      [{ horizon: 59 }, Field.Horizon, 59],
      [{ horizon: 7 * 86_400 + 1 }, Field.Horizon, 7 * 86_400 + 1],
      [{ maintenanceMargin: wad(0.0009) }, Field.MaintenanceMargin, wad(0.0009)],
      [{ maintenanceMargin: wad(0.51) }, Field.MaintenanceMargin, wad(0.51)],
      [{ z: wad(0.99) }, Field.Z, wad(0.99)],
      [{ z: wad(10.01) }, Field.Z, wad(10.01)],
      [{ kappa: 0 }, Field.Kappa, 0],
      [{ kappa: wad(1.01) }, Field.Kappa, wad(1.01)],
      [{ kappaOI: wad(0.009) }, Field.KappaOI, wad(0.009)],
      [{ kappaOI: wad(10.1) }, Field.KappaOI, wad(10.1)],
      [{ sigmaTarget: wad(0.009) }, Field.SigmaTarget, wad(0.009)],
      [{ maxDeviation: wad(0.0009) }, Field.MaxDeviation, wad(0.0009)],
      [{ tauTrigger: wad(0.51) }, Field.TauTrigger, wad(0.51)],
      [{ tauTarget: wad(0.51) }, Field.TauTarget, wad(0.51)],
      [{ oiCapLong: 0 }, Field.OiCap, 0],
      [{ oiCapShort: 10n ** 38n + 1n }, Field.OiCap, 10n ** 38n + 1n],
      [{ twapWindow: 59 }, Field.TwapWindow, 59],
      [{ maxWalkSteps: 7 }, Field.MaxWalkSteps, 7],
      [{ maxWalkSteps: 513 }, Field.MaxWalkSteps, 513],
      [{ maxSlippage: wad(0.0009) }, Field.MaxSlippage, wad(0.0009)],
      [{ maxSlippage: wad(0.21) }, Field.MaxSlippage, wad(0.21)],
      [{ rho: wad(0.009) }, Field.Rho, wad(0.009)],
      [{ deleverageWindow: 86_401 }, Field.DeleverageWindow, 86_401],
      [{ depthMaxAge: 59 }, Field.DepthMaxAge, 59],
      [{ depthRisePerHour: 0 }, Field.DepthRisePerHour, 0],
      [{ keeperFeeRate: wad(0.011) }, Field.KeeperFeeRate, wad(0.011)],
      [{ keeperFeeMax: wad(10_001) }, Field.KeeperFeeMax, wad(10_001)],
      [{ gap: wad(1.01) }, Field.Gap, wad(1.01)],
    ];
    for (const [change, field, value] of cases) {
      await expect(module.configureMarket(NEW_MARKET, { ...base, ...change }), `field ${field}`)
        .to.be.revertedWithCustomError(module, "InvalidConfig")
        .withArgs(field, value);
    }
    await expect(module.configureMarket(NEW_MARKET, base)).to.emit(module, "MarketConfigured");
  });

  it("marketConfig and collateralConfig return every field as last configured (the stored layout is not the interface's), and a parameter update keeps the others", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    // A market whose fields all differ, so that a field stored or read in another's place shows.
    const base = await marketBase();
    const distinct = {
      ...base,
      maxPriceAge: 3_900,
      horizon: 3_000,
      depthMaxAge: 3_300,
      maintenanceMargin: wad(0.055),
      z: wad(2.9),
      kappa: wad(0.07),
      kappaOI: wad(1.9),
      sigmaTarget: wad(0.8),
      maxDeviation: wad(0.021),
      tauTrigger: wad(0.06),
      tauTarget: wad(0.04),
      oiCapLong: wad(1e9),
      oiCapShort: wad(2e9),
      twapWindow: 1_700,
      maxWalkSteps: 127,
      maxSlippage: wad(0.025),
      rho: wad(0.45),
      deleverageWindow: 3_500,
      depthRisePerHour: wad(0.11),
      keeperFeeRate: wad(0.0011),
      keeperFeeMax: wad(99),
      gap: wad(0.031),
    };
    await (await module.configureMarket(NEW_MARKET, distinct)).wait();
    /** A struct's fields by name, numbers as bigints (an ethers Result, or the object it was configured with). */
    const fields = (config: object) =>
      Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : BigInt(v)]));
    const stored = asObject(await module.marketConfig(NEW_MARKET));
    expect(fields(stored)).to.deep.equal(fields(distinct));
    await (await module.updateRiskParameter(NEW_MARKET, Param.Z, wad(3))).wait();
    expect(fields(asObject(await module.marketConfig(NEW_MARKET)))).to.deep.equal(fields({ ...distinct, z: wad(3) }));
    // Every collateral the deployment configured reads back as its last CollateralConfigured event.
    const events = await module.queryFilter(module.filters.CollateralConfigured(), 0);
    const last = new Map(events.map((e) => [e.args.asset, asObject(e.args.config)]));
    expect(last.size).to.be.greaterThan(1);
    for (const [asset, config] of last) expect(fields(asObject(await module.collateralConfig(asset))), asset).to.deep.equal(fields(config));
  });

  it("configureCollateral and configureTier enforce their bounds; a collateral needs a configured tier", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const asset = await system.environment.usdc.getAddress();
    const base = defaultCollateralConfig(system.feeds.usdc.address);
    await expect(module.configureCollateral(asset, { ...base, tier: 5 }))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.Tier, 5);
    await networkHelpers.time.increase(3_601);
    await expect(module.configureCollateral(asset, { ...base, baseHaircut: wad(0.991) }))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.Haircut, wad(0.991));
    await expect(module.configureCollateral(asset, { ...base, volZ: wad(0.5), volHorizon: 3_600 }))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.Z, wad(0.5));
    await expect(module.configureCollateral(ethers.ZeroAddress, base))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.Asset, 0);
    await expect(module.configureTier(8, wad(2)))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.Tier, 8);
    await expect(module.configureTier(3, wad(0.5)))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.TierLeverage, wad(0.5));
    await expect(module.configureTier(3, wad(101)))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.TierLeverage, wad(101));
    await expect(module.configureSequencer(ethers.ZeroAddress, 86_401))
      .to.be.revertedWithCustomError(module, "InvalidConfig")
      .withArgs(Field.SequencerGrace, 86_401);
  });

  it("the risk admin changes a market at most once per CONFIG_COOLDOWN", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const base = await marketBase();
    await module.configureMarket(NEW_MARKET, base);
    const changedAt = await networkHelpers.time.latest();
    await expect(module.configureMarket(NEW_MARKET, { ...base, z: wad(2.5) }))
      .to.be.revertedWithCustomError(module, "ConfigCooldown")
      .withArgs(changedAt + 3_600);
    await networkHelpers.time.increaseTo(changedAt + 3_600);
    await expect(module.configureMarket(NEW_MARKET, { ...base, z: wad(2.5) })).to.emit(module, "MarketConfigured");
  });

  it("the risk oracle moves a parameter by at most 25 % per update, once per ORACLE_COOLDOWN, within the hard bounds", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    await expect(module.updateRiskParameter(ETH_MARKET, Param.Z, wad(3.76)))
      .to.be.revertedWithCustomError(module, "ParameterChangeTooLarge")
      .withArgs(Param.Z, wad(3), wad(3.76));
    await expect(module.updateRiskParameter(ETH_MARKET, Param.Z, wad(3.75)))
      .to.emit(module, "RiskParameterUpdated")
      .withArgs(ETH_MARKET, Param.Z, wad(3), wad(3.75));
    expect((await module.marketConfig(ETH_MARKET)).z).to.equal(wad(3.75));
    await expect(module.updateRiskParameter(ETH_MARKET, Param.Z, wad(3.5))).to.be.revertedWithCustomError(module, "ConfigCooldown");
    // Another parameter has its own cooldown; a bounded step that leaves the hard bounds is still rejected.
    await module.updateRiskParameter(ETH_MARKET, Param.MaintenanceMargin, wad(0.0625));
    await networkHelpers.time.increase(3_601);
    await expect(module.updateRiskParameter(ETH_MARKET, Param.Kappa, wad(0.0625))).to.emit(module, "RiskParameterUpdated");
    // Volatility target 0 (disabled) cannot be switched on by the oracle: any change from zero is unbounded.
    await expect(module.updateRiskParameter(ETH_MARKET, Param.SigmaTarget, wad(0.5))).to.be.revertedWithCustomError(
      module,
      "ParameterChangeTooLarge",
    );
  });

  it("the risk oracle moves a market's gap floor by at most 25 % per update; from zero only the risk admin sets it", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const base = await marketBase();
    await module.configureMarket(NEW_MARKET, { ...base, gap: 0 });
    await expect(module.updateRiskParameter(NEW_MARKET, Param.Gap, wad(0.01)))
      .to.be.revertedWithCustomError(module, "ParameterChangeTooLarge")
      .withArgs(Param.Gap, 0, wad(0.01));
    await networkHelpers.time.increase(3_601);
    // A higher gap floor tightens: it applies through the timelock.
    await module.configureMarket(NEW_MARKET, { ...base, gap: wad(0.2) });
    await networkHelpers.time.increase(86_400);
    await module.executeMarketConfig(NEW_MARKET, { ...base, gap: wad(0.2) });
    await expect(module.updateRiskParameter(NEW_MARKET, Param.Gap, wad(0.26)))
      .to.be.revertedWithCustomError(module, "ParameterChangeTooLarge")
      .withArgs(Param.Gap, wad(0.2), wad(0.26));
    await expect(module.updateRiskParameter(NEW_MARKET, Param.Gap, wad(0.25)))
      .to.emit(module, "RiskParameterUpdated")
      .withArgs(NEW_MARKET, Param.Gap, wad(0.2), wad(0.25));
    expect((await module.marketConfig(NEW_MARKET)).gap).to.equal(wad(0.25));
  });

  it("finding 1 (Medium): a tightening by the risk admin (oiCap to 1 wei, keeper fee to 1 %) does not apply before GOVERNANCE_DELAY: a position at half its cap stays within it", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const [, user, stranger] = await ethers.getSigners();
    await openAtFractionOfCap(system, user!, 10_000, 0.5);
    await networkHelpers.time.increase(3_601);
    await system.advance(1);
    const current = await module.marketConfig(ETH_MARKET);
    const capBefore = (await module.positionRisk(user!.address, ETH_MARKET)).cap;
    const base = defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false);
    const squeeze = { ...base, oiCapLong: 1n, oiCapShort: 1n, keeperFeeRate: wad(0.01) };
    const proposedAt = (await networkHelpers.time.latest()) + 1;
    await expect(module.configureMarket(ETH_MARKET, squeeze))
      .to.emit(module, "MarketConfigProposed")
      .withArgs(ETH_MARKET, anyValue, proposedAt + 86_400);
    // Nothing applied: the configuration, the cap, the deleverage quote.
    expect((await module.marketConfig(ETH_MARKET)).oiCapLong).to.equal(current.oiCapLong);
    expect((await module.positionRisk(user!.address, ETH_MARKET)).cap).to.equal(capBefore);
    expect((await module.deleverageQuote(user!.address, ETH_MARKET))[0]).to.equal(0n);
    await expect(module.connect(stranger!).deleverage(user!.address, ETH_MARKET)).to.be.revertedWithCustomError(
      module,
      "NothingToDeleverage",
    );
    await expect(module.connect(stranger!).executeMarketConfig(ETH_MARKET, squeeze))
      .to.be.revertedWithCustomError(module, "ChangeNotReady")
      .withArgs(
        ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["market", ETH_MARKET])),
        proposedAt + 86_400,
      );
    // A day later anyone executes exactly the published configuration; only then the position is over its cap.
    await networkHelpers.time.increaseTo(proposedAt + 86_400);
    await system.advance(1);
    await expect(
      module.connect(stranger!).executeMarketConfig(ETH_MARKET, { ...squeeze, keeperFeeRate: wad(0.009) }),
    ).to.be.revertedWithCustomError(module, "ChangeNotProposed");
    await expect(module.connect(stranger!).executeMarketConfig(ETH_MARKET, squeeze)).to.emit(module, "MarketConfigured");
    expect((await module.marketConfig(ETH_MARKET)).oiCapLong).to.equal(1n);
    expect((await module.deleverageQuote(user!.address, ETH_MARKET))[0] > 0n).to.equal(true);
  });

  it("a loosening applies at once; a pending tightening is replaced by a new proposal, cancelled by the risk admin or the guardian, never executed twice", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const [, guardian, stranger] = await ethers.getSigners();
    const base = await marketBase(); // (loads the fixture: first)
    await module.grantRole(await module.GUARDIAN_ROLE(), guardian!.address);
    await module.configureMarket(NEW_MARKET, base); // listing applies at once
    await networkHelpers.time.increase(3_601);
    await expect(module.configureMarket(NEW_MARKET, { ...base, z: wad(2), kappa: wad(0.1), oiCapLong: wad(2e9) })).to.emit(
      module,
      "MarketConfigured",
    );
    expect((await module.marketConfig(NEW_MARKET)).z).to.equal(wad(2));
    // One tightening field among loosening ones makes the whole change a proposal.
    await networkHelpers.time.increase(3_601);
    const key = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["market", NEW_MARKET]));
    const first = { ...base, z: wad(1.5), maintenanceMargin: wad(0.06) };
    await expect(module.configureMarket(NEW_MARKET, first)).to.emit(module, "MarketConfigProposed");
    expect((await module.marketConfig(NEW_MARKET)).z).to.equal(wad(2));
    await networkHelpers.time.increase(3_601);
    const second = { ...base, gap: wad(0.05) };
    await module.configureMarket(NEW_MARKET, second); // replaces the first and restarts the delay
    await networkHelpers.time.increase(86_400 - 3_601);
    await expect(module.executeMarketConfig(NEW_MARKET, first)).to.be.revertedWithCustomError(module, "ChangeNotProposed");
    await expect(module.connect(stranger!).cancelChange(key)).to.be.revertedWithCustomError(module, "AccessControlUnauthorizedAccount");
    await expect(module.connect(guardian!).cancelChange(key)).to.emit(module, "ChangeCancelled").withArgs(key, anyValue, guardian!.address);
    expect((await module.pendingChange(key))[1]).to.equal(0n);
    await networkHelpers.time.increase(3_601);
    await expect(module.executeMarketConfig(NEW_MARKET, second)).to.be.revertedWithCustomError(module, "ChangeNotProposed");
    // Proposed again, executed once.
    await module.configureMarket(NEW_MARKET, second);
    await networkHelpers.time.increase(86_400);
    await module.executeMarketConfig(NEW_MARKET, second);
    expect((await module.marketConfig(NEW_MARKET)).gap).to.equal(wad(0.05));
    await expect(module.executeMarketConfig(NEW_MARKET, second)).to.be.revertedWithCustomError(module, "ChangeNotProposed");
  });

  it("finding 1 (Medium): a higher haircut, a lower tier leverage or Greeks sizing switched on wait GOVERNANCE_DELAY; their reverse applies at once", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const usdc = await system.environment.usdc.getAddress();
    await networkHelpers.time.increase(3_601);
    const current = await module.collateralConfig(usdc);
    const haircut = { ...defaultCollateralConfig(system.feeds.usdc.address), baseHaircut: wad(0.5) };
    await expect(module.configureCollateral(usdc, haircut)).to.emit(module, "CollateralConfigProposed");
    expect((await module.collateralConfig(usdc)).baseHaircut).to.equal(current.baseHaircut);
    const leverage = await module.tierLeverage(0);
    await expect(module.configureTier(0, wad(2))).to.emit(module, "TierProposed");
    expect(await module.tierLeverage(0)).to.equal(leverage);
    await expect(module.configureTier(1, (await module.tierLeverage(1)) + wad(1))).to.emit(module, "TierConfigured");
    // Greeks sizing on a market with open interest waits too.
    const [, user] = await ethers.getSigners();
    await system.advance(1);
    await system.deposit(user!, { usdc: 10_000 });
    await system.trade(user!, 1);
    const greeks = { enabled: true, volShock: wad(1), buffer: wad(0.2), hedgeInterval: 600 };
    await expect(module.configureGreeks(ETH_MARKET, greeks)).to.emit(module, "GreeksConfigProposed");
    expect((await module.greeksConfig(ETH_MARKET)).enabled).to.equal(false);
    await networkHelpers.time.increase(86_400);
    await expect(module.executeCollateralConfig(usdc, haircut)).to.emit(module, "CollateralConfigured");
    await expect(module.executeTier(0, wad(2))).to.emit(module, "TierConfigured");
    expect(await module.tierLeverage(0)).to.equal(wad(2));
    expect((await module.collateralConfig(usdc)).baseHaircut).to.equal(wad(0.5));
  });

  it("invariant-suite finding: in a market with Greeks sizing a lower z, horizon or gap waits GOVERNANCE_DELAY (a narrower grid can lower a hedge's bound); without Greeks sizing a lower z applies at once", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    await networkHelpers.time.increase(3_601);
    const current = await module.marketConfig(ETH_MARKET);
    const base = Object.fromEntries(
      Object.keys(await marketBase()).map((k) => [k, current[k as keyof typeof current]]),
    ) as unknown as IRiskTypes.MarketConfigStruct;
    const lowerZ = { ...base, z: BigInt(base.z) - wad(0.5) };
    await expect(module.configureMarket(ETH_MARKET, lowerZ)).to.emit(module, "MarketConfigured");
    await enableGreeks(system);
    const withGap = { ...lowerZ, gap: wad(0.02) }; // a higher gap: a tightening anywhere
    await networkHelpers.time.increase(3_601);
    await expect(module.configureMarket(ETH_MARKET, withGap)).to.emit(module, "MarketConfigProposed");
    await networkHelpers.time.increase(86_400);
    await module.executeMarketConfig(ETH_MARKET, withGap);
    await system.advance(1);
    for (const narrower of [
      { ...withGap, z: BigInt(withGap.z) - wad(0.5) },
      { ...withGap, horizon: BigInt(withGap.horizon) / 2n },
      { ...withGap, gap: wad(0.01) },
    ]) {
      await networkHelpers.time.increase(3_601);
      await expect(module.configureMarket(ETH_MARKET, narrower)).to.emit(module, "MarketConfigProposed");
      const now = await module.marketConfig(ETH_MARKET);
      expect([now.z, now.horizon, now.gap]).to.deep.equal([BigInt(withGap.z), BigInt(withGap.horizon), BigInt(withGap.gap)]);
    }
    // Fields outside the grid keep their direction: a higher kappa still applies at once.
    await networkHelpers.time.increase(3_601);
    await expect(module.configureMarket(ETH_MARKET, { ...withGap, kappa: BigInt(withGap.kappa) * 2n })).to.emit(module, "MarketConfigured");
  });

  it("finding 7 (Info): configureMarket rejects a market whose feed the volatility oracle does not know, with FeedNotConfigured naming it", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const unknown = await deployFeed(ethers, 8, "XYZ / USD");
    await unknown.aggregator.transmit(answer(10), await networkHelpers.time.latest());
    const config = { ...(await marketBase()), feed: unknown.address };
    await expect(module.configureMarket(NEW_MARKET, config))
      .to.be.revertedWithCustomError(system.ballast.volatilityOracle, "FeedNotConfigured")
      .withArgs(unknown.address);
    await expect(module.marketConfig(NEW_MARKET)).to.be.revertedWithCustomError(module, "MarketNotListed");
  });

  it("every setter refuses callers without its role", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const [, stranger] = await ethers.getSigners();
    const asStranger = module.connect(stranger!);
    const base = await marketBase();
    const riskAdmin = await module.RISK_ADMIN_ROLE();
    const riskOracle = await module.RISK_ORACLE_ROLE();
    const guardian = await module.GUARDIAN_ROLE();
    const calls: [() => Promise<unknown>, string][] = [
      [() => asStranger.configureMarket(NEW_MARKET, base), riskAdmin],
      [() => asStranger.configureCollateral(ethers.ZeroAddress, defaultCollateralConfig(system.feeds.usdc.address)), riskAdmin],
      [() => asStranger.configureTier(3, wad(2)), riskAdmin],
      [() => asStranger.configureSequencer(ethers.ZeroAddress, 0), riskAdmin],
      [() => asStranger.updateRiskParameter(ETH_MARKET, Param.Z, wad(3.1)), riskOracle],
      [() => asStranger.pauseIncreases(), guardian],
      [() => asStranger.unpauseIncreases(), riskAdmin],
    ];
    for (const [call, role] of calls) {
      await expect(call()).to.be.revertedWithCustomError(module, "AccessControlUnauthorizedAccount").withArgs(stranger!.address, role);
    }
  });

  it("the guardian pauses increases only; the risk admin resumes them", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const [, user] = await ethers.getSigners();
    await system.deposit(user!, { usdc: 10_000 });
    await system.trade(user!, 1);
    await expect(module.pauseIncreases()).to.emit(module, "IncreasesPaused");
    await expect(system.trade(user!, 0.5)).to.be.revertedWithCustomError(module, "IncreasesArePaused");
    await expect(system.ballast.engine.connect(user!).trade(ETH_MARKET, wad(-0.5))).to.emit(system.ballast.engine, "PositionChanged");
    await expect(module.unpauseIncreases()).to.emit(module, "IncreasesResumed");
    await expect(system.trade(user!, 0.5)).to.not.revert(ethers);
  });

  it("the default admin changes hands only in two steps after the delay", async () => {
    const system = await load();
    const module = system.ballast.riskModule;
    const [, next] = await ethers.getSigners();
    await module.beginDefaultAdminTransfer(next!.address);
    await expect(module.connect(next!).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(
      module,
      "AccessControlEnforcedDefaultAdminDelay",
    );
    await networkHelpers.time.increase(2 * 86_400 + 1);
    await module.connect(next!).acceptDefaultAdminTransfer();
    expect(await module.defaultAdmin()).to.equal(next!.address);
  });
});

function anyValue(): boolean {
  return true;
}
