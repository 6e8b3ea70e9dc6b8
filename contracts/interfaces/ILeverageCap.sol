// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IReferenceMarginEngine} from "./IReferenceMarginEngine.sol";
import {IOptionsRiskHook} from "./IOptionsRiskHook.sol";
import {IRiskHook} from "./IRiskHook.sol";

/// @title ILeverageCap
/// @notice The baseline policies Ballast is compared with: leverage caps as most perpetuals venues use.
/// A position of notional `N` needs initial margin `N / L(N)`, where `L` is the leverage of the tier whose
/// notional ceiling `N` falls under (dYdX and Hyperliquid tier their margin by position size this way; one
/// tier is a static leverage cap). An increase is accepted when the account's total initial margin is at
/// most its equity (collateral at oracle prices, no haircut, plus PnL and ledger, as the engine sees it).
/// Nothing shrinks with volatility or depth, and nothing deleverages: only the engine's liquidation acts.
/// @dev No admin: the tiers are fixed at construction. Baselines for simulations, not a product.
interface ILeverageCap is IRiskHook, IOptionsRiskHook {
    /// @notice A margin tier: positions with notional up to `maxNotional` (WAD USD) may use `maxLeverage`.
    struct Tier {
        uint128 maxNotional;
        uint128 maxLeverage;
    }

    /// @notice The account's initial margin exceeds its equity after an increase.
    error LeverageExceeded(uint256 market, uint256 initialMargin, int256 equity);

    /// @notice Tiers must have increasing ceilings and non-increasing leverage of at least 1.
    error InvalidTiers(uint256 index);

    /// @notice The engine whose accounts this cap checks.
    function engine() external view returns (IReferenceMarginEngine);

    /// @notice The tiers, by increasing notional ceiling.
    function tiers() external view returns (Tier[] memory);

    /// @notice The largest notional the account's position in `market` may reach, given its other positions.
    function maxNotional(address account, uint256 market) external view returns (uint256);
}
