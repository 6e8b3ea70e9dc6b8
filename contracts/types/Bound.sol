// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @notice The named bounds whose minimum is a position's cap (RISK-MODEL.md section 3).
/// @dev `None` means no bound constrains the position (the cap is `type(uint256).max`). The order is the
/// tie-break: when two bounds are equal, the one listed first is reported as binding.
enum Bound {
    None,
    LiquidationDistance,
    VolatilityTarget,
    Depth,
    OpenInterest,
    CollateralTier,
    Greeks
}

/// @dev Number of real bounds (every member of `Bound` except `None`).
uint256 constant BOUND_COUNT = 6;
