// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol";

import {IRiskModule} from "../interfaces/IRiskModule.sol";

/// @title ChainlinkReader
/// @notice Reads a Chainlink feed and classifies what is wrong with the round (RISK-MODEL.md section 6).
/// @dev Two levels: every read needs a positive answer, `updatedAt <= now` and `now - updatedAt <= maxAge`;
/// a strict read (risk-increasing actions) also needs `answeredInRound >= roundId`. A reverting feed is
/// reported, never propagated, so callers decide whether to fail closed or report.
library ChainlinkReader {
    /// @notice The latest answer of `feed` if it passes the checks of the level.
    /// @return ok Whether the round passed.
    /// @return fault What failed (meaningless when `ok`).
    /// @return answer The raw answer, in the feed's decimals.
    function read(
        AggregatorV3Interface feed,
        uint256 maxAge,
        bool strict
    ) internal view returns (bool ok, IRiskModule.PriceFault fault, uint256 answer) {
        try feed.latestRoundData() returns (
            uint80 roundId,
            int256 value,
            uint256,
            uint256 updatedAt,
            uint80 answeredIn
        ) {
            if (value <= 0) return (false, IRiskModule.PriceFault.NonPositive, 0);
            if (updatedAt > block.timestamp) return (false, IRiskModule.PriceFault.FutureTimestamp, 0);
            if (block.timestamp - updatedAt > maxAge) return (false, IRiskModule.PriceFault.Stale, 0);
            if (strict && answeredIn < roundId) return (false, IRiskModule.PriceFault.IncompleteRound, 0);
            return (true, IRiskModule.PriceFault.Reverted, uint256(value));
        } catch {
            return (false, IRiskModule.PriceFault.Reverted, 0);
        }
    }
}
