// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IHedgingEngine
/// @notice The optional extension a margin engine implements (beside `IMarginEngine` and `IOptionsEngine`) so that
/// a hedging keeper can keep its accounts' options books delta-hedged with perpetuals (the keeper's hedge mode,
/// docs/KEEPER.md). Engines without options books need not implement it.
/// @dev Who calls what, and when:
/// - an account opts in by calling `approveHedger(keeper, true)` (and out with `false`); the engine emits
///   `HedgerApproved`, from which the keeper learns whom it may hedge;
/// - the keeper reads `isHedger` and the module's `IRiskKeeper.greeksRisk`, and when the book's delta leaves its
///   rebalance band it calls `tradeFor(account, market, hedgeDelta)`;
/// - `tradeFor` is the account's own trade in every respect: the same execution price, the same
///   `IRiskHook.validateIncrease` after an increase, the same `PositionChanged`. It reverts with `NotHedger`
///   unless the account approved the caller.
interface IHedgingEngine {
    /// @notice `account` approved (or revoked) `hedger` to trade its perpetual positions with `tradeFor`.
    event HedgerApproved(address indexed account, address indexed hedger, bool approved);

    /// @notice `caller` is not a hedger `account` approved.
    error NotHedger(address account, address caller);

    /// @notice Approves (or revokes) `hedger` to trade the caller's perpetual positions with `tradeFor`.
    function approveHedger(address hedger, bool approved) external;

    /// @notice Changes `account`'s perpetual position in `market` by `sizeDelta` (base units WAD, signed), on
    /// behalf of an account that approved the caller as its hedger, under the same checks as its own trade.
    function tradeFor(address account, uint256 market, int256 sizeDelta) external;

    /// @notice Whether `hedger` may trade `account`'s perpetuals.
    function isHedger(address account, address hedger) external view returns (bool);
}
