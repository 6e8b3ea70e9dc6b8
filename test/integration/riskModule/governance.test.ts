import { expect } from "chai";

import { defaultCollateralConfig, defaultMarketConfig, wad } from "../../../scripts/lib/ballast/params.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
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
    await expect(module.configureMarket(NEW_MARKET, { ...base, z: wad(4) }))
      .to.be.revertedWithCustomError(module, "ConfigCooldown")
      .withArgs(changedAt + 3_600);
    await networkHelpers.time.increaseTo(changedAt + 3_600);
    await expect(module.configureMarket(NEW_MARKET, { ...base, z: wad(4) })).to.emit(module, "MarketConfigured");
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
    await module.configureMarket(NEW_MARKET, { ...base, gap: wad(0.2) });
    await expect(module.updateRiskParameter(NEW_MARKET, Param.Gap, wad(0.26)))
      .to.be.revertedWithCustomError(module, "ParameterChangeTooLarge")
      .withArgs(Param.Gap, wad(0.2), wad(0.26));
    await expect(module.updateRiskParameter(NEW_MARKET, Param.Gap, wad(0.25)))
      .to.emit(module, "RiskParameterUpdated")
      .withArgs(NEW_MARKET, Param.Gap, wad(0.2), wad(0.25));
    expect((await module.marketConfig(NEW_MARKET)).gap).to.equal(wad(0.25));
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
