/** Mainnet addresses and constants that the Uniswap V3 replica reproduces. */

/** Ethereum mainnet addresses (checksummed) and Uniswap V3's pool init code hash. */
export const MAINNET = {
  uniswapV3Factory: "0x1F98431c8aD98523631AE4a59f267346ea31F984",
  /** USDC/WETH 0.05 % (fee 500, tick spacing 10). */
  usdcWeth500: "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640",
  /** USDC/WETH 0.3 % (fee 3000, tick spacing 60). */
  usdcWeth3000: "0x8ad599c3A0ff1De082011EFDDc58f1908eb6e6D8",
  weth: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
  /** 6 decimals. */
  usdc: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
  /** keccak256 of UniswapV3Pool's creation code: pools are CREATE2 children of the factory with this hash. */
  poolInitCodeHash: "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54",
} as const;

/** Fee tiers enabled on the mainnet factory and their tick spacings (100 was enabled by governance in 2021). */
export const FEE_TICK_SPACING: Readonly<Record<number, number>> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };
