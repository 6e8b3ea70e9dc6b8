// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IKeeperPreview} from "../interfaces/IKeeperPreview.sol";
import {IRiskLens} from "../interfaces/IRiskLens.sol";
import {IRiskModule} from "../interfaces/IRiskModule.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";

/// @notice Pokes `feeds` on `oracle`, skipping a poke that reverts.
function _pokeAll(IVolatilityOracle oracle, address[] memory feeds) {
    for (uint256 i; i < feeds.length; ++i) {
        try oracle.poke(feeds[i]) {} catch {}
    }
}

/// @title StatusPreview
/// @notice Never deployed: run as a deployless `eth_call` (see `IKeeperPreview`). Pokes the oracle for
/// `feeds`, then reverts with `StatusPreviewed`: the status of each account on that state.
contract StatusPreview is IKeeperPreview {
    constructor(IVolatilityOracle oracle, address[] memory feeds, IRiskModule module, address[] memory accounts) {
        _pokeAll(oracle, feeds);
        IRiskLens.AccountStatusEntry[] memory entries = new IRiskLens.AccountStatusEntry[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            entries[i].account = accounts[i];
            try module.accountStatus(accounts[i]) returns (IRiskModule.AccountStatus memory status) {
                entries[i].ok = true;
                entries[i].status = status;
            } catch (bytes memory reason) {
                entries[i].reason = reason;
            }
        }
        revert StatusPreviewed(entries);
    }
}

/// @title DeleveragePreview
/// @notice Never deployed: run as a deployless `eth_call` (see `IKeeperPreview`). Pokes the oracle for
/// `feeds`, then deleverages `account` in `market` and reverts with the result (`DeleveragePreviewed` or
/// `DeleveragePreviewFailed`): the deleverage never persists, and its fee is never paid to this address.
contract DeleveragePreview is IKeeperPreview {
    constructor(IVolatilityOracle oracle, address[] memory feeds, IRiskModule module, address account, uint256 market) {
        _pokeAll(oracle, feeds);
        uint256 keeperFee;
        try module.deleverageQuote(account, market) returns (uint256, uint256, uint256 fee) {
            keeperFee = fee;
        } catch {}
        uint256 start = gasleft();
        try module.deleverage(account, market) returns (uint256 sizeDelta) {
            revert DeleveragePreviewed(sizeDelta, keeperFee, start - gasleft());
        } catch (bytes memory reason) {
            revert DeleveragePreviewFailed(reason);
        }
    }
}
