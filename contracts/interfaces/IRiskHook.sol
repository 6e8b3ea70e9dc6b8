// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IRiskHook
/// @notice The check a margin engine calls after a risk-increasing action and lets revert the action. Ballast's
/// risk module implements it (its errors: `IRiskErrors`), and so do the baseline policies the simulator
/// compares it with (`LeverageCap`).
/// @dev When to call (the whole integration contract is `IMarginEngine`):
/// - `validateIncrease(account, market)` after applying a trade that opens, grows or flips the account's
///   perpetual position in `market`, in the same transaction, after every effect of the trade;
/// - `validateAccount(account)` after an action that lowers the account's equity without a trade (a
///   collateral withdrawal, a transfer of margin out);
/// - never for reductions, closes or liquidations: they must not depend on the hook.
/// Both are views; a revert means the action must be undone.
interface IRiskHook {
    /// @notice Reverts unless the account is acceptable after its position in `market` was increased.
    function validateIncrease(address account, uint256 market) external view;

    /// @notice Reverts unless the account is acceptable after an action that lowered its equity.
    function validateAccount(address account) external view;
}
