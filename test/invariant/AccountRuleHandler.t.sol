// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccountRuleSetup} from "./system/AccountRuleSetup.sol";

/// @notice The invariant suite is not vacuous: a scripted sequence through the same handler reaches every
/// action-level check (admitted increases and options trades, reductions, deleverages of breached positions,
/// depth refreshes checked against an actual swap) with no violation.
contract AccountRuleHandlerTest is AccountRuleSetup {
    error Expected(string what, uint256 value);

    function setUp() external {
        _setUpHandler();
    }

    function test_aScriptedSequenceReachesEveryCheckWithNoViolation() external {
        // Every trader opens a long and a short at 85 % and 60 % of its caps, and sells straddles.
        for (uint256 t; t < 6; ++t) {
            handler.increase(t, t, 80, 0);
            handler.increase(t, t + 1, 55, 1);
            handler.tradeOptions(t, 0, 1e18, 1);
            handler.tradeOptions(t, 1, 1e18, 1);
        }
        // A -20 % gap on market 1 (the pool follows), time passes with upkeep: positions breach.
        handler.movePrice(0, 10, 1);
        handler.warp(600, 0xffff);
        handler.movePrice(1, 20, 1);
        handler.warp(600, 0xffff);
        for (uint256 k; k < 6; ++k) handler.deleverage(k, k, 0);
        for (uint256 t; t < 6; ++t) handler.reduce(t, t, 50);
        handler.refreshDepth(0);
        (uint256 calls, uint256 increases, uint256 reductions, uint256 deleverages, uint256 refreshes, , , ) = handler
            .count();
        if (handler.violations() != 0) revert Expected(handler.violation(), handler.violations());
        if (increases < 6) revert Expected("admitted increases", increases);
        if (reductions < 3) revert Expected("reductions", reductions);
        if (deleverages < 1) revert Expected("deleverages", deleverages);
        if (refreshes < 3) revert Expected("depth refreshes", refreshes);
        if (calls < 30) revert Expected("calls", calls);
    }
}
