// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";

import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {GasGuard} from "./GasGuard.sol";

/// @title ChainlinkReader
/// @notice Reads a Chainlink feed and classifies what is wrong with its latest round (RISK-MODEL.md section 6).
/// @dev Three levels, each including the ones before it:
/// - `Positive`: the answer is positive (enough to execute a reduction at some price);
/// - `Fresh`: `updatedAt <= now` and `now - updatedAt <= maxAge` (deleverage);
/// - `Strict`: `answeredInRound >= roundId` (risk-increasing actions).
/// A reverting feed is reported, never propagated, so callers decide whether to fail closed or report; a read
/// starved of gas by the caller reverts (`GasGuard`).
library ChainlinkReader {
    enum Level {
        Positive,
        Fresh,
        Strict
    }

    /// @notice The latest round as read.
    /// @param ok Whether it passed the level's checks.
    /// @param fault The first check it failed (meaningless when `ok`).
    /// @param answer The raw answer in the feed's decimals whenever it is positive (also when `ok` is false
    /// for a later check, so that a caller may value a stale price conservatively); zero otherwise.
    /// @param updatedAt The round's `updatedAt` (zero when the feed reverted).
    struct Reading {
        bool ok;
        IRiskTypes.PriceFault fault;
        uint256 answer;
        uint256 updatedAt;
    }

    /// @notice The latest round of `feed`, checked at `level` with `maxAge` seconds of staleness allowed.
    function read(IAggregatorV3 feed, uint256 maxAge, Level level) internal view returns (Reading memory r) {
        uint256 gasBefore = gasleft();
        try feed.latestRoundData() returns (
            uint80 roundId,
            int256 value,
            uint256,
            uint256 updatedAt,
            uint80 answeredIn
        ) {
            r.updatedAt = updatedAt;
            if (value <= 0) {
                r.fault = IRiskTypes.PriceFault.NonPositive;
                return r;
            }
            r.answer = uint256(value);
            if (level != Level.Positive) {
                if (updatedAt > block.timestamp) {
                    r.fault = IRiskTypes.PriceFault.FutureTimestamp;
                    return r;
                }
                if (block.timestamp - updatedAt > maxAge) {
                    r.fault = IRiskTypes.PriceFault.Stale;
                    return r;
                }
                if (level == Level.Strict && answeredIn < roundId) {
                    r.fault = IRiskTypes.PriceFault.IncompleteRound;
                    return r;
                }
            }
            r.ok = true;
        } catch {
            GasGuard.requireNotStarved(address(feed), gasBefore);
            r.fault = IRiskTypes.PriceFault.Reverted;
        }
    }
}
