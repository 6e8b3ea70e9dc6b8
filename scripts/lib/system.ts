import type { Contract, Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { type Ballast, deployBallast } from "./ballast/deploy.js";
import { configureBallast, type CollateralSetup, type MarketSetup, warmUp } from "./ballast/configure.js";
import { wad } from "./ballast/params.js";
import { deployFeed, type Feed, setPrice } from "./chainlink/feeds.js";
import { type Environment, replicaEnvironment, USDC_WETH } from "./environment.js";
import { balanceOf, fundToken, type ProfileKind, readSlot0, sqrtPriceX96FromPrice, type TickSnapshot } from "./uniswap/index.js";
import { swapThroughSwapper } from "./uniswap/swap.js";

/** The id of the ETH market in every system this module builds. */
export const ETH_MARKET = 1n;

/** A connection to a chain (`network.create()` / `network.connect()`). */
export type Connection = NetworkConnection;

export interface SystemOptions {
  /** The mainnet contracts to build on (default: a fresh replica built from the options below). */
  environment?: Environment;
  /** Initial ETH price in USD (default 3,000). */
  ethPrice?: number;
  /** Liquidity of the USDC/WETH 0.05 % pool: a generated profile kind (default "concentrated") or a snapshot. */
  profile?: ProfileKind | TickSnapshot;
  /** Total liquidity of a generated profile (default: the generator's, about the mainnet pool's). */
  totalLiquidity?: bigint;
  /** Module parameters of the ETH market beyond the defaults. */
  market?: MarketSetup["config"];
  /** The ETH feed's volatility estimator beyond the defaults (`defaultFeedConfig`). */
  volatility?: MarketSetup["volatility"];
  /** Collateral parameters beyond the defaults, by symbol. */
  collaterals?: { usdc?: CollateralSetup["config"]; weth?: CollateralSetup["config"] };
  /**
   * Extra markets (ids 2, 3, ...), each with its own Chainlink feed tracking the ETH price and the same
   * reference pool: for accounts with several positions (gas benchmarks). Default 0.
   */
  extraMarkets?: number;
  /**
   * Ignition's deployment id, for a separate node (its record goes to `deploy/deployments/<id>`): one per
   * node instance, so that a restarted dev node gets a fresh deployment (`scripts/lib/deployLocal.ts`).
   */
  deploymentId?: string;
}

/**
 * The whole system on a chain: an environment (the replica by default: real Uniswap V3 bytecode at mainnet
 * addresses with the USDC/WETH 0.05 % pool seeded, Chainlink `EACAggregatorProxy` feeds at the ETH/USD and
 * USDC/USD mainnet addresses in front of test aggregators; or a mainnet fork), and Ballast with the
 * reference engine, deployed through the Ignition module, configured and warmed up.
 */
export interface System {
  connection: Connection;
  environment: Environment;
  ballast: Ballast;
  pool: Contract;
  feeds: { eth: Feed; usdc: Feed };
  /** Feeds of the extra markets, by market id. */
  extraFeeds: Map<bigint, Feed>;
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

/** Deploys Ballast on an environment (the replica unless one is given), configures and warms it up. */
export async function deploySystem(connection: Connection, options: SystemOptions = {}): Promise<System> {
  const { ethers, networkHelpers } = connection;
  const [admin] = await ethers.getSigners();
  const environment =
    options.environment ??
    (await replicaEnvironment(connection, {
      ...(options.ethPrice === undefined ? {} : { ethPrice: options.ethPrice }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.totalLiquidity === undefined ? {} : { totalLiquidity: options.totalLiquidity }),
    }));
  const { pool, feeds } = environment;
  const ethPrice = environment.ethPrice;

  const extraFeeds = new Map<bigint, Feed>();
  for (let i = 0; i < (options.extraMarkets ?? 0); i++)
    extraFeeds.set(ETH_MARKET + 1n + BigInt(i), await deployFeed(ethers, 8, `ETH-${i + 2} / USD`));
  const ballast = await deployBallast(connection, {}, options.deploymentId);
  const usdc = await environment.usdc.getAddress();
  const weth = await environment.weth.getAddress();
  const poolAddress = await pool.getAddress();
  await configureBallast(ballast, admin!, {
    markets: [
      {
        id: ETH_MARKET,
        feed: feeds.eth.address,
        pool: poolAddress,
        baseIsToken0: false,
        config: options.market,
        ...(options.volatility === undefined ? {} : { volatility: options.volatility }),
      },
      ...[...extraFeeds].map(([id, feed]) => ({ id, feed: feed.address, pool: poolAddress, baseIsToken0: false, config: options.market })),
    ],
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
  const priceFeeds = [feeds.eth, ...extraFeeds.values()];
  const publish = async () => {
    for (const feed of priceFeeds) await setPrice(feed, price);
    await setPrice(feeds.usdc, 1);
  };
  await publish();
  for (const feed of [...priceFeeds, feeds.usdc]) await (await ballast.volatilityOracle.poke(feed.address)).wait();
  for (let i = 0; i < 6; i++) {
    await networkHelpers.time.increase(ROUND_SPACING);
    // +-0.13 % every 10 minutes: about 60 % annualized, a calm ETH market.
    price = ethPrice * (1 + (i % 2 === 0 ? 0.0013 : -0.0013));
    await publish();
  }
  price = ethPrice;
  await publish();
  await warmUp(
    ballast,
    [...priceFeeds, feeds.usdc].map((f) => f.address),
    [ETH_MARKET, ...extraFeeds.keys()],
  );

  const system: System = {
    connection,
    environment,
    ballast,
    pool,
    feeds,
    extraFeeds,
    admin: admin!,
    async setEthPrice(p) {
      await setPrice(feeds.eth, p);
    },
    async movePool(target) {
      await movePoolTo(connection, environment, target);
    },
    async advance(seconds) {
      await networkHelpers.time.increase(seconds);
      await setPrice(feeds.eth, Number(await feeds.eth.aggregator.latestAnswer()) / 1e8);
      await setPrice(feeds.usdc, 1);
      for (const feed of [feeds.eth, feeds.usdc]) await (await ballast.volatilityOracle.poke(feed.address)).wait();
      await (await ballast.riskModule.refreshDepth(ETH_MARKET)).wait();
    },
    async deposit(user, amounts) {
      await depositCollateral(connection, environment, await ballast.engine.getAddress(), user, amounts);
    },
    async trade(user, sizeEth) {
      // A signer that signs locally (an ethers Wallet) is not given the network's `gasMultiplier`: the same 25 %
      // margin here, as the trade's gas depends on the block's time (hardhat.config.ts, networks).
      const trade = ballast.engine.connect(user).trade;
      const gasLimit = ((await trade.estimateGas(ETH_MARKET, wad(sizeEth))) * 5n) / 4n;
      await (await trade(ETH_MARKET, wad(sizeEth), { gasLimit })).wait();
    },
  };
  return system;
}

/** Moves the pool's spot price to `price` (quote per base) by swapping through the environment's swapper. */
export async function movePoolTo(connection: Connection, environment: Environment, target: number): Promise<void> {
  const slot0 = await readSlot0(environment.pool);
  const limit = sqrtPriceX96FromPrice(target, USDC_WETH);
  if (limit === slot0.sqrtPriceX96) return;
  // Token1 is WETH: a lower ETH price is a higher sqrtPrice (token1 per token0), bought with token0.
  const zeroForOne = limit < slot0.sqrtPriceX96;
  // The swapper pays from its own balance: give it more than any move can take.
  const input = zeroForOne ? environment.usdc : environment.weth;
  const reserve = zeroForOne ? 10n ** 16n : 10n ** 26n;
  if ((await balanceOf(connection, await input.getAddress(), environment.swapper)) < reserve / 2n)
    await fundToken(connection, await input.getAddress(), environment.swapper, reserve);
  const [admin] = await connection.ethers.getSigners();
  await swapThroughSwapper(connection, environment, environment.pool, zeroForOne, 2n ** 200n, limit, admin!.address);
}

/** Funds `user` with collateral, approves the engine and deposits. Amounts in token units (human). */
export async function depositCollateral(
  connection: Connection,
  environment: Environment,
  engine: string,
  user: Signer,
  amounts: { usdc?: number; weth?: number },
): Promise<void> {
  const address = await user.getAddress();
  for (const [token, amount, decimals] of [
    [environment.usdc, amounts.usdc, USDC_DECIMALS],
    [environment.weth, amounts.weth, WETH_DECIMALS],
  ] as const) {
    if (amount === undefined || amount === 0) continue;
    const units = BigInt(Math.round(amount * 1e6)) * 10n ** BigInt(decimals - 6);
    const asset = await token.getAddress();
    await fundToken(connection, asset, address, units);
    const erc20 = await connection.ethers.getContractAt("TestToken", asset, user);
    await (await erc20.approve(engine, units)).wait();
    const engineContract = await connection.ethers.getContractAt("ReferenceMarginEngine", engine, user);
    await (await engineContract.deposit(asset, units)).wait();
  }
}
