// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IUniswapV3PoolMinimal} from "./IUniswapV3PoolMinimal.sol";

/// @title PoolSwapper
/// @notice TEST HELPER. Swaps directly against a Uniswap V3 pool (no router), paying the input from its own
/// token balance in `uniswapV3SwapCallback`, and reports the pool's signed amounts and the price after.
/// Swap to a price (an unlimited exact input with `sqrtPriceLimitX96` at the target) or by an amount.
/// Trust: anyone may call `swap` and so spend whatever the swapper holds; it exists only on test chains.
contract PoolSwapper {
    using SafeERC20 for IERC20;

    /// @notice A swap callback came from an address other than the pool being swapped.
    error UnexpectedCallback(address caller, address expected);

    /// @notice A swap on `pool`: the pool's signed deltas (positive = paid into the pool) and its price after.
    event Swapped(
        address indexed pool,
        bool zeroForOne,
        int256 amount0,
        int256 amount1,
        uint160 sqrtPriceX96After,
        int24 tickAfter
    );

    /// @dev The pool being swapped during `swap`; zero outside it.
    address private transient _activePool;

    /// @notice Swaps on `pool` and sends the output to `recipient`.
    /// @param amountSpecified Positive: exact input; negative: exact output (as in the pool).
    /// @param sqrtPriceLimitX96 The price at which the swap stops (below the price for `zeroForOne`).
    /// @return amount0 The pool's token0 delta (positive = paid into the pool).
    /// @return amount1 The pool's token1 delta (positive = paid into the pool).
    function swap(
        address pool,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        address recipient
    ) external returns (int256 amount0, int256 amount1) {
        _activePool = pool;
        (amount0, amount1) = IUniswapV3PoolMinimal(pool).swap(
            recipient,
            zeroForOne,
            amountSpecified,
            sqrtPriceLimitX96,
            ""
        );
        _activePool = address(0);
        (uint160 sqrtPriceX96After, int24 tickAfter, , , , , ) = IUniswapV3PoolMinimal(pool).slot0();
        emit Swapped(pool, zeroForOne, amount0, amount1, sqrtPriceX96After, tickAfter);
    }

    /// @notice Pays the pool the input a swap owes, from this contract's balance.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != _activePool) revert UnexpectedCallback(msg.sender, _activePool);
        IUniswapV3PoolMinimal pool = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).safeTransfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).safeTransfer(msg.sender, uint256(amount1Delta));
    }
}
