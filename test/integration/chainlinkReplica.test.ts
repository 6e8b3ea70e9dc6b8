import { expect } from "chai";
import { network } from "hardhat";

import { answer, proxyRoundId, switchAggregator } from "../../scripts/lib/chainlink/feeds.js";
import { CHAINLINK, deployFeedAt, EAC_PROXY_SLOTS } from "../../scripts/lib/chainlink/mainnet.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

describe("Chainlink replica: EACAggregatorProxy at the mainnet ETH/USD address", () => {
  it("serves the test aggregator's rounds with proxy round ids, and its owner can change phase", async () => {
    const feed = await deployFeedAt(connection, CHAINLINK.ethUsd, 8, "ETH / USD");
    expect(feed.address).to.equal(CHAINLINK.ethUsd);
    expect(await ethers.provider.getCode(CHAINLINK.ethUsd)).to.not.equal("0x");
    const [deployer] = await ethers.getSigners();
    expect(await feed.proxy.owner()).to.equal(deployer!.address);
    expect(await feed.proxy.phaseId()).to.equal(1n);
    expect(await feed.proxy.aggregator()).to.equal(await feed.aggregator.getAddress());
    expect(await feed.proxy.decimals()).to.equal(8n);
    const now = await networkHelpers.time.latest();
    await feed.aggregator.transmit(answer(3_000), now);
    const [roundId, price] = await feed.proxy.latestRoundData();
    expect(roundId).to.equal(proxyRoundId(1, 1));
    expect(price).to.equal(answer(3_000));
    // A phase change through the copied proxy, as the feed's owner does it.
    await switchAggregator(ethers, feed);
    await feed.aggregator.transmit(answer(3_010), now + 1);
    expect((await feed.proxy.latestRoundData())[0]).to.equal(proxyRoundId(2, 1));
    expect((await feed.proxy.getRoundData(proxyRoundId(1, 1)))[1]).to.equal(answer(3_000));
  });

  it("the storage layout constants match a normally deployed proxy", async () => {
    const aggregator = await ethers.deployContract("TestOffchainAggregator", [8, "x", 0]);
    const proxy = await ethers.deployContract("EACAggregatorProxy", [await aggregator.getAddress(), ethers.ZeroAddress]);
    const address = await proxy.getAddress();
    const [deployer] = await ethers.getSigners();
    const word = async (slot: bigint) => BigInt(await ethers.provider.getStorage(address, slot));
    expect(await word(EAC_PROXY_SLOTS.owner)).to.equal(BigInt(deployer!.address));
    // currentPhase packs id (uint16) then the aggregator address.
    expect(await word(EAC_PROXY_SLOTS.currentPhase)).to.equal((BigInt(await aggregator.getAddress()) << 16n) | 1n);
    expect(await word(EAC_PROXY_SLOTS.accessController)).to.equal(0n);
  });
});
