// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {IUniswapV3MintCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3MintCallback.sol";
import {IUniswapV3SwapCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3SwapCallback.sol";

import {IRiskModule} from "../../interfaces/IRiskModule.sol";

/// @title PoolManipulator
/// @notice TEST ATTACKER. Manipulates a pool inside one transaction, as a flash loan would fund, around a
/// refresh of the risk module's depth state: adds and removes liquidity (`flashLiquidity`), or pushes the
/// spot price and swaps back (`flashSwap`). Also adds and removes liquidity in separate transactions (an
/// ordinary LP), for the tests of the depth state's smoothing.
contract PoolManipulator is IUniswapV3MintCallback, IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    error UnknownPool(address caller);

    uint160 private constant _MIN_SQRT = 4_295_128_739;
    uint160 private constant _MAX_SQRT = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342;

    IUniswapV3Pool public immutable pool;
    IRiskModule public immutable module;

    constructor(IUniswapV3Pool pool_, IRiskModule module_) {
        pool = pool_;
        module = module_;
    }

    /// @notice Mints `liquidity` in [tickLower, tickUpper), refreshes depth of `market`, burns and collects.
    function flashLiquidity(uint256 market, int24 tickLower, int24 tickUpper, uint128 liquidity) external {
        pool.mint(address(this), tickLower, tickUpper, liquidity, "");
        module.refreshDepth(market);
        pool.burn(tickLower, tickUpper, liquidity);
        pool.collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
    }

    /// @notice Swaps the pool to `sqrtPriceLimitX96`, refreshes depth of `market`, and swaps back all it got.
    function flashSwap(uint256 market, bool zeroForOne, uint160 sqrtPriceLimitX96) external {
        (int256 amount0, int256 amount1) = pool.swap(
            address(this),
            zeroForOne,
            type(int256).max,
            sqrtPriceLimitX96,
            ""
        );
        module.refreshDepth(market);
        int256 back = zeroForOne ? -amount1 : -amount0;
        pool.swap(address(this), !zeroForOne, back, zeroForOne ? _MAX_SQRT - 1 : _MIN_SQRT + 1, "");
    }

    /// @notice Adds liquidity that stays (an ordinary LP position).
    function add(int24 tickLower, int24 tickUpper, uint128 liquidity) external {
        pool.mint(address(this), tickLower, tickUpper, liquidity, "");
    }

    /// @notice Removes liquidity added by `add` and collects the tokens.
    function remove(int24 tickLower, int24 tickUpper, uint128 liquidity) external {
        pool.burn(tickLower, tickUpper, liquidity);
        pool.collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != address(pool)) revert UnknownPool(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).safeTransfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).safeTransfer(msg.sender, uint256(amount1Delta));
    }

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != address(pool)) revert UnknownPool(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).safeTransfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).safeTransfer(msg.sender, amount1Owed);
    }
}
