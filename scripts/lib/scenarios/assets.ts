import { Contract, type Signer } from "ethers";

import type { IRiskTypes } from "../../../typechain-types/contracts/RiskModule.js";
import type { IVolatilityOracle } from "../../../typechain-types/contracts/VolatilityOracle.js";
import type { ReferenceMarginEngine, TestToken } from "../../../typechain-types/index.js";
import { defaultCollateralConfig, defaultFeedConfig, defaultMarketConfig, wad } from "../ballast/params.js";
import { deployFeed, type Feed, setPrice } from "../chainlink/feeds.js";
import { alignPool, type SimMarket } from "../sim/market.js";
import { depositCollateral, type System } from "../system.js";
import {
  createPool,
  FEE_TICK_SPACING,
  generateProfile,
  MAINNET,
  type Orientation,
  priceFromSqrtPriceX96,
  type ProfileKind,
  readSlot0,
  seedPool,
  type SwapResult,
} from "../uniswap/index.js";
import { UNISWAP_V3_FACTORY_ARTIFACT } from "../uniswap/replica.js";

const YEAR = 31_536_000;
const USDC_DECIMALS = 6;
const TOKEN_DECIMALS = 18;
const WARM_UP_ROUNDS = 6;
const ROUND_SPACING = 600;

/** Module parameters of a thin market beyond the defaults (RISK-MODEL.md sections 3 and 5). */
export const THIN_MARKET_CONFIG: Partial<IRiskTypes.MarketConfigStruct> = {
  // A long-tail perpetual: 10 % maintenance margin, a 4-hour reaction horizon (unwinding a thin book takes
  // time), one position at most 20 % of the depth to a 5 % move, open interest per side at most that depth,
  // deleverage of at most that depth per hour, and 5 % tolerated between Chainlink and the pool TWAP.
  maintenanceMargin: wad(0.1),
  horizon: 4 * 3_600,
  kappa: wad(0.2),
  kappaOI: wad(1),
  maxSlippage: wad(0.05),
  rho: wad(1),
  maxDeviation: wad(0.05),
};

/** Collateral parameters of a thin token: tier 2 (2x), 15 % base haircut growing with its own volatility. */
export const THIN_COLLATERAL_CONFIG: Partial<IRiskTypes.CollateralConfigStruct> = {
  tier: 2,
  maxPriceAge: 3_600 + 300,
  baseHaircut: wad(0.15),
  volZ: wad(3),
  // Selling a thin collateral takes time: its haircut covers its own move over 12 hours.
  volHorizon: 12 * 3_600,
};

export interface ThinAssetOptions {
  /** Token symbol (default "THIN"). */
  symbol?: string;
  /** Start price in USD (default 2). */
  price?: number;
  /** Annualized volatility of the warm-up rounds (default 1.0, i.e. 100 %). */
  sigma?: number;
  /** Fee tier of the TOKEN/USDC pool (default 3000, tick spacing 60). */
  fee?: number;
  /** Shape of the pool's liquidity (default "wide": a long-tail pool without a market maker's range). */
  profile?: ProfileKind;
  /**
   * The pool's total liquidity `L` expressed as `L * sqrt(P)` in USD: what a full-range position of all of it
   * would hold in USDC. Default 5,000,000: a "wide" profile then holds about 105,000 USD of depth to a 5 % move,
   * and pushing its price 5x costs about 2 million USD: a thin pool.
   */
  liquidityUsd?: number;
  /** Volatility estimator of its feed beyond the defaults. */
  volatility?: Partial<IVolatilityOracle.FeedConfigStruct>;
  /** List it as collateral in the module and the system's engine (default: no), with these parameters. */
  collateral?: Partial<IRiskTypes.CollateralConfigStruct> | boolean;
  /** List it as a market (with the thin pool as reference pool) in the module and the system's engine. */
  market?: { id: bigint; config?: Partial<IRiskTypes.MarketConfigStruct>; liquidationBonus?: bigint };
}

