// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IOptionsEngine} from "./IOptionsEngine.sol";

/// @title IOptionsRiskHook
/// @notice The check an options engine calls after every options trade (see `IOptionsEngine` for the rest of
/// its integration contract). Perpetual-only engines never call it and need not know it exists.
interface IOptionsRiskHook {
    /// @notice Reverts unless the account is acceptable after an options trade on `market`'s underlying whose
    /// Greeks (per-unit Greeks times the signed units) are `trade`. A trade that does not raise the book's
    /// worst scenario loss is never rejected.
    function validateOptionsTrade(address account, uint256 market, IOptionsEngine.Greeks calldata trade) external view;
}
