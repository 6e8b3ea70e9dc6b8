/** Uniswap V3 mainnet replica: real bytecode at mainnet addresses, liquidity from tick snapshots, exact depth. */
export { FEE_TICK_SPACING, MAINNET } from "./addresses.js";
export { type DepthResult, exactDepth } from "./depth.js";
export { initialSqrtPrice, type Segment, type SeedOptions, seedPool, segmentsOf } from "./liquidity.js";
export {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
  type Orientation,
  priceFromSqrtPriceX96,
  priceFromTick,
  sqrtPriceX96FromPrice,
  tickFromPrice,
} from "./math.js";
export { readLiquidity, readPoolConfig, readSlot0, readTick, type Slot0 } from "./poolState.js";
export { generateProfile, type ProfileKind, type ProfileOptions } from "./profiles.js";
export {
  computePoolAddress,
  createPool,
  deployStablecoinAt,
  deployUniswapReplica,
  FACTORY_SLOTS,
  poolAt,
  type Replica,
  STABLECOIN_SLOTS,
  type UniswapConn,
  WETH9_SLOTS,
} from "./replica.js";
export { swapExactIn, type SwapResult } from "./swap.js";
export { parseTickSnapshot, readTickSnapshot, SNAPSHOT_TOLERANCE, type SnapshotTick, type TickSnapshot } from "./tickSnapshot.js";
export { balanceOf, fundToken } from "./tokens.js";
