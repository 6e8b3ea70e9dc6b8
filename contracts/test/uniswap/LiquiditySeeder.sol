// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IUniswapV3PoolMinimal} from "./IUniswapV3PoolMinimal.sol";

/// @title LiquiditySeeder
/// @notice TEST HELPER. Mints many Uniswap V3 positions in one transaction, paying the pool from its own
/// token balance in `uniswapV3MintCallback`. The positions belong to this contract and are never burned.
/// Trust: anyone may call `mintBatch` and so spend whatever the seeder holds; it exists only on test chains
/// (the mainnet replica), where its funder mints exactly what a batch needs.
contract LiquiditySeeder {
    using SafeERC20 for IERC20;

    /// @notice One position to mint: liquidity `liquidity` on [tickLower, tickUpper).
    struct Position {
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
    }

    /// @notice A mint callback came from an address other than the pool being seeded.
    error UnexpectedCallback(address caller, address expected);

    /// @notice A batch of positions was minted in `pool`, costing `amount0` and `amount1`.
    event BatchMinted(address indexed pool, uint256 positions, uint256 amount0, uint256 amount1);

    /// @dev The pool being seeded during `mintBatch`; zero outside it.
    address private transient _activePool;

    /// @notice Mints every position in `positions` into `pool`, in order, with this contract as owner.
    /// @return amount0 Total token0 paid to the pool.
    /// @return amount1 Total token1 paid to the pool.
    function mintBatch(
        address pool,
        Position[] calldata positions
    ) external returns (uint256 amount0, uint256 amount1) {
        _activePool = pool;
        for (uint256 i; i < positions.length; ++i) {
            Position calldata p = positions[i];
            (uint256 paid0, uint256 paid1) = IUniswapV3PoolMinimal(pool).mint(
                address(this),
                p.tickLower,
                p.tickUpper,
                p.liquidity,
                ""
            );
            amount0 += paid0;
            amount1 += paid1;
        }
        _activePool = address(0);
        emit BatchMinted(pool, positions.length, amount0, amount1);
    }

    /// @notice Pays the pool what a mint owes, from this contract's balance.
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != _activePool) revert UnexpectedCallback(msg.sender, _activePool);
        IUniswapV3PoolMinimal pool = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).safeTransfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).safeTransfer(msg.sender, amount1Owed);
    }
}
