import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type { EACAggregatorProxy, TestOffchainAggregator } from "../../../typechain-types/index.js";

/** How a test aggregator answers a read of a round that does not exist (OCR2 zeros, OCR1 revert). */
export const MissingRound = { ReturnZeros: 0, Revert: 1 } as const;

export interface Feed {
  aggregator: TestOffchainAggregator;
  proxy: EACAggregatorProxy;
  address: string;
}

/** A real Chainlink `EACAggregatorProxy` (0.6.6, from the Chainlink package) in front of a test aggregator. */
export async function deployFeed(
  ethers: HardhatEthers,
  decimals = 8,
  description = "ETH / USD",
  missing: number = MissingRound.ReturnZeros,
): Promise<Feed> {
  // Waited for: on a separate node (anvil) mining is asynchronous, and the replica reads the code next.
  const aggregator = await (await ethers.deployContract("TestOffchainAggregator", [decimals, description, missing])).waitForDeployment();
  const proxy = await (
    await ethers.deployContract("EACAggregatorProxy", [await aggregator.getAddress(), ethers.ZeroAddress])
  ).waitForDeployment();
  return { aggregator, proxy, address: await proxy.getAddress() };
}

/** Phase change as the feed's owner does it: propose, then confirm, a new aggregator. */
export async function switchAggregator(
  ethers: HardhatEthers,
  feed: Feed,
  missing: number = MissingRound.ReturnZeros,
): Promise<TestOffchainAggregator> {
  const decimals = await feed.aggregator.decimals();
  const next = await ethers.deployContract("TestOffchainAggregator", [decimals, await feed.aggregator.description(), missing]);
  const address = await next.getAddress();
  await feed.proxy.proposeAggregator(address);
  await feed.proxy.confirmAggregator(address);
  feed.aggregator = next;
  return next;
}

/** A proxy round id: `(phaseId << 64) | aggregatorRoundId`. */
export function proxyRoundId(phase: number, round: number | bigint): bigint {
  return (BigInt(phase) << 64n) | BigInt(round);
}

/** Publishes a round at `updatedAt` (default: the latest block's time) with `price` in human units. */
export async function setPrice(feed: Feed, price: number, updatedAt?: number): Promise<void> {
  const decimals = Number(await feed.aggregator.decimals());
  const time = updatedAt ?? (await feed.aggregator.runner!.provider!.getBlock("latest"))!.timestamp;
  await (await feed.aggregator.transmit(answer(price, decimals), time)).wait();
}

/** A price as the feed's integer answer. */
export function answer(price: number, decimals = 8): bigint {
  return BigInt(Math.round(price * 10 ** decimals));
}
