import { expect } from "chai";
import type { Signer } from "ethers";

import { ETH_MARKET } from "../../scripts/lib/system.js";
import { openAtFractionOfCap, spikeVolatility } from "../helpers/scenarios.js";
import { systemFixture } from "../helpers/system.js";

/**
 * The hosted automation (`contracts/periphery/BallastUpkeep.sol`) on the replica: Chainlink Automation's
 * `checkUpkeep`/`performUpkeep` and Gelato's `checker` over accounts of the reference engine, judged by the real module.
 */
const { connection, load } = await systemFixture();
const { ethers } = connection;
const Status = { Healthy: 0n, OverCap: 1n };
const ACCOUNTS = 6;

async function withUpkeep(pageSize = 20, maxDeleverages = 4) {
  const system = await load();
  const signers = (await ethers.getSigners()).slice(1, 1 + ACCOUNTS);
  for (const [i, user] of signers.entries()) await openAtFractionOfCap(system, user, 1_000 + 250 * i, 0.7 + 0.04 * i);
  const upkeep = await ethers.deployContract("BallastUpkeep", [
    await system.ballast.riskModule.getAddress(),
    await system.ballast.riskLens.getAddress(),
    pageSize,
    maxDeleverages,
  ]);
  await (await upkeep.track(await Promise.all(signers.map((s) => s.getAddress())))).wait();
  return { system, upkeep, users: signers as Signer[] };
}

const decode = (performData: string) => ethers.AbiCoder.defaultAbiCoder().decode(["address[]", "uint256[]"], performData);

