// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IRiskModule} from "./IRiskModule.sol";

/// @title IRiskLens
/// @notice Periphery for keepers and front ends: the status of many accounts in one call.
interface IRiskLens {
    /// @notice One account's status; `ok` is false when evaluating it reverted (e.g. it holds an unlisted
    /// collateral), in which case `status` is empty and `reason` holds the revert data.
    struct AccountStatusEntry {
        address account;
        bool ok;
        IRiskModule.AccountStatus status;
        bytes reason;
    }

    /// @notice The status of each account, in order. Never reverts because of one account.
    function statusBatch(
        IRiskModule module,
        address[] calldata accounts
    ) external view returns (AccountStatusEntry[] memory entries);
}
