// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRiskLens} from "../interfaces/IRiskLens.sol";
import {IRiskModule} from "../interfaces/IRiskModule.sol";

/// @title RiskLens
/// @notice Batch status reads for keepers (see `IRiskLens`). Stateless; holds nothing; no admin.
contract RiskLens is IRiskLens {
    /// @inheritdoc IRiskLens
    function statusBatch(
        IRiskModule module,
        address[] calldata accounts
    ) external view returns (AccountStatusEntry[] memory entries) {
        entries = new AccountStatusEntry[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            entries[i].account = accounts[i];
            try module.accountStatus(accounts[i]) returns (IRiskModule.AccountStatus memory status) {
                entries[i].ok = true;
                entries[i].status = status;
            } catch (bytes memory reason) {
                entries[i].reason = reason;
            }
        }
    }
}
