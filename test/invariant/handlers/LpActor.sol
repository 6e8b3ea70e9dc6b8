// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";

/// @notice A liquidity provider of the invariant suite: mints and burns one position per pool (paying from its
/// own balance), so that depth comes and goes across blocks.
contract LpActor {
    error UnexpectedCallback(address caller);

    struct Range {
        int24 lower;
        int24 upper;
        uint128 liquidity;
    }

    mapping(address pool => Range range) public ranges;

    /// @notice Adds `liquidity` on [lower, upper) to `pool`, unless a position there is open already.
    function mint(IUniswapV3Pool pool, int24 lower, int24 upper, uint128 liquidity) external returns (bool minted) {
        if (ranges[address(pool)].liquidity != 0) return false;
        ranges[address(pool)] = Range(lower, upper, liquidity);
        pool.mint(address(this), lower, upper, liquidity, "");
        return true;
    }

    /// @notice Removes the whole position in `pool` and collects what it owes.
    function burn(IUniswapV3Pool pool) external returns (bool burned) {
        Range memory r = ranges[address(pool)];
        if (r.liquidity == 0) return false;
        delete ranges[address(pool)];
        pool.burn(r.lower, r.upper, r.liquidity);
        pool.collect(address(this), r.lower, r.upper, type(uint128).max, type(uint128).max);
        return true;
    }

    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        IUniswapV3Pool pool = IUniswapV3Pool(msg.sender);
        if (ranges[msg.sender].liquidity == 0) revert UnexpectedCallback(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).transfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).transfer(msg.sender, amount1Owed);
    }
}
