// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IConformanceVm
/// @notice The cheatcodes the conformance kit uses, at the standard cheatcode address. Foundry (`forge test`) and
/// Hardhat 3 (`hardhat test solidity`) both serve them; the kit needs no forge-std.
interface IConformanceVm {
    /// @notice A log recorded after `recordLogs`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice Makes the next call's `msg.sender` `sender`.
    function prank(address sender) external;

    /// @notice Starts recording the logs emitted.
    function recordLogs() external;

    /// @notice The logs recorded since `recordLogs` (or the last call of this function).
    function getRecordedLogs() external returns (Log[] memory logs);
}
