// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol";

import {IRiskModule} from "../interfaces/IRiskModule.sol";

/// @title ChainlinkReader
/// @notice Reads a Chainlink feed and classifies what is wrong with its latest round (RISK-MODEL.md section 6).
/// @dev Three levels, each including the ones before it:
/// - `Positive`: the answer is positive (enough to execute a reduction at some price);
/// - `Fresh`: `updatedAt <= now` and `now - updatedAt <= maxAge` (deleverage);
/// - `Strict`: `answeredInRound >= roundId` (risk-increasing actions).
/// A reverting feed is reported, never propagated, so callers decide whether to fail closed or report.
library ChainlinkReader {
    enum Level {
        Positive,
        Fresh,
        Strict
    }

    /// @notice The latest answer of `feed` if it passes the checks of `level`.
    /// @return ok Whether the round passed.
    /// @return fault What failed (meaningless when `ok`).
    /// @return answer The raw answer, in the feed's decimals.
    function read(
        AggregatorV3Interface feed,
        uint256 maxAge,
        Level level
    ) internal view returns (bool ok, IRiskModule.PriceFault fault, uint256 answer) {
        try feed.latestRoundData() returns (
            uint80 roundId,
            int256 value,
            uint256,
            uint256 updatedAt,
            uint80 answeredIn
        ) {
            if (value <= 0) return (false, IRiskModule.PriceFault.NonPositive, 0);
            if (level != Level.Positive) {
                if (updatedAt > block.timestamp) return (false, IRiskModule.PriceFault.FutureTimestamp, 0);
                if (block.timestamp - updatedAt > maxAge) return (false, IRiskModule.PriceFault.Stale, 0);
                if (level == Level.Strict && answeredIn < roundId) {
                    return (false, IRiskModule.PriceFault.IncompleteRound, 0);
                }
            }
            return (true, IRiskModule.PriceFault.Reverted, uint256(value));
        } catch {
            return (false, IRiskModule.PriceFault.Reverted, 0);
        }
    }

    /// @notice The level of a module read: `Strict` for increases, `Fresh` otherwise.
    function levelFor(bool strict) internal pure returns (Level) {
        return strict ? Level.Strict : Level.Fresh;
    }
}
