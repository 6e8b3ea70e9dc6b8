// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";

/// @notice Measures what an actual swap achieves, without changing anything: it moves the pool's price to a
/// start price, then swaps (unbounded amount) until a target price, and reverts with the quote that moved.
/// The caller catches the revert (`measure` never returns normally).
contract DepthProbe {
    /// @notice The result, carried by the revert.
    error Measured(uint256 quoteRaw);

    error UnexpectedCallback(address caller);

    address private transient _pool;

    /// @notice Swaps `pool` to `startSqrtPriceX96`, then to `targetSqrtPriceX96`, and reverts with the absolute
    /// quote amount of the second swap (raw units; the quote is token1 unless `quoteIsToken0`).
    function measure(
        IUniswapV3Pool pool,
        bool quoteIsToken0,
        uint160 startSqrtPriceX96,
        uint160 targetSqrtPriceX96
    ) external {
        _pool = address(pool);
        _swapTo(pool, startSqrtPriceX96);
        (int256 amount0, int256 amount1) = _swapTo(pool, targetSqrtPriceX96);
        int256 quote = quoteIsToken0 ? amount0 : amount1;
        revert Measured(quote >= 0 ? uint256(quote) : uint256(-quote));
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != _pool) revert UnexpectedCallback(msg.sender);
        IUniswapV3Pool pool = IUniswapV3Pool(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).transfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).transfer(msg.sender, uint256(amount1Delta));
    }

    function _swapTo(IUniswapV3Pool pool, uint160 target) private returns (int256 amount0, int256 amount1) {
        (uint160 current, , , , , , ) = pool.slot0();
        if (current == target) return (0, 0);
        bool zeroForOne = target < current;
        (amount0, amount1) = pool.swap(address(this), zeroForOne, type(int128).max, target, "");
    }
}
