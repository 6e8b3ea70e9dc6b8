import type { Contract, Signer } from "ethers";

import type { Feed } from "../chainlink/feeds.js";
import { type Connection, depositCollateral, ETH_MARKET, movePoolTo, type System } from "../system.js";
import { USDC_WETH } from "../environment.js";
import {
  fundToken,
  type Orientation,
  readPoolConfig,
  readSlot0,
  sqrtPriceX96FromPrice,
  swapExactIn,
  type SwapResult,
} from "../uniswap/index.js";
import { swapThroughSwapper } from "../uniswap/swap.js";
import { topUp } from "../uniswap/tokens.js";
import type { BookAccount } from "./book.js";

/**
 * The market a simulation trades: its id, its Chainlink feed (published at every step), its reference pool
 * (aligned with the oracle at every step; what deleverages and liquidations close, and the base collateral
 * they seize, is unwound in it) and how the book's collateral is deposited. The ETH market by default
 * (`ethSimMarket`); a thin asset provides its own (`scripts/lib/scenarios/assets.ts`).
 */
export interface SimMarket {
  id: bigint;
  feed: Feed;
  pool: Contract;
  orientation: Orientation;
  /** The base token (sold when longs close or base collateral is seized). */
  base: string;
  /** The quote token (USDC). */
  quote: string;
  /** The base price the book opens at (USD). */
  startPrice: number;
  /** Moves the pool's spot price to `price` by swapping (an arbitrageur's trade). */
  movePool(price: number): Promise<void>;
  /** Deposits an account's collateral: `usdc` in USDC and `weth` in units of the market's base token. */
  deposit(engine: string, wallet: Signer, account: BookAccount): Promise<void>;
}

/** The system's ETH market: ETH/USD feed, USDC/WETH 0.05 % pool, USDC and WETH collateral. */
export async function ethSimMarket(system: System): Promise<SimMarket> {
  const { connection, environment } = system;
  return {
    id: ETH_MARKET,
    feed: system.feeds.eth,
    pool: environment.pool,
    orientation: USDC_WETH,
    base: await environment.weth.getAddress(),
    quote: await environment.usdc.getAddress(),
    startPrice: environment.ethPrice,
    movePool: (price) => movePoolTo(connection, environment, price),
    deposit: (engine, wallet, account) =>
      depositCollateral(connection, environment, engine, wallet, { usdc: account.usdc, weth: account.weth }),
  };
}

/** The base decimals of an orientation. */
export function baseDecimals(o: Orientation): number {
  return o.baseIsToken0 ? o.token0Decimals : o.token1Decimals;
}

/** The quote decimals of an orientation. */
export function quoteDecimals(o: Orientation): number {
  return o.baseIsToken0 ? o.token1Decimals : o.token0Decimals;
}

/**
 * Moves any pool's spot price to `target` (quote per base, human units) by swapping through `swapper` (a
 * `PoolSwapper`, which pays from its own balance: it is topped up with more than a move can take). Returns
 * the swap (the pool's signed deltas), or undefined when the pool already sits at the target.
 */
export async function alignPool(
  connection: Connection,
  swapper: string,
  pool: Contract,
  orientation: Orientation,
  target: number,
): Promise<SwapResult | undefined> {
  const slot0 = await readSlot0(pool);
  const limit = sqrtPriceX96FromPrice(target, orientation);
  if (limit === slot0.sqrtPriceX96) return undefined;
  // A lower sqrt price is a lower token1-per-token0 price, reached by paying token0 in.
  const zeroForOne = limit < slot0.sqrtPriceX96;
  const { token0, token1 } = await readPoolConfig(pool);
  const decimals = zeroForOne ? orientation.token0Decimals : orientation.token1Decimals;
  await topUp(connection, zeroForOne ? token0 : token1, swapper, 10n ** BigInt(decimals + 12));
  const [admin] = await connection.ethers.getSigners();
  return swapThroughSwapper(connection, { swapper }, pool, zeroForOne, 2n ** 200n, limit, admin!.address);
}

/**
 * Sells (`baseFlow < 0`) or buys base (WAD units) in the market's pool at about `price`, as the liquidator or
 * the insurance fund would unwind what deleverages and liquidations closed.
 */
export async function unwindInto(
  connection: Connection,
  swapper: string,
  market: SimMarket,
  baseFlow: bigint,
  price: number,
): Promise<void> {
  const sell = baseFlow < 0n;
  const wadAmount = sell ? -baseFlow : baseFlow;
  const baseUnits = 10n ** BigInt(baseDecimals(market.orientation));
  const amountIn = sell
    ? (wadAmount * baseUnits) / 10n ** 18n
    : BigInt(Math.ceil((Number(wadAmount) / 1e18) * price * 10 ** quoteDecimals(market.orientation)));
  if (amountIn === 0n) return;
  await fundToken(connection, sell ? market.base : market.quote, swapper, amountIn);
  // Selling base pays base in: zeroForOne exactly when base is token0.
  await swapExactIn(connection, { swapper }, market.pool, { zeroForOne: sell === market.orientation.baseIsToken0, amountIn });
}
