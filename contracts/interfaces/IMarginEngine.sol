// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMarginEngine
/// @notice What a margin engine must provide to integrate Ballast's risk module.
/// @dev Integration contract, in three parts:
/// 1. After applying a trade that increases an account's risk (opens or grows a position, flips it, or
///    withdraws collateral), the engine calls `IRiskModule.validateIncrease(account, market)` (or
///    `validateAccount(account)` for withdrawals) and lets its revert undo the trade. It never calls the
///    module for reductions, closes or liquidations.
/// 2. It reports the account as the module must see it: `accountSnapshot` and `openInterest`, in the
///    units below, at the state after the trade.
/// 3. It lets the module, and only the module, reduce a position (`reducePosition`): reduce-only, at the
///    engine's own execution price, paying the keeper fee out of the account.
///
/// Units: collateral amounts in the token's own decimals; position sizes in base units scaled by 1e18
/// (WAD), signed (positive long, negative short); prices and quote amounts in WAD quote (USD).
interface IMarginEngine {
    /// @notice A collateral balance of an account.
    /// @param asset The ERC20 token.
    /// @param amount The balance in the token's own decimals.
    struct CollateralBalance {
        address asset;
        uint256 amount;
    }

    /// @notice An open position of an account.
    /// @param market The market id, as configured in the risk module.
    /// @param size Signed size in base units, WAD (positive long, negative short).
    /// @param entryPrice Average entry price, WAD quote per base unit.
    struct PositionSnapshot {
        uint256 market;
        int256 size;
        uint256 entryPrice;
    }

    /// @notice Everything the module needs to compute an account's caps.
    /// @param collateral Non-zero collateral balances.
    /// @param positions Open (non-zero) positions, at most one per market.
    /// @param adjustments Signed quote amount the engine owes the account (+) or the account owes (-) beyond
    /// collateral and unrealized PnL: realized PnL, funding, fees. WAD quote.
    struct AccountSnapshot {
        CollateralBalance[] collateral;
        PositionSnapshot[] positions;
        int256 adjustments;
    }

    /// @notice The account as the module must see it, after the trade being validated.
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot);

    /// @notice Open interest of a market per side, in base units (WAD).
    function openInterest(uint256 market) external view returns (uint256 longSize, uint256 shortSize);

    /// @notice Reduces a position towards zero by `sizeDelta` (base units, WAD, never more than its size)
    /// at the engine's execution price, and pays `keeperFee` (WAD quote) from the account to `keeper`.
    /// @dev Must be callable only by the risk module; must never increase the position or flip it.
    function reducePosition(
        address account,
        uint256 market,
        uint256 sizeDelta,
        address keeper,
        uint256 keeperFee
    ) external;
}
