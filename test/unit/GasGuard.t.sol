// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAggregatorV3} from "../../contracts/interfaces/external/IAggregatorV3.sol";

import {IRiskTypes} from "../../contracts/interfaces/IRiskTypes.sol";
import {ChainlinkReader} from "../../contracts/libraries/ChainlinkReader.sol";
import {GasGuard} from "../../contracts/libraries/GasGuard.sol";
import {ChainlinkReaderHarness, CostlyFeed} from "../../contracts/test/ChainlinkReaderHarness.sol";
import {Test} from "../utils/Test.sol";

/// @notice `GasGuard` (fuzz runs: `FUZZ_RUNS` in hardhat.config.ts, 1,000): whoever sends a transaction cannot
/// make a feed read as failed by choosing a gas limit that starves it (and so choose the module's fallback).
contract GasGuardTest is Test {
    ChainlinkReaderHarness private harness = new ChainlinkReaderHarness();
    CostlyFeed private answering = new CostlyFeed(1_000_000, false);
    CostlyFeed private failing = new CostlyFeed(10_000, true);

    /// Any gas limit: the read answers the feed's price, or the whole call reverts (starved: `CallStarvedOfGas`,
    /// or out of gas outright); it never reports a feed that answers as `Reverted`.
    function testFuzz_aStarvedReadRevertsInsteadOfReportingAFailedFeed(uint256 seed) public view {
        uint256 gasLimit = bound(seed, 20_000, 2_000_000);
        try harness.read{gas: gasLimit}(IAggregatorV3(address(answering)), 1 hours) returns (
            ChainlinkReader.Reading memory r
        ) {
            assertTrue(r.ok, "a feed that answers was read as failed (its read starved of gas)");
            assertEq(r.answer, 2_000e8, "answer");
        } catch (bytes memory reason) {
            assertTrue(
                reason.length == 0 || bytes4(reason) == GasGuard.CallStarvedOfGas.selector,
                "a starved read reverts with CallStarvedOfGas (or the call runs out of gas outright)"
            );
        }
    }

    /// With gas to spare, a feed that reverts on its own is reported as `Reverted`, never propagated.
    function test_aFeedThatRevertsOnItsOwnIsReportedAsReverted() public view {
        ChainlinkReader.Reading memory r = harness.read(IAggregatorV3(address(failing)), 1 hours);
        assertTrue(!r.ok && r.fault == IRiskTypes.PriceFault.Reverted, "a reverting feed is reported as Reverted");
    }
}
