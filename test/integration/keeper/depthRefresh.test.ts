import { expect } from "chai";

import { moduleInterface } from "../../../scripts/keeper/abi.js";
import { refreshDue } from "../../../scripts/keeper/depthRefresher.js";
import { ETH_MARKET, keeperHarness, until } from "./harness.js";

const h = await keeperHarness();

/** `refreshDepth` calls mined from `sender` since `fromBlock`. */
async function refreshesFrom(sender: string, fromBlock: number): Promise<bigint[]> {
  const txs = await h.minedFrom(sender, fromBlock);
  return txs.flatMap((t) => {
    const parsed = t.tx.data === "0x" ? null : moduleInterface.parseTransaction({ data: t.tx.data });
    return parsed?.name === "refreshDepth" && t.status === 1 ? [parsed.args[0] as bigint] : [];
  });
}

describe("keeper depth upkeep (--refresh-depth)", () => {
  after(() => h.close());
  afterEach(() => h.stopAll());

  it("refreshDue: never refreshed, or at least the fraction of depthMaxAge old", () => {
    expect(refreshDue(0, 1_000, 3_600, 0.5)).to.equal(true);
    expect(refreshDue(1_000, 2_799, 3_600, 0.5)).to.equal(false);
    expect(refreshDue(1_000, 2_800, 3_600, 0.5)).to.equal(true);
    expect(refreshDue(1_000, 4_599, 3_600, 1)).to.equal(false);
  });

  it("refreshes a market's depth state once it is half its depthMaxAge old, once, and only when asked to", async () => {
    const system = await h.load();
    await h.openAccount(system, 0.2);
    const module = system.ballast.riskModule;
    const maxAge = Number((await module.marketConfig(ETH_MARKET)).depthMaxAge);
    const from = await h.ethers.provider.getBlockNumber();
    const off = await h.start(system);
    const on = await h.start(system, { refreshDepth: true });
    const before = (await module.depthState(ETH_MARKET)).updatedAt;
    await h.networkHelpers.time.increase(Math.ceil(maxAge / 2) + 1);
    await h.networkHelpers.mine();
    await until(async () => (await module.depthState(ETH_MARKET)).updatedAt > before, "a refreshed depth state");
    for (let i = 0; i < 3; i++) await h.networkHelpers.mine();
    const head = await h.ethers.provider.getBlockNumber();
    await until(() => on.keeper.lastBlock() >= head && off.keeper.lastBlock() >= head, "both keepers to catch up");
    expect(await refreshesFrom(on.address, from)).to.deep.equal([ETH_MARKET]);
    expect(await refreshesFrom(off.address, from)).to.deep.equal([]);
    const metrics = await (await fetch(`http://127.0.0.1:${on.keeper.metricsPort}/metrics`)).text();
    expect(metrics).to.match(/^keeper_depth_refreshes_total\{result="confirmed"\} 1$/m);
  });
});
