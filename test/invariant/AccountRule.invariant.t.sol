// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccountRuleHandler} from "./handlers/AccountRuleHandler.sol";
import {AccountRuleSetup} from "./system/AccountRuleSetup.sol";

/// @notice The stateful invariant suite of the account rule (issue 11), in the manner of Morpho Blue's and
/// Aave v3's: one handler (`AccountRuleHandler`) whose actors trade across three markets and two collaterals,
/// write and buy options, provide and withdraw liquidity across blocks, swap, deleverage, refresh depth, poke the
/// volatility oracle, govern within bounds (the risk admin's changes applied at once or proposed, proposals
/// executed by anyone, the risk oracle's steps, the guardian's pause) and inject oracle faults. After every call (the fuzzer's sequences:
/// `INVARIANT_RUNS` x `INVARIANT_DEPTH` calls, fixed seed, in hardhat.config.ts) `invariant_accountRule` asserts
/// that no action-level check has failed:
///  (1) after any admitted risk-increasing action `validateAccount` passes (a hedge of an options book, whose
///      market requirement is no larger than the options' alone, excepted: it needs only its own cap);
///  (2) user reductions, closes and liquidations never revert with a module error;
///  (3) a deleverage acts only on a position the views call over its cap, judged at a fresh price, never flips
///      it and never leaves it below `cap * (1 - tauTarget)`;
///  (4) the keepers' views (`accountStatus`, `deleverageQuote`, `positionRisk`, `greeksRisk`) never revert, for
///      any feed value within the feeds' bounds (implied volatility up to 25.0 included);
///  (5) no rolling deleverage window sees more than its capacity `rho * D(s_max)`;
///  (6) right after a depth refresh the state is at most what an actual swap from the TWAP price achieves, and it
///      never rose faster than `depthRisePerHour`.
contract AccountRuleInvariantTest is AccountRuleSetup {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    error InvariantBroken(string violation, uint256 violations);

    function setUp() external {
        _setUpHandler();
    }

    /// @notice The fuzzer calls only the handler.
    function targetContracts() external view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Every action of the handler (views excluded).
    function targetSelectors() external view returns (FuzzSelector[] memory selectors) {
        bytes4[] memory s = new bytes4[](17);
        s[0] = AccountRuleHandler.deposit.selector;
        s[1] = AccountRuleHandler.withdraw.selector;
        s[2] = AccountRuleHandler.increase.selector;
        s[3] = AccountRuleHandler.hedge.selector;
        s[4] = AccountRuleHandler.reduce.selector;
        s[5] = AccountRuleHandler.tradeOptions.selector;
        s[6] = AccountRuleHandler.liquidate.selector;
        s[7] = AccountRuleHandler.deleverage.selector;
        s[8] = AccountRuleHandler.refreshDepth.selector;
        s[9] = AccountRuleHandler.poke.selector;
        s[10] = AccountRuleHandler.movePrice.selector;
        s[11] = AccountRuleHandler.swap.selector;
        s[12] = AccountRuleHandler.lpMint.selector;
        s[13] = AccountRuleHandler.lpBurn.selector;
        s[14] = AccountRuleHandler.warp.selector;
        s[15] = AccountRuleHandler.govern.selector;
        s[16] = AccountRuleHandler.oracleFault.selector;
        selectors = new FuzzSelector[](1);
        selectors[0] = FuzzSelector(address(handler), s);
    }

    /// @notice The six invariants of the contract's notice, checked after every call.
    function invariant_accountRule() external view {
        uint256 found = handler.violations();
        if (found != 0) revert InvariantBroken(handler.violation(), found);
    }
}
