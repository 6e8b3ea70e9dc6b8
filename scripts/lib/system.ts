import type { Contract, Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { type Ballast, deployBallast } from "./ballast/deploy.js";
import { configureBallast, type CollateralSetup, type MarketSetup, warmUp } from "./ballast/configure.js";
import { wad } from "./ballast/params.js";
import { deployFeed, type Feed, setPrice } from "./chainlink/feeds.js";
import {
  deployUniswapReplica,
  fundToken,
  generateProfile,
  type ProfileKind,
  readSlot0,
  type Replica,
  seedPool,
  sqrtPriceX96FromPrice,
  type TickSnapshot,
} from "./uniswap/index.js";
import { swapThroughSwapper } from "./uniswap/swap.js";

/** The id of the ETH market in every system this module builds. */
export const ETH_MARKET = 1n;

/** A connection to a chain (`network.create()` / `network.connect()`). */
export type Connection = NetworkConnection;

export interface SystemOptions {
  /** Initial ETH price in USD (default 3,000). */
  ethPrice?: number;
  /** Liquidity of the USDC/WETH 0.05 % pool: a generated profile kind (default "concentrated") or a snapshot. */
  profile?: ProfileKind | TickSnapshot;
  /** Total liquidity of a generated profile (default: the generator's, about the mainnet pool's). */
  totalLiquidity?: bigint;
  /** Module parameters of the ETH market beyond the defaults. */
  market?: MarketSetup["config"];
  /** Collateral parameters beyond the defaults, by symbol. */
  collaterals?: { usdc?: CollateralSetup["config"]; weth?: CollateralSetup["config"] };
}

/**
 * The whole system on a chain: the Uniswap V3 replica (real bytecode at mainnet addresses) with the
 * USDC/WETH 0.05 % pool seeded, Chainlink `EACAggregatorProxy` feeds for ETH/USD and USDC/USD in front of
 * test aggregators, and Ballast with the reference engine, configured and warmed up.
 */
export interface System {
  connection: Connection;
  replica: Replica;
  ballast: Ballast;
  pool: Contract;
  feeds: { eth: Feed; usdc: Feed };
  admin: Signer;
  /** Sets the ETH/USD oracle price (a new round now). */
  setEthPrice(price: number): Promise<void>;
  /** Moves the pool's spot price to `price` by swapping (an arbitrageur's trade). */
  movePool(price: number): Promise<void>;
  /** Lets `seconds` pass, refreshes oracle rounds (same prices) and the module's depth state. */
  advance(seconds: number): Promise<void>;
  /** Deposits collateral for `user` (minting it first). Amounts in token units (human). */
  deposit(user: Signer, collateral: { usdc?: number; weth?: number }): Promise<void>;
  /** Trades `sizeEth` (signed, human ETH) in the ETH market for `user`. */
  trade(user: Signer, sizeEth: number): Promise<void>;
}

const USDC_DECIMALS = 6;
const WETH_DECIMALS = 18;
const ROUND_SPACING = 600;

/** Deploys and warms up the system; see `System`. */
export async function deploySystem(connection: Connection, options: SystemOptions = {}): Promise<System> {
  const { ethers, networkHelpers } = connection;
  const [admin] = await ethers.getSigners();
  const ethPrice = options.ethPrice ?? 3_000;
  const replica = await deployUniswapReplica(connection);
  const pool = replica.pools.fee500;
  const orientation = { baseIsToken0: false, token0Decimals: USDC_DECIMALS, token1Decimals: WETH_DECIMALS };

  const profile =
    typeof options.profile === "object"
      ? options.profile
      : generateProfile({
          kind: options.profile ?? "concentrated",
          spotPrice: ethPrice,
          ...orientation,
          fee: 500,
          tickSpacing: 10,
          ...(options.totalLiquidity === undefined ? {} : { totalLiquidity: options.totalLiquidity }),
        });
  await seedPool(connection, replica, pool, profile);

  const feeds = { eth: await deployFeed(ethers, 8, "ETH / USD"), usdc: await deployFeed(ethers, 8, "USDC / USD") };
  const ballast = await deployBallast(connection);
  const usdc = await replica.usdc.getAddress();
  const weth = await replica.weth.getAddress();
  await configureBallast(ballast, admin!, {
    markets: [{ id: ETH_MARKET, feed: feeds.eth.address, pool: await pool.getAddress(), baseIsToken0: false, config: options.market }],
    collaterals: [
      { asset: usdc, feed: feeds.usdc.address, config: options.collaterals?.usdc },
      {
        asset: weth,
        feed: feeds.eth.address,
        config: { tier: 1, baseHaircut: wad(0.05), volZ: wad(3), volHorizon: 3_600, ...options.collaterals?.weth },
      },
    ],
  });

  // Oracle history: a reference round, then an hour of rounds, while the pool's TWAP window fills.
  let price = ethPrice;
  const publish = async () => {
    await setPrice(feeds.eth, price);
    await setPrice(feeds.usdc, 1);
  };
  await publish();
  for (const feed of [feeds.eth, feeds.usdc]) await (await ballast.volatilityOracle.poke(feed.address)).wait();
  for (let i = 0; i < 6; i++) {
    await networkHelpers.time.increase(ROUND_SPACING);
    price = ethPrice * (1 + (i % 2 === 0 ? 0.002 : -0.002));
    await publish();
  }
  price = ethPrice;
  await publish();
  await warmUp(ballast, [feeds.eth.address, feeds.usdc.address], [ETH_MARKET]);

  const system: System = {
    connection,
    replica,
    ballast,
    pool,
    feeds,
    admin: admin!,
    async setEthPrice(p) {
      await setPrice(feeds.eth, p);
    },
    async movePool(target) {
      const slot0 = await readSlot0(pool);
      const limit = sqrtPriceX96FromPrice(target, orientation);
      // Token1 is WETH: a lower ETH price is a higher sqrtPrice (token1 per token0), bought with token0.
      const zeroForOne = limit < slot0.sqrtPriceX96;
      // The swapper pays from its own balance: give it more than any move can take.
      const input = zeroForOne ? replica.usdc : replica.weth;
      await fundToken(connection, await input.getAddress(), replica.swapper, zeroForOne ? 10n ** 16n : 10n ** 26n);
      await swapThroughSwapper(connection, replica, pool, zeroForOne, 2n ** 200n, limit, await system.admin.getAddress());
    },
    async advance(seconds) {
      await networkHelpers.time.increase(seconds);
      await setPrice(feeds.eth, Number(await feeds.eth.aggregator.latestAnswer()) / 1e8);
      await setPrice(feeds.usdc, 1);
      for (const feed of [feeds.eth, feeds.usdc]) await (await ballast.volatilityOracle.poke(feed.address)).wait();
      await (await ballast.riskModule.refreshDepth(ETH_MARKET)).wait();
    },
    async deposit(user, amounts) {
      const address = await user.getAddress();
      const engine = await ballast.engine.getAddress();
      for (const [token, amount, decimals] of [
        [replica.usdc, amounts.usdc, USDC_DECIMALS],
        [replica.weth, amounts.weth, WETH_DECIMALS],
      ] as const) {
        if (amount === undefined || amount === 0) continue;
        const units = BigInt(Math.round(amount * 1e6)) * 10n ** BigInt(decimals - 6);
        const asset = await token.getAddress();
        await fundToken(connection, asset, address, units);
        const erc20 = await ethers.getContractAt("TestToken", asset, user);
        await (await erc20.approve(engine, units)).wait();
        await (await ballast.engine.connect(user).deposit(asset, units)).wait();
      }
    },
    async trade(user, sizeEth) {
      await (await ballast.engine.connect(user).trade(ETH_MARKET, wad(sizeEth))).wait();
    },
  };
  return system;
}
