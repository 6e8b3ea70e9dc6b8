// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IUniswapV3PoolView
/// @notice The view functions of a Uniswap V3 pool that Ballast reads (a market's reference pool: TWAP, depth
/// walk, token order), declared here so that Ballast's interfaces import nothing from a third party. The
/// signatures are those of Uniswap v3-core's `IUniswapV3Pool` (`IUniswapV3PoolImmutables`,
/// `IUniswapV3PoolState`, `IUniswapV3PoolDerivedState`): any Uniswap V3 pool is an `IUniswapV3PoolView`, convert
/// with `IUniswapV3PoolView(address(pool))`. In the ABI a pool is an `address`.
interface IUniswapV3PoolView {
    /// @notice The first of the pool's two tokens, sorted by address.
    function token0() external view returns (address);

    /// @notice The second of the pool's two tokens, sorted by address.
    function token1() external view returns (address);

    /// @notice The pool's tick spacing.
    function tickSpacing() external view returns (int24);

    /// @notice The pool's current price, tick and oracle state.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );

    /// @notice The in-range liquidity at the current tick.
    function liquidity() external view returns (uint128);

    /// @notice The state of an initialized tick (Ballast reads `liquidityNet`).
    function ticks(
        int24 tick
    )
        external
        view
        returns (
            uint128 liquidityGross,
            int128 liquidityNet,
            uint256 feeGrowthOutside0X128,
            uint256 feeGrowthOutside1X128,
            int56 tickCumulativeOutside,
            uint160 secondsPerLiquidityOutsideX128,
            uint32 secondsOutside,
            bool initialized
        );

    /// @notice 256 packed "tick initialized" bits of a bitmap word.
    function tickBitmap(int16 wordPosition) external view returns (uint256);

    /// @notice Cumulative tick and seconds per liquidity as of each `secondsAgos` before now; reverts when the
    /// pool's observations do not reach that far back.
    function observe(
        uint32[] calldata secondsAgos
    ) external view returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
}