/** A thin, volatile asset added to a system: token, Chainlink feed, TOKEN/USDC pool, listings. */
export interface ThinAsset {
  symbol: string;
  token: TestToken;
  address: string;
  feed: Feed;
  pool: Contract;
  orientation: Orientation;
  /** The price the asset was listed at (USD). */
  startPrice: number;
  /** The market id, when listed as a market. */
  market?: bigint;
  collateral?: IRiskTypes.CollateralConfigStruct;
  marketConfig?: IRiskTypes.MarketConfigStruct;
  liquidationBonus: bigint;
  /** Publishes a Chainlink round at `price` now. */
  setPrice(price: number): Promise<void>;
  /** Moves the pool's spot price to `price` by swapping; returns the swap's signed deltas. */
  movePool(price: number): Promise<SwapResult | undefined>;
  /** The pool's spot price (USD). */
  poolPrice(): Promise<number>;
  /** Mints `amount` tokens (human units) to `user`, approves `engine` and deposits them. */
  deposit(engine: string, user: Signer, amount: number): Promise<void>;
  /** Lists the asset (collateral and market, as in Ballast's engine) in another engine the admin owns. */
  listIn(engine: ReferenceMarginEngine): Promise<void>;
  /** The asset's market as a simulation market (requires `market`). */
  simMarket(): SimMarket;
}

/**
 * Adds a thin, volatile asset to a system: a `TestToken` (18 decimals), a Chainlink `EACAggregatorProxy` in
 * front of a test aggregator, a TOKEN/USDC Uniswap V3 pool created through the environment's factory (the
 * replica's is at the mainnet address; on a fork the real one) and seeded thin, and a volatility-oracle
 * configuration for its feed. Optionally lists it as tier-2 collateral with an own-volatility haircut
 * and/or as a market, in the module and the system's engine. Then writes an hour of warm-up rounds (the
 * system's feeds and depth kept fresh meanwhile) so that its volatility is valid and the pool's TWAP window
 * is filled, and refreshes the market's depth twice, in two blocks.
 */
