import { Contract } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { type Feed, setPrice } from "./chainlink/feeds.js";
import { CHAINLINK, deployFeedAt, takeOverFeed } from "./chainlink/mainnet.js";
import {
  deployUniswapReplica,
  generateProfile,
  MAINNET,
  poolAt,
  priceFromSqrtPriceX96,
  type ProfileKind,
  readSlot0,
  seedPool,
  type TickSnapshot,
} from "./uniswap/index.js";

/** Where the mainnet contracts the system uses come from. */
export type EnvironmentMode = "replica" | "mainnet-fork";

/**
 * The mainnet contracts Ballast is tested against: USDC, WETH, the USDC/WETH 0.05 % and 0.3 % Uniswap V3
 * pools, and the ETH/USD and USDC/USD Chainlink proxies, each at its mainnet address. On the replica they
 * are real bytecode placed there (pools seeded by the project); on a mainnet fork they are the live ones,
 * the feeds taken over as their owner would (a new phase with an aggregator the scenario drives).
 */
export interface Environment {
  mode: EnvironmentMode;
  usdc: Contract;
  weth: Contract;
  /** USDC/WETH 0.05 % (the reference pool of the ETH market). */
  pool: Contract;
  /** USDC/WETH 0.3 % (a flash-loan source for the attack scenarios). */
  pool3000: Contract;
  /** A `PoolSwapper` that pays from its own balance. */
  swapper: string;
  feeds: { eth: Feed; usdc: Feed };
  /** The ETH price in USD the environment starts at. */
  ethPrice: number;
}

export interface ReplicaOptions {
  /** Initial ETH price in USD (default 3,000). */
  ethPrice?: number;
  /** Liquidity of the 0.05 % pool: a generated profile kind (default "concentrated") or a tick snapshot. */
  profile?: ProfileKind | TickSnapshot;
  /** Total liquidity of a generated profile. */
  totalLiquidity?: bigint;
}

const USDC_DECIMALS = 6;
const WETH_DECIMALS = 18;
/** USDC is token0 and WETH token1 of the USDC/WETH pools. */
export const USDC_WETH = { baseIsToken0: false, token0Decimals: USDC_DECIMALS, token1Decimals: WETH_DECIMALS } as const;

/** The replica: real Uniswap V3, WETH9 and Chainlink proxy bytecode at mainnet addresses, in-process. */
export async function replicaEnvironment(connection: NetworkConnection, options: ReplicaOptions = {}): Promise<Environment> {
  const ethPrice = options.ethPrice ?? 3_000;
  const replica = await deployUniswapReplica(connection);
  const profile =
    typeof options.profile === "object"
      ? options.profile
      : generateProfile({
          kind: options.profile ?? "concentrated",
          spotPrice: ethPrice,
          ...USDC_WETH,
          fee: 500,
          tickSpacing: 10,
          ...(options.totalLiquidity === undefined ? {} : { totalLiquidity: options.totalLiquidity }),
        });
  await seedPool(connection, replica, replica.pools.fee500, profile);
  const startPrice = priceFromSqrtPriceX96((await readSlot0(replica.pools.fee500)).sqrtPriceX96, USDC_WETH);
  const feeds = {
    eth: await deployFeedAt(connection, CHAINLINK.ethUsd, 8, "ETH / USD"),
    usdc: await deployFeedAt(connection, CHAINLINK.usdcUsd, 8, "USDC / USD"),
  };
  await setPrice(feeds.eth, startPrice);
  await setPrice(feeds.usdc, 1);
  return {
    mode: "replica",
    usdc: replica.usdc,
    weth: replica.weth,
    pool: replica.pools.fee500,
    pool3000: replica.pools.fee3000,
    swapper: replica.swapper,
    feeds,
    ethPrice: startPrice,
  };
}

/**
 * A mainnet fork (`MAINNET_RPC_URL`): the live tokens, pools and Chainlink proxies; the two feeds are taken
 * over (new phase, test aggregator starting at the live answer, then set to the pool's price so that the
 * oracle and the pool agree).
 */
export async function mainnetForkEnvironment(connection: NetworkConnection): Promise<Environment> {
  const { ethers } = connection;
  const pool = await poolAt(connection, MAINNET.usdcWeth500);
  const pool3000 = await poolAt(connection, MAINNET.usdcWeth3000);
  const ethPrice = priceFromSqrtPriceX96((await readSlot0(pool)).sqrtPriceX96, USDC_WETH);
  const feeds = { eth: await takeOverFeed(connection, CHAINLINK.ethUsd), usdc: await takeOverFeed(connection, CHAINLINK.usdcUsd) };
  await setPrice(feeds.eth, ethPrice);
  await setPrice(feeds.usdc, 1);
  const swapper = await (await ethers.deployContract("PoolSwapper")).waitForDeployment();
  const erc20 = [
    "function approve(address,uint256) returns (bool)",
    "function balanceOf(address) view returns (uint256)",
    "function decimals() view returns (uint8)",
  ];
  const [signer] = await ethers.getSigners();
  return {
    mode: "mainnet-fork",
    usdc: new Contract(MAINNET.usdc, erc20, signer),
    weth: new Contract(MAINNET.weth, erc20, signer),
    pool,
    pool3000,
    swapper: await swapper.getAddress(),
    feeds,
    ethPrice,
  };
}

/** The environment the suite runs in: the mainnet fork when `MAINNET_RPC_URL` is set, else the replica. */
export function forkRequested(): boolean {
  return (process.env.MAINNET_RPC_URL ?? "") !== "";
}
