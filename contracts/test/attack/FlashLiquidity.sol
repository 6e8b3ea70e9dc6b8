// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {IUniswapV3MintCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3MintCallback.sol";

import {IRiskModule} from "../../interfaces/IRiskModule.sol";

/// @title FlashLiquidity
/// @notice TEST ATTACKER. Adds liquidity to a pool, refreshes the risk module's depth state, and removes the
/// liquidity again, all in one transaction: the manipulation a flash loan would fund. Also adds and removes
/// liquidity in separate transactions (an ordinary LP), for the tests of the depth state's smoothing.
contract FlashLiquidity is IUniswapV3MintCallback {
    using SafeERC20 for IERC20;

    error UnknownPool(address caller);

    IUniswapV3Pool public immutable pool;
    IRiskModule public immutable module;

    constructor(IUniswapV3Pool pool_, IRiskModule module_) {
        pool = pool_;
        module = module_;
    }

    /// @notice Mints `liquidity` in [tickLower, tickUpper), refreshes depth of `market`, burns and collects.
    function attack(uint256 market, int24 tickLower, int24 tickUpper, uint128 liquidity) external {
        pool.mint(address(this), tickLower, tickUpper, liquidity, "");
        module.refreshDepth(market);
        pool.burn(tickLower, tickUpper, liquidity);
        pool.collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
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

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != address(pool)) revert UnknownPool(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).safeTransfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).safeTransfer(msg.sender, amount1Owed);
    }
}