describe("BallastUpkeep (Chainlink Automation and Gelato)", () => {
  it("on a healthy book checkUpkeep and checker answer no work, and a performUpkeep forced with healthy accounts changes nothing", async () => {
    const { system, upkeep, users } = await withUpkeep();
    expect(await upkeep.trackedCount()).to.equal(BigInt(ACCOUNTS));
    const [needed, performData] = await upkeep.checkUpkeep("0x");
    expect(needed).to.equal(false);
    expect(decode(performData)[0]).to.deep.equal([]);
    const [canExec] = await upkeep.checker();
    expect(canExec).to.equal(false);

    const victim = await users[0]!.getAddress();
    const before = await system.ballast.engine.position(victim, ETH_MARKET);
    const forged = ethers.AbiCoder.defaultAbiCoder().encode(["address[]", "uint256[]"], [[victim], [ETH_MARKET]]);
    const tx = upkeep.performUpkeep(forged);
    await expect(tx).to.emit(upkeep, "DeleverageSkipped").and.to.emit(upkeep, "UpkeepPerformed").withArgs(1n, 0n);
    await expect(tx).to.not.emit(system.ballast.riskModule, "Deleveraged");
    expect((await system.ballast.engine.position(victim, ETH_MARKET)).size).to.equal(before.size);
  });

  it("after a volatility spike the check finds the breached accounts, worst first, and performUpkeep deleverages them to healthy (gas reported)", async () => {
    const { system, upkeep } = await withUpkeep();
    const module = system.ballast.riskModule;
    await spikeVolatility(system);
    const [needed, performData] = await upkeep.checkUpkeep("0x");
    expect(needed).to.equal(true);
    const [accounts, markets] = decode(performData);
    expect(accounts.length).to.be.within(1, 4);
    const ratios = [];
    for (const account of accounts) {
      const status = await module.accountStatus(account);
      expect(status.status).to.equal(Status.OverCap);
      ratios.push(status.ratio);
    }
    expect([...ratios].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).to.deep.equal(ratios);
    expect(markets.every((m: bigint) => m === ETH_MARKET)).to.equal(true);

    const [canExec, execPayload] = await upkeep.checker();
    expect(canExec).to.equal(true);
    expect(execPayload).to.equal(upkeep.interface.encodeFunctionData("performUpkeep", [performData]));

    const checkGas = await upkeep.checkUpkeep.estimateGas("0x");
    const receipt = await (await upkeep.performUpkeep(performData)).wait();
    const deleveraged = receipt!.logs.filter((l) => l.topics[0] === module.interface.getEvent("Deleveraged")!.topicHash).length;
    expect(deleveraged).to.equal(accounts.length);
    console.log(
      `      upkeep gas: checkUpkeep ${checkGas} (${ACCOUNTS} accounts read), performUpkeep ${receipt!.gasUsed} for ${deleveraged} deleverages (${receipt!.gasUsed / BigInt(deleveraged)} each)`,
    );
    for (const account of accounts) expect((await module.accountStatus(account)).status).to.equal(Status.Healthy);
  });

  it("performUpkeep trusts nothing: a replayed performData is skipped pair by pair, malformed data reverts", async () => {
    const { system, upkeep } = await withUpkeep();
    await spikeVolatility(system);
    const [, performData] = await upkeep.checkUpkeep("0x");
    await (await upkeep.performUpkeep(performData)).wait();
    const [accounts] = decode(performData);
    await expect(upkeep.performUpkeep(performData)).to.emit(upkeep, "UpkeepPerformed").withArgs(BigInt(accounts.length), 0n);
    // Unequal lengths (other than accounts with no markets, a log-trigger upkeep's tracking data) revert.
    const mismatched = ethers.AbiCoder.defaultAbiCoder().encode(["address[]", "uint256[]"], [[accounts[0], accounts[0]], [ETH_MARKET]]);
    await expect(upkeep.performUpkeep(mismatched)).to.be.revertedWithCustomError(upkeep, "InvalidPerformData").withArgs(2n, 1n);
    const tooMany = ethers.AbiCoder.defaultAbiCoder().encode(
      ["address[]", "uint256[]"],
      [Array(5).fill(accounts[0]), Array(5).fill(ETH_MARKET)],
    );
    await expect(upkeep.performUpkeep(tooMany)).to.be.revertedWithCustomError(upkeep, "InvalidPerformData").withArgs(5n, 5n);
  });

  it("pages through the tracked accounts as blocks pass: every account is read within ceil(count / pageSize) blocks", async () => {
    const { system, upkeep } = await withUpkeep(2, 4);
    await spikeVolatility(system);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const [, performData] = await upkeep.checkUpkeep("0x");
      for (const account of decode(performData)[0] as string[]) seen.add(account);
      await connection.networkHelpers.mine();
    }
    const overCap = [];
    for (const account of await upkeep.trackedAccounts(0, ACCOUNTS))
      if ((await system.ballast.riskModule.accountStatus(account)).status === Status.OverCap) overCap.push(account);
    expect(overCap.length).to.be.greaterThan(2);
    expect([...seen].sort()).to.deep.equal([...overCap].sort());
  });

  it("tracks only accounts with a position, once, and untracks them when they hold none", async () => {
    const { system, upkeep, users } = await withUpkeep();
    const [admin] = await ethers.getSigners();
    await expect(upkeep.track([admin!.address, await users[0]!.getAddress()])).to.not.emit(upkeep, "AccountTracked");
    await expect(upkeep.untrack([await users[0]!.getAddress()])).to.not.emit(upkeep, "AccountUntracked");
    const user = users[0]!;
    const size = (await system.ballast.engine.position(await user.getAddress(), ETH_MARKET)).size;
    await (await system.ballast.engine.connect(user).trade(ETH_MARKET, -size)).wait();
    await expect(upkeep.untrack([await user.getAddress()]))
      .to.emit(upkeep, "AccountUntracked")
      .withArgs(await user.getAddress());
    expect(await upkeep.trackedCount()).to.equal(BigInt(ACCOUNTS - 1));
  });

  it("log trigger on PositionChanged: checkLog asks to track a new account and untrack a closed one, performUpkeep does it on the engine's state, any other log needs nothing", async () => {
    const { system, upkeep } = await withUpkeep();
    const engine = system.ballast.engine;
    const newcomer = (await ethers.getSigners())[1 + ACCOUNTS]!;
    // The Log struct Chainlink's log trigger passes, built from the trade's receipt.
    const logOf = async (tx: Promise<{ wait(): Promise<unknown> }>) => {
      const receipt = (await (await tx).wait()) as import("ethers").TransactionReceipt;
      const event = engine.interface.getEvent("PositionChanged")!;
      const log = receipt.logs.find((l) => l.topics[0] === event.topicHash)!;
      const block = (await ethers.provider.getBlock(receipt.blockNumber))!;
      return {
        index: BigInt(log.index),
        timestamp: BigInt(block.timestamp),
        txHash: receipt.hash,
        blockNumber: BigInt(receipt.blockNumber),
        blockHash: receipt.blockHash,
        source: log.address,
        topics: [...log.topics],
        data: log.data,
      };
    };
    const opened = await logOf(
      openAtFractionOfCap(system, newcomer, 1_000, 0.5).then(() => engine.connect(newcomer).trade(ETH_MARKET, 1n)),
    );
    const [needed, performData] = await upkeep.checkLog(opened, "0x");
    expect(needed).to.equal(true);
    expect(decode(performData)[0]).to.deep.equal([newcomer.address]);
    expect(decode(performData)[1]).to.deep.equal([]);
    await expect(upkeep.performUpkeep(performData)).to.emit(upkeep, "AccountTracked").withArgs(newcomer.address);
    expect(await upkeep.trackedCount()).to.equal(BigInt(ACCOUNTS + 1));
    // Tracked and still holding: nothing to do; the same data again changes nothing.
    expect((await upkeep.checkLog(opened, "0x"))[0]).to.equal(false);
    await expect(upkeep.performUpkeep(performData)).to.not.emit(upkeep, "AccountTracked");
    // Another source, another event: nothing.
    expect((await upkeep.checkLog({ ...opened, source: await upkeep.getAddress() }, "0x"))[0]).to.equal(false);
    expect((await upkeep.checkLog({ ...opened, topics: [ethers.id("Other(address)"), opened.topics[1]!] }, "0x"))[0]).to.equal(false);

    const size = (await engine.position(newcomer.address, ETH_MARKET)).size;
    const closed = await logOf(engine.connect(newcomer).trade(ETH_MARKET, -size));
    const [again, untrackData] = await upkeep.checkLog(closed, "0x");
    expect(again).to.equal(true);
    await expect(upkeep.performUpkeep(untrackData)).to.emit(upkeep, "AccountUntracked").withArgs(newcomer.address);
    expect(await upkeep.trackedCount()).to.equal(BigInt(ACCOUNTS));
    // Forged tracking data for an account without a position tracks nothing.
    const forged = ethers.AbiCoder.defaultAbiCoder().encode(["address[]", "uint256[]"], [[newcomer.address], []]);
    await expect(upkeep.performUpkeep(forged)).to.not.emit(upkeep, "AccountTracked");
  });
});