export async function addThinAsset(system: System, options: ThinAssetOptions = {}): Promise<ThinAsset> {
  const { connection, environment, ballast, admin } = system;
  const { ethers } = connection;
  const symbol = options.symbol ?? "THIN";
  const price = options.price ?? 2;
  const sigma = options.sigma ?? 1;
  const fee = options.fee ?? 3_000;
  const tickSpacing = FEE_TICK_SPACING[fee];
  if (tickSpacing === undefined) throw new RangeError(`fee ${fee} is not a Uniswap V3 fee tier`);

  const token = (await ethers.deployContract("TestToken", [`${symbol} token`, symbol, TOKEN_DECIMALS], admin)) as unknown as TestToken;
  const address = await token.getAddress();
  const usdc = await environment.usdc.getAddress();
  const feed = await deployFeed(ethers, 8, `${symbol} / USD`);

  const factory = new Contract(MAINNET.uniswapV3Factory, UNISWAP_V3_FACTORY_ARTIFACT.abi, admin);
  const pool = await createPool(connection, { factory }, address, usdc, fee);
  const baseIsToken0 = BigInt(address) < BigInt(usdc);
  const orientation: Orientation = {
    baseIsToken0,
    token0Decimals: baseIsToken0 ? TOKEN_DECIMALS : USDC_DECIMALS,
    token1Decimals: baseIsToken0 ? USDC_DECIMALS : TOKEN_DECIMALS,
  };
  // L * sqrt(P) in raw quote units is the quote a full-range position of liquidity L holds.
  const sqrtRawPrice = Math.sqrt(price * 10 ** (USDC_DECIMALS - TOKEN_DECIMALS));
  const totalLiquidity = BigInt(Math.round(((options.liquidityUsd ?? 5_000_000) * 10 ** USDC_DECIMALS) / sqrtRawPrice));
  const profile = generateProfile({ kind: options.profile ?? "wide", spotPrice: price, ...orientation, fee, tickSpacing, totalLiquidity });
  const seeder = await (await ethers.deployContract("LiquiditySeeder")).waitForDeployment();
  await seedPool(connection, { seeder: await seeder.getAddress() }, pool, profile);

  // A first round, the estimator configured and its reference taken.
  await setPrice(feed, price);
  const oracle = ballast.volatilityOracle.connect(admin);
  await (await oracle.configureFeed(feed.address, defaultFeedConfig(options.volatility))).wait();
  await (await oracle.poke(feed.address)).wait();

  const module = ballast.riskModule.connect(admin);
  const engine = ballast.engine.connect(admin);
  let collateral: IRiskTypes.CollateralConfigStruct | undefined;
  if (options.collateral !== undefined && options.collateral !== false) {
    const overrides = options.collateral === true ? {} : options.collateral;
    collateral = defaultCollateralConfig(feed.address, { ...THIN_COLLATERAL_CONFIG, ...overrides });
    await (await module.configureCollateral(address, collateral)).wait();
  }
  let marketConfig: IRiskTypes.MarketConfigStruct | undefined;
  const liquidationBonus = options.market?.liquidationBonus ?? wad(0.01);
  if (options.market !== undefined) {
    marketConfig = defaultMarketConfig(feed.address, await pool.getAddress(), baseIsToken0, {
      ...THIN_MARKET_CONFIG,
      ...options.market.config,
    });
    await (await module.configureMarket(options.market.id, marketConfig)).wait();
  }

  const listIn = async (target: ReferenceMarginEngine): Promise<void> => {
    const owned = target.connect(admin);
    if (collateral !== undefined) await (await owned.listCollateral(address, { feed: feed.address })).wait();
    if (options.market !== undefined && marketConfig !== undefined) {
      await (
        await owned.listMarket(options.market.id, {
          feed: feed.address,
          maintenanceMargin: marketConfig.maintenanceMargin,
          liquidationBonus,
        })
      ).wait();
    }
  };
  await listIn(engine);

  // Warm-up: an hour of rounds at about `sigma` (the price alternates half a standard deviation per round
  // either side of the start: moves of one standard deviation), while the system's own feeds and depth stay
  // fresh and the pool's TWAP window fills.
  const move = (sigma * Math.sqrt(ROUND_SPACING / YEAR)) / 2;
  for (let i = 0; i < WARM_UP_ROUNDS; i++) {
    await system.advance(ROUND_SPACING);
    await setPrice(feed, price * (i === WARM_UP_ROUNDS - 1 ? 1 : 1 + (i % 2 === 0 ? move : -move)));
    await (await oracle.poke(feed.address)).wait();
  }
  if (options.market !== undefined) {
    for (let i = 0; i < 2; i++) await (await module.refreshDepth(options.market.id)).wait();
  }

  const asset: ThinAsset = {
    symbol,
    token,
    address,
    feed,
    pool,
    orientation,
    startPrice: price,
    ...(options.market === undefined ? {} : { market: options.market.id }),
    ...(collateral === undefined ? {} : { collateral }),
    ...(marketConfig === undefined ? {} : { marketConfig }),
    liquidationBonus,
    setPrice: (p) => setPrice(feed, p),
    movePool: (p) => alignPool(connection, environment.swapper, pool, orientation, p),
    async poolPrice() {
      return priceFromSqrtPriceX96((await readSlot0(pool)).sqrtPriceX96, orientation);
    },
    async deposit(engineAddress, user, amount) {
      const units = BigInt(Math.round(amount * 1e6)) * 10n ** BigInt(TOKEN_DECIMALS - 6);
      if (units === 0n) return;
      await (await token.connect(admin).mint(await user.getAddress(), units)).wait();
      await (await token.connect(user).approve(engineAddress, units)).wait();
      const target = await ethers.getContractAt("ReferenceMarginEngine", engineAddress, user);
      await (await target.deposit(address, units)).wait();
    },
    listIn,
    simMarket() {
      if (options.market === undefined) throw new Error(`${symbol} is not listed as a market`);
      return {
        id: options.market.id,
        feed,
        pool,
        orientation,
        base: address,
        quote: usdc,
        startPrice: price,
        movePool: async (p) => {
          await alignPool(connection, environment.swapper, pool, orientation, p);
        },
        deposit: async (engineAddress, wallet, account) => {
          await depositCollateral(connection, environment, engineAddress, wallet, { usdc: account.usdc });
          await asset.deposit(engineAddress, wallet, account.weth);
        },
      };
    },
  };
  return asset;
}
