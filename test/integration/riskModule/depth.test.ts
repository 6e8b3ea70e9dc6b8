import { expect } from "chai";

import { defaultMarketConfig, wad } from "../../../scripts/lib/ballast/params.js";
import { ETH_MARKET } from "../../../scripts/lib/system.js";
import { exactDepth, fundToken, type ProfileKind, readSlot0 } from "../../../scripts/lib/uniswap/index.js";
import type { PoolManipulator } from "../../../typechain-types/index.js";
import { fromWad } from "../../helpers/numbers.js";
import { systemFixture } from "../../helpers/system.js";

/** USDC has 6 decimals: raw pool amounts to WAD USD. */
const USDC_TO_WAD = 10n ** 12n;
const SLIPPAGE = 0.02;

const kinds: ProfileKind[] = ["concentrated", "wide", "gapped", "one-sided"];
const byKind = new Map(await Promise.all(kinds.map(async (kind) => [kind, await systemFixture({ profile: kind })] as const)));
const base = byKind.get("concentrated")!;
const tightWalk = await systemFixture({ market: { maxWalkSteps: 8 } });

/** An LP/attacker contract holding plenty of both tokens. */
async function liquidityActor(system: Awaited<ReturnType<typeof base.load>>): Promise<PoolManipulator> {
  const { ethers } = system.connection;
  const actor = await ethers.deployContract("PoolManipulator", [
    await system.pool.getAddress(),
    await system.ballast.riskModule.getAddress(),
  ]);
  const address = await actor.getAddress();
  await fundToken(system.connection, await system.environment.usdc.getAddress(), address, 10n ** 15n);
  await fundToken(system.connection, await system.environment.weth.getAddress(), address, 10n ** 24n);
  return actor;
}

/** A range of `width` ticks (multiples of the pool's spacing 10) centred on the current tick. */
async function rangeAround(system: Awaited<ReturnType<typeof base.load>>, width: number): Promise<[number, number]> {
  const { tick } = await readSlot0(system.pool);
  const centre = Math.floor(tick / 10) * 10;
  return [centre - width / 2, centre + width / 2];
}

