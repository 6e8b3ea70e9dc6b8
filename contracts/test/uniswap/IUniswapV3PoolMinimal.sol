// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IUniswapV3PoolView} from "../../interfaces/external/IUniswapV3PoolView.sol";

/// @title IUniswapV3PoolMinimal
/// @notice TEST HELPER. The views Ballast reads (`IUniswapV3PoolView`) and the two actions of a Uniswap V3 pool
/// (v3-core 1.0.1, compiled with solc 0.7.6) that the replica's helper contracts call, declared here so that the
/// project never compiles Uniswap's pre-0.8 sources. Signatures are identical to `IUniswapV3PoolActions`.
interface IUniswapV3PoolMinimal is IUniswapV3PoolView {
    /// @notice Adds `amount` liquidity to the position (recipient, tickLower, tickUpper); the pool calls
    /// `uniswapV3MintCallback` on the caller for the tokens owed.
    function mint(
        address recipient,
        int24 tickLower,
        int24 tickUpper,
        uint128 amount,
        bytes calldata data
    ) external returns (uint256 amount0, uint256 amount1);

    /// @notice Swaps token0 for token1 (`zeroForOne`) or back; positive `amountSpecified` is an exact input,
    /// negative an exact output. The pool calls `uniswapV3SwapCallback` on the caller for the input owed.
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
}
