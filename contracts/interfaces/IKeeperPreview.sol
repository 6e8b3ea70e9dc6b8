// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IRiskLens} from "./IRiskLens.sol";

/// @title IKeeperPreview
/// @notice What a keeper reads to act in the block after new Chainlink rounds, before its own volatility
/// poke is mined: the results of `StatusPreview` and `DeleveragePreview`, two contracts that are never
/// deployed. A keeper runs one as a deployless `eth_call` (a call without `to` whose data is the contract's
/// creation code and constructor arguments): the constructor pokes the volatility oracle for the given feeds,
/// then does its work on that state, and always reverts with its result, so nothing it does persists even if
/// it were sent as a transaction. The keeper then sends the poke and the deleverages as consecutive
/// transactions (consecutive nonces, without waiting), which a block executes in that order.
/// @dev Constructors: `StatusPreview(IVolatilityOracle oracle, address[] feeds, IRiskModule module,
/// address[] accounts)` and `DeleveragePreview(IVolatilityOracle oracle, address[] feeds, IRiskModule module,
/// address account, uint256 market)`. A poke that reverts is skipped (the real poke would fail the same way).
interface IKeeperPreview {
    /// @notice `StatusPreview`'s result: each account's status after the pokes, exactly as
    /// `IRiskLens.statusBatch` reports it (an account whose evaluation reverts has `ok == false`).
    error StatusPreviewed(IRiskLens.AccountStatusEntry[] entries);

    /// @notice `DeleveragePreview`'s result when the deleverage succeeds after the pokes.
    /// @param sizeDelta The size it removes, base units WAD.
    /// @param keeperFee The fee it pays (`deleverageQuote` after the pokes), WAD USD.
    /// @param gasUsed The gas of the `deleverage` call itself, measured inside the preview (the storage the
    /// pokes read is warm there, so a transaction needs some more).
    error DeleveragePreviewed(uint256 sizeDelta, uint256 keeperFee, uint256 gasUsed);

    /// @notice `DeleveragePreview`'s result when the deleverage reverts after the pokes.
    /// @param reason The module's revert data, unchanged (`NothingToDeleverage`, `AlreadyDeleveraged`, ...).
    error DeleveragePreviewFailed(bytes reason);
}
