import { expect } from "chai";

import { wad } from "../../../scripts/lib/ballast/params.js";
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

  it("real liquidity raises the depth at most depthRisePerHour per hour; its removal lowers it at once", async () => {
    const system = await base.load();
    const module = system.ballast.riskModule;
    const { time } = system.connection.networkHelpers;
    const lp = await liquidityActor(system);
    const [lower, upper] = await rangeAround(system, 400);
    const before = (await module.depthState(ETH_MARKET)).walkDown;
    await lp.add(lower, upper, 5n * 10n ** 19n);
    await module.refreshDepth(ETH_MARKET); // the first reading only confirms
    await time.increase(1_800);
    await module.refreshDepth(ETH_MARKET);
    const risen = (await module.depthState(ETH_MARKET)).walkDown;
    // Half an hour at 10 % per hour: at most 5 % up (plus one second of the refresh's own block).
    expect(risen > before).to.equal(true);
    expect(fromWad(risen) / fromWad(before)).to.be.lessThan(1 + 0.1 * (1_802 / 3_600));
    await lp.remove(lower, upper, 5n * 10n ** 19n);
    await module.refreshDepth(ETH_MARKET);
    const dropped = await module.depthState(ETH_MARKET);
    expect(dropped.walkDown).to.equal(dropped.readDown);
    expect(dropped.walkDown <= before).to.equal(true);
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

  it("refreshDepth reverts rather than record a truncated walk (maxWalkSteps = 8)", async () => {
    const system = await tightWalk.load().catch((error: unknown) => error);
    // The fixture's own warm-up refresh cannot complete with 8 steps on a concentrated pool.
    expect(String(system)).to.contain("WalkTruncated");
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