describe("RiskModule depth from the Uniswap V3 pool", () => {
  for (const kind of kinds) {
    it(`the depth state never exceeds what an actual swap to the slippage bound achieves (${kind} profile)`, async () => {
      const { connection, load } = byKind.get(kind)!;
      const system = await load();
      const state = await system.ballast.riskModule.depthState(ETH_MARKET);
      const exact = await exactDepth(connection, system.environment, system.pool, { baseIsToken0: false, slippage: SLIPPAGE });
      const exactDown = exact.down * USDC_TO_WAD;
      const exactUp = exact.up * USDC_TO_WAD;
      expect(state.down <= exactDown, `down ${state.down} > exact ${exactDown}`).to.equal(true);
      expect(state.up <= exactUp, `up ${state.up} > exact ${exactUp}`).to.equal(true);
      // And it is not vacuous: the walk tracks the swap closely where there is liquidity.
      if (exactDown > 0n) expect(fromWad(state.readDown) / fromWad(exactDown)).to.be.greaterThan(0.97);
      if (exactUp > 0n) expect(fromWad(state.readUp) / fromWad(exactUp)).to.be.greaterThan(0.97);
    });
  }

  it("on a concentrated pool the constant-L estimate from the TWAP liquidity overstates depth, and the walk binds", async () => {
    const system = await base.load();
    const receipt = await (await system.ballast.riskModule.refreshDepth(ETH_MARKET)).wait();
    const event = receipt!.logs.map((l) => system.ballast.riskModule.interface.parseLog(l)).find((e) => e?.name === "DepthRefreshed");
    const state = await system.ballast.riskModule.depthState(ETH_MARKET);
    // The state equals the walk (smaller), so the constant-L estimate was larger.
    expect(state.down).to.equal(state.walkDown);
    expect(event!.args.down).to.equal(state.down);
    const { liquidity } = { liquidity: BigInt(await system.pool.getFunction("liquidity")()) };
    // Constant-L at the active liquidity for a 2 % move: L * g * (1 - sqrt(0.98)), g = sqrt(3000e6 / 1e18).
    const constantL = (Number(liquidity) * Math.sqrt(3_000e-12) * (1 - Math.sqrt(1 - SLIPPAGE))) / 1e6;
    expect(constantL).to.be.greaterThan(fromWad(state.down) * 1.2);
  });

  it("liquidity added and removed inside one transaction cannot raise the depth or any cap", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const [, user] = await system.connection.ethers.getSigners();
    await system.deposit(user!, { usdc: 5_000_000 });
    const capBefore = (await module.positionRisk(user!.address, ETH_MARKET)).cap;
    const stateBefore = await module.depthState(ETH_MARKET);
    const attacker = await liquidityActor(system);
    const [lower, upper] = await rangeAround(system, 400);
    await system.connection.networkHelpers.time.increase(3_600); // a rise would be allowed by time alone
    await attacker.flashLiquidity(ETH_MARKET, lower, upper, 10n ** 21n);
    const stateAfter = await module.depthState(ETH_MARKET);
    expect(stateAfter.readDown > stateBefore.readDown * 10n).to.equal(true); // the flash reading was huge
    expect(stateAfter.down).to.equal(stateBefore.down);
    expect(stateAfter.up).to.equal(stateBefore.up);
    expect((await module.positionRisk(user!.address, ETH_MARKET)).cap).to.equal(capBefore);
    // The next honest refresh is confirmed against the flash reading: it cannot raise the state either.
    await module.refreshDepth(ETH_MARKET);
    expect((await module.depthState(ETH_MARKET)).down <= stateBefore.down).to.equal(true);
  });

  it("real liquidity raises the depth at most depthRisePerHour per hour once it stayed a whole confirmation period; its removal lowers it at once", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const { time } = system.connection.networkHelpers;
    const lp = await liquidityActor(system);
    const [lower, upper] = await rangeAround(system, 400);
    const before = (await module.depthState(ETH_MARKET)).walkDown;
    await lp.add(lower, upper, 5n * 10n ** 19n);
    const addedAt = await time.latest();
    // Refreshes every ten minutes for an hour: the rise waits for a period whose every reading saw the liquidity.
    const walks: bigint[] = [];
    for (let i = 0; i <= 6; i++) {
      await module.refreshDepth(ETH_MARKET);
      walks.push((await module.depthState(ETH_MARKET)).walkDown);
      if (i < 6) await time.increase(600);
    }
    const risen = walks.at(-1)!;
    expect(walks[0]).to.equal(before); // not at once
    expect(risen > before).to.equal(true);
    const hours = ((await time.latest()) - addedAt + 1) / 3_600;
    expect(fromWad(risen) / fromWad(before)).to.be.lessThan(1 + 0.1 * hours);
    await lp.remove(lower, upper, 5n * 10n ** 19n);
    await module.refreshDepth(ETH_MARKET);
    const dropped = await module.depthState(ETH_MARKET);
    expect(dropped.walkDown).to.equal(dropped.readDown);
    expect(dropped.walkDown <= before).to.equal(true);
  });

  it("finding 3 (Low): liquidity that does not stay cannot raise the depth: mint-refresh-burn transactions in different blocks between the keeper's refreshes never raise it", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const { time } = system.connection.networkHelpers;
    const attacker = await liquidityActor(system);
    const [lower, upper] = await rangeAround(system, 400);
    await module.refreshDepth(ETH_MARKET);
    const { walkDown: honest, walkUp: honestUp } = await module.depthState(ETH_MARKET);
    // Forty minutes: the keeper refreshes every five; right after each, and four minutes later, the attacker
    // mints, refreshes and burns in one transaction (two readings in different blocks that agree).
    for (let i = 0; i < 8; i++) {
      await attacker.flashLiquidity(ETH_MARKET, lower, upper, 10n ** 20n);
      await time.increase(240);
      await attacker.flashLiquidity(ETH_MARKET, lower, upper, 10n ** 20n);
      const state = await module.depthState(ETH_MARKET);
      expect(state.walkDown <= honest, `step ${i}: walk ${state.walkDown} > honest ${honest}`).to.equal(true);
      expect(state.walkUp <= honestUp, `step ${i}: walk up ${state.walkUp} > honest ${honestUp}`).to.equal(true);
      await time.increase(60);
      await module.refreshDepth(ETH_MARKET); // the keeper, without the attacker's liquidity
    }
    expect((await module.depthState(ETH_MARKET)).walkDown).to.equal(honest);
  });

  it("finding 3 (Low): a new market's first readings are bounded by the constant-L estimate of the time-weighted liquidity, even with liquidity minted for them", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const attacker = await liquidityActor(system);
    const [lower, upper] = await rangeAround(system, 400);
    const NEW_MARKET = 9n;
    await module.configureMarket(NEW_MARKET, defaultMarketConfig(system.feeds.eth.address, await system.pool.getAddress(), false));
    expect((await module.depthState(NEW_MARKET)).walkDown).to.equal(0n);
    // Two mint-refresh-burn transactions in two blocks: before, the second took the first as its confirmation.
    await attacker.flashLiquidity(NEW_MARKET, lower, upper, 10n ** 21n);
    await attacker.flashLiquidity(NEW_MARKET, lower, upper, 10n ** 21n);
    const state = await module.depthState(NEW_MARKET);
    const honest = await module.depthState(ETH_MARKET);
    expect(state.readDown > honest.readDown * 10n).to.equal(true); // the readings were inflated
    // The walk state is at most the constant-L estimate (so it equals the depth used), far below the readings.
    expect(state.walkDown).to.equal(state.down);
    expect(state.walkUp).to.equal(state.up);
    expect(state.walkDown * 5n < state.readDown).to.equal(true);
  });

  it("a swap that pushes the spot price 10 % away inside the refresh's transaction does not change the reading", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const attacker = await liquidityActor(system);
    await module.refreshDepth(ETH_MARKET);
    const honest = await module.depthState(ETH_MARKET);
    const { sqrtPriceX96 } = await readSlot0(system.pool);
    // WETH is token1: pushing the ETH price down 10 % raises sqrtPrice by 1/sqrt(0.9); swap token1 in.
    const limit = (sqrtPriceX96 * 10_541n) / 10_000n;
    await attacker.flashSwap(ETH_MARKET, false, limit);
    const manipulated = await module.depthState(ETH_MARKET);
    expect(manipulated.readDown).to.equal(honest.readDown);
    expect(manipulated.readUp).to.equal(honest.readUp);
    expect(manipulated.down).to.equal(honest.down);
    expect(manipulated.twapPrice).to.equal(honest.twapPrice);
  });

  it("finding 4 (Low): dust ticks cannot freeze the depth refresh: with maxWalkSteps = 8 a truncated walk yields the depth reached so far, below the full walk, and increases go on", async () => {
    // Before, the fixture's own warm-up refresh reverted WalkTruncated on a concentrated pool with 8 steps.
    const system = await tightWalk.load();
    const module = system.ballast.riskModule;
    const truncated = await module.depthState(ETH_MARKET);
    const full = await (await base.load()).ballast.riskModule.depthState(ETH_MARKET);
    expect(truncated.readDown > 0n && truncated.readUp > 0n).to.equal(true);
    expect(truncated.readDown < full.readDown).to.equal(true);
    expect(truncated.readUp <= full.readUp).to.equal(true);
    expect(truncated.down <= full.down && truncated.up <= full.up).to.equal(true);
    // Refreshes keep the state fresh, and an increase within the (smaller) cap passes.
    const [, user] = await system.connection.ethers.getSigners();
    await system.advance(3_000);
    expect((await module.depthState(ETH_MARKET)).updatedAt).to.equal(BigInt(await system.connection.networkHelpers.time.latest()));
    await system.deposit(user!, { usdc: 10_000 });
    await expect(system.trade(user!, 0.5)).to.not.revert(system.connection.ethers);
  });

  it("increases fail closed once the depth state is older than depthMaxAge", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const [, user] = await system.connection.ethers.getSigners();
    await system.deposit(user!, { usdc: 10_000 });
    const updatedAt = (await module.depthState(ETH_MARKET)).updatedAt;
    await system.connection.networkHelpers.time.increase(3_601);
    await system.setEthPrice(3_000);
    await system.ballast.volatilityOracle.poke(system.feeds.eth.address);
    await expect(system.trade(user!, 1)).to.be.revertedWithCustomError(module, "DepthStale").withArgs(ETH_MARKET, updatedAt);
    await module.refreshDepth(ETH_MARKET);
    await expect(system.trade(user!, 1)).to.not.revert(system.connection.ethers);
  });

  it("a deleverage window's capacity follows the depth: rho * min(down, up)", async () => {
    const system = await base.load();
    const state = await system.ballast.riskModule.depthState(ETH_MARKET);
    const [remaining, capacity] = await system.ballast.riskModule.deleverageCapacity(ETH_MARKET);
    const thinner = state.down < state.up ? state.down : state.up;
    expect(capacity).to.equal((thinner * wad(0.5)) / wad(1));
    expect(remaining).to.equal(capacity / 2n);
  });
});
