import { keccak256, AbiCoder } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { copyContract } from "../uniswap/replica.js";
import { deployFeed, type Feed, MissingRound } from "./feeds.js";

/** Mainnet Chainlink proxies (EACAggregatorProxy) used by the replica and the opt-in mainnet fork. */
export const CHAINLINK = {
  /** ETH / USD, 8 decimals, heartbeat 3,600 s, deviation 0.5 %. */
  ethUsd: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419",
  /** USDC / USD, 8 decimals, heartbeat 86,400 s, deviation 0.25 %. */
  usdcUsd: "0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6",
  /** BTC / USD, 8 decimals, heartbeat 3,600 s, deviation 0.5 %. */
  btcUsd: "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c",
} as const;

/**
 * Storage of `EACAggregatorProxy` (Chainlink contracts 0.8.0, solc 0.6.6): `Owned.owner` (0),
 * `Owned.pendingOwner` (1), `AggregatorProxy.currentPhase` (2: phase id and aggregator, packed),
 * `proposedAggregator` (3), `phaseAggregators` (mapping at 4), `EACAggregatorProxy.accessController` (5).
 * `test/integration/chainlinkReplica.test.ts` checks it against a deployed proxy.
 */
export const EAC_PROXY_SLOTS = {
  owner: 0n,
  pendingOwner: 1n,
  currentPhase: 2n,
  proposedAggregator: 3n,
  phaseAggregators: 4n,
  accessController: 5n,
} as const;

const coder = AbiCoder.defaultAbiCoder();

/**
 * A real `EACAggregatorProxy` at `address` (a mainnet proxy address on the replica) in front of a test
 * aggregator the caller drives: deployed normally, then its code and storage copied to `address`.
 */
export async function deployFeedAt(connection: NetworkConnection, address: string, decimals: number, description: string): Promise<Feed> {
  const staging = await deployFeed(connection.ethers, decimals, description, MissingRound.ReturnZeros);
  const phaseOne = BigInt(keccak256(coder.encode(["uint16", "uint256"], [1, EAC_PROXY_SLOTS.phaseAggregators])));
  await copyContract(connection, staging.address, address, [
    EAC_PROXY_SLOTS.owner,
    EAC_PROXY_SLOTS.currentPhase,
    EAC_PROXY_SLOTS.accessController,
    phaseOne,
  ]);
  const proxy = await connection.ethers.getContractAt("EACAggregatorProxy", address);
  return { aggregator: staging.aggregator, proxy, address };
}

/**
 * On a mainnet fork: takes control of a live Chainlink proxy as its owner would, by proposing and confirming
 * a test aggregator (a new phase) that starts at the feed's latest answer. The proxy, its phases and its
 * round ids stay real.
 */
export async function takeOverFeed(connection: NetworkConnection, address: string): Promise<Feed> {
  const { ethers, networkHelpers } = connection;
  const proxy = await ethers.getContractAt("EACAggregatorProxy", address);
  const [, answer, , updatedAt] = await proxy.latestRoundData();
  const aggregator = await ethers.deployContract("TestOffchainAggregator", [
    await proxy.decimals(),
    await proxy.description(),
    MissingRound.ReturnZeros,
  ]);
  await aggregator.transmit(answer, updatedAt);
  const owner = await proxy.owner();
  await networkHelpers.impersonateAccount(owner);
  await networkHelpers.setBalance(owner, 10n ** 18n);
  const asOwner = proxy.connect(await ethers.getSigner(owner));
  await (await asOwner.proposeAggregator(await aggregator.getAddress())).wait();
  await (await asOwner.confirmAggregator(await aggregator.getAddress())).wait();
  await networkHelpers.stopImpersonatingAccount(owner);
  return { aggregator, proxy, address };
}
