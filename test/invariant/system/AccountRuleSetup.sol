// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AccountRuleHandler} from "../handlers/AccountRuleHandler.sol";
import {DepthProbe} from "../handlers/DepthProbe.sol";
import {LpActor} from "../handlers/LpActor.sol";
import {IEACAggregatorProxy, RiskSystem} from "./RiskSystem.sol";

/// @notice Deploys the system, the LPs and the depth probe, then hands the handler every token, feed and role
/// its actors need (shared by the invariant campaign and the handler's own tests).
abstract contract AccountRuleSetup is RiskSystem {
    AccountRuleHandler internal handler;

    function _setUpHandler() internal {
        _deploySystem();
        DepthProbe probe = new DepthProbe();
        LpActor[2] memory lps = [new LpActor(), new LpActor()];
        usdc.mint(address(probe), 1e30);
        for (uint256 j; j < lps.length; ++j) usdc.mint(address(lps[j]), 1e30);
        for (uint256 i; i < MARKETS; ++i) {
            bases[i].mint(address(probe), 1e36);
            for (uint256 j; j < lps.length; ++j) bases[i].mint(address(lps[j]), 1e36);
        }
        handler = new AccountRuleHandler(_deployment(), lps, probe);
        address h = address(handler);
        usdc.transferOwnership(h);
        usdcAggregator.transferOwnership(h);
        impliedFeed.transferOwnership(h);
        sequencerFeed.transferOwnership(h);
        for (uint256 i; i < MARKETS; ++i) {
            bases[i].transferOwnership(h);
            aggregators[i].transferOwnership(h);
            IEACAggregatorProxy(feeds[i]).transferOwnership(h);
        }
        IAccessControl(address(module)).grantRole(RISK_ADMIN_ROLE, h);
        IAccessControl(address(module)).grantRole(RISK_ORACLE_ROLE, h);
        IAccessControl(address(module)).grantRole(GUARDIAN_ROLE, h);
        handler.takeOver();
    }
}
