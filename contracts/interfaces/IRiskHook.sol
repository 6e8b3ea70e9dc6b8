// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOptionsEngine} from "./IOptionsEngine.sol";

/// @title IRiskHook
/// @notice The checks a margin engine calls after a risk-changing action: Ballast's risk module implements
/// them, and so do the baseline policies the simulator compares it with (`LeverageCap`).
interface IRiskHook {
    /// @notice Reverts when the account's position in `market` is not acceptable after an increase.
    function validateIncrease(address account, uint256 market) external view;

    /// @notice Reverts when any position of the account is not acceptable (after a collateral withdrawal).
    function validateAccount(address account) external view;

    /// @notice Reverts when the account's options book on `market` is not acceptable after an options trade
    /// whose Greeks (per-unit Greeks times signed units) are `trade`. Called after every options trade.
    function validateOptionsTrade(address account, uint256 market, IOptionsEngine.Greeks calldata trade) external view;
}
