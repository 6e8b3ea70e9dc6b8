// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IMarginEngine} from "./interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "./interfaces/IOptionsEngine.sol";
import {IRiskModule} from "./interfaces/IRiskModule.sol";
import {IVolatilityOracle} from "./interfaces/IVolatilityOracle.sol";
import {AccountLogic} from "./logic/AccountLogic.sol";
import {DepthLogic} from "./logic/DepthLogic.sol";
import {DeleveragePlan, Window} from "./logic/RiskState.sol";
import {RiskConfig} from "./RiskConfig.sol";

/// @title RiskModule
/// @notice Ballast's risk module for one margin engine. See `IRiskModule` for the integration contract,
/// the trust assumptions and the powers of each role, and `RiskConfig` for the hard bounds.
/// @dev The evaluation (`AccountLogic`) and the depth refresh (`DepthLogic`) are linked libraries called by
/// DELEGATECALL on this contract's storage, which keeps the module under the contract-size limit. The
/// module holds no funds; `deleverage` and `refreshDepth` are guarded against reentrancy.
contract RiskModule is RiskConfig, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @param engine_ The margin engine this module serves (immutable).
    /// @param volatilityOracle_ The volatility oracle (immutable).
    /// @param adminDelay Delay of a default-admin transfer, seconds.
    /// @param admin The initial default admin.
    constructor(
        IMarginEngine engine_,
        IVolatilityOracle volatilityOracle_,
        uint48 adminDelay,
        address admin
    ) RiskConfig(engine_, volatilityOracle_, adminDelay, admin) {}

    /// @inheritdoc IRiskModule
    function validateIncrease(address account, uint256 market) external view {
        AccountLogic.validate(_s, engine, volatilityOracle, account, market, false);
    }

    /// @inheritdoc IRiskModule
    function validateAccount(address account) external view {
        AccountLogic.validate(_s, engine, volatilityOracle, account, 0, true);
    }

    /// @inheritdoc IRiskModule
    function validateOptionsTrade(address account, uint256 market, IOptionsEngine.Greeks calldata trade) external view {
        AccountLogic.validateOptionsTrade(_s, engine, volatilityOracle, account, market, trade);
    }

    /// @inheritdoc IRiskModule
    function greeksRisk(address account, uint256 market) external view returns (GreeksRisk memory) {
        return AccountLogic.greeksRisk(_s, engine, volatilityOracle, account, market);
    }

    /// @inheritdoc IRiskModule
    function maxOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata perUnit
    ) external view returns (uint256) {
        return AccountLogic.maxOptionsTrade(_s, engine, volatilityOracle, account, market, perUnit);
    }

    /// @inheritdoc IRiskModule
    function positionRisk(address account, uint256 market) external view returns (PositionRisk memory) {
        return AccountLogic.positionRisk(_s, engine, volatilityOracle, account, market);
    }

    /// @inheritdoc IRiskModule
    function accountStatus(address account) external view returns (AccountStatus memory) {
        return AccountLogic.accountStatus(_s, engine, volatilityOracle, account);
    }

    /// @inheritdoc IRiskModule
    function deleverageQuote(
        address account,
        uint256 market
    ) external view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee) {
        (bool ok, DeleveragePlan memory plan) = AccountLogic.plan(_s, engine, volatilityOracle, account, market, false);
        if (ok) return (plan.notional, plan.sizeDelta, plan.keeperFee);
    }

    /// @inheritdoc IRiskModule
    function deleverage(address account, uint256 market) external nonReentrant returns (uint256 sizeDelta) {
        // One deleverage per position per block: a racing keeper's call fails here, before any evaluation.
        if (_s.lastDeleverage[account][market] == block.number) revert AlreadyDeleveraged(account, market);
        _s.lastDeleverage[account][market] = block.number;
        (, DeleveragePlan memory plan) = AccountLogic.plan(_s, engine, volatilityOracle, account, market, true);
        (uint256 remaining, uint256 capacity) = AccountLogic.windowRemaining(_s, market);
        // The bucket holds `capacity / 2 - remaining` after draining; add this deleverage.
        _s.windows[market] = Window({
            level: (capacity / 2 - remaining + plan.notional).toUint128(),
            updatedAt: uint40(block.timestamp)
        });
        sizeDelta = plan.sizeDelta;

        engine.reducePosition(account, market, sizeDelta, msg.sender, plan.keeperFee);

        int256 before = plan.position.size;
        int256 afterwards = before > 0 ? before - int256(sizeDelta) : before + int256(sizeDelta);
        emit Deleveraged(
            account,
            market,
            msg.sender,
            before,
            afterwards,
            plan.position.price,
            plan.notional,
            plan.cap,
            plan.binding,
            plan.keeperFee
        );
    }

    /// @inheritdoc IRiskModule
    function refreshDepth(uint256 market) external nonReentrant returns (uint256 down, uint256 up) {
        return DepthLogic.refresh(_s, market);
    }

    /// @inheritdoc IRiskModule
    function depthState(uint256 market) external view returns (DepthState memory) {
        return _s.depth[market];
    }

    /// @inheritdoc IRiskModule
    function deleverageCapacity(uint256 market) external view returns (uint256 remaining, uint256 capacity) {
        return AccountLogic.windowRemaining(_s, market);
    }
}
