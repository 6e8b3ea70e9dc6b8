// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";

import {ChainlinkReader} from "../libraries/ChainlinkReader.sol";

/// @title ChainlinkReaderHarness
/// @notice TEST HELPER. Exposes `ChainlinkReader.read` at the `Fresh` level.
contract ChainlinkReaderHarness {
    function read(IAggregatorV3 feed, uint256 maxAge) external view returns (ChainlinkReader.Reading memory) {
        return ChainlinkReader.read(feed, maxAge, ChainlinkReader.Level.Fresh);
    }
}

/// @title CostlyFeed
/// @notice TEST HELPER. A feed that answers 2,000 (8 decimals) after spending about `cost` gas, or reverts on its
/// own when `fails`: a stand-in for any read whose cost is large against what follows it.
contract CostlyFeed {
    uint256 public immutable cost;
    bool public immutable fails;

    error FeedDown();

    constructor(uint256 cost_, bool fails_) {
        (cost, fails) = (cost_, fails_);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint256 until = gasleft() > cost ? gasleft() - cost : 0;
        while (gasleft() > until) {}
        if (fails) revert FeedDown();
        return (1, 2_000e8, block.timestamp, block.timestamp, 1);
    }
}
