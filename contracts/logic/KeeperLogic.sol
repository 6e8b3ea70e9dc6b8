// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskEvents} from "../interfaces/IRiskEvents.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {AccountEval, BookEval, Checks, Context, DeleveragePlan, PriceOverride} from "./EvaluationTypes.sol";
import {BookLogic} from "./BookLogic.sol";
import {DeleverageLogic} from "./DeleverageLogic.sol";
import {EvaluationLogic} from "./EvaluationLogic.sol";
import {RiskState} from "./RiskState.sol";

/// @title KeeperLogic
/// @notice The keepers' side of the account rule (`IRiskKeeper`): reports judged exactly as a deleverage judges,
/// and the deleverage itself.
/// @dev A linked library called by DELEGATECALL from the module (its storage is the module's). Every function
/// evaluates under `Checks.Deleverage`, whatever the context says.
library KeeperLogic {
    uint256 private constant _WAD = 1e18;

    /// @notice `IRiskKeeper.deleverage`, paying `keeper`.
    function deleverage(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market,
        address keeper
    ) external returns (uint256 sizeDelta) {
        // One deleverage per position per block: a racing keeper's call fails here, before any evaluation.
        if (s.lastDeleverage[account][market] == block.number) revert IRiskErrors.AlreadyDeleveraged(account, market);
        s.lastDeleverage[account][market] = block.number;
        c.checks = Checks.Deleverage;
        (DeleverageLogic.Outcome outcome, DeleveragePlan memory p, AccountEval memory a) = DeleverageLogic.plan(
            s,
            c,
            account,
            market
        );
        if (outcome == DeleverageLogic.Outcome.Unpriced) {
            revert IRiskErrors.MarketUnpriced(a.failure.market, a.failure.feed, a.failure.fault);
        }
        if (outcome == DeleverageLogic.Outcome.NothingDue) {
            revert IRiskErrors.NothingToDeleverage(account, market, p.position.notional, p.cap);
        }
        if (outcome == DeleverageLogic.Outcome.WindowExhausted) {
            (, uint256 capacity) = DeleverageLogic.windowRemaining(s, market);
            revert IRiskErrors.DeleverageWindowExhausted(market, capacity);
        }
        DeleverageLogic.consumeWindow(s, market, p.notional);
        sizeDelta = p.sizeDelta;

        c.engine.reducePosition(account, market, sizeDelta, keeper, p.keeperFee);

        int256 before = p.position.size;
        emit IRiskEvents.Deleveraged(
            account,
            market,
            keeper,
            before,
            before > 0 ? before - int256(sizeDelta) : before + int256(sizeDelta),
            p.position.price,
            p.position.source,
            p.notional,
            p.cap,
            p.binding,
            p.keeperFee
        );
    }

    /// @notice `IRiskKeeper.deleverageQuote`.
    function deleverageQuote(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market
    ) external view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee) {
        c.checks = Checks.Deleverage;
        (DeleverageLogic.Outcome outcome, DeleveragePlan memory p, ) = DeleverageLogic.plan(s, c, account, market);
        if (outcome == DeleverageLogic.Outcome.Act) return (p.notional, p.sizeDelta, p.keeperFee);
    }

    /// @notice `IRiskKeeper.positionRisk`.
    function positionRisk(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market
    ) external view returns (IRiskTypes.PositionRisk memory) {
        c.checks = Checks.Deleverage;
        AccountEval memory a = _pricedEvaluation(s, c, account);
        return _risk(DeleverageLogic.judge(s, c, a, EvaluationLogic.positionIn(s, c, a, market)));
    }

    /// @notice `IRiskKeeper.accountStatus`.
    function accountStatus(
        RiskState storage s,
        Context memory c,
        address account
    ) external view returns (IRiskTypes.AccountStatus memory status) {
        c.checks = Checks.Deleverage;
        AccountEval memory a = EvaluationLogic.evaluate(s, c, account, PriceOverride(0, 0));
        status.equity = a.equity;
        if (a.failure.failed) {
            status.status = IRiskTypes.Status.OracleInvalid;
            return status;
        }
        (status.requirement, status.buffer, status.freeEquity) = (a.requirement, a.buffer, a.freeEquity);
        bool over;
        for (uint256 i; i < a.positions.length; ++i) {
            IRiskTypes.PositionRisk memory risk = _risk(DeleverageLogic.judge(s, c, a, a.positions[i]));
            uint256 ratio = risk.cap == 0 ? type(uint256).max : Math.mulDiv(risk.notional, _WAD, risk.cap);
            bool breach = risk.deleverageNotional != 0;
            // The worst position is the most over-cap breach, else the highest notional / cap.
            if (i == 0 || (breach && !over) || (breach == over && ratio > status.ratio)) {
                status.worst = risk;
                status.ratio = ratio;
                over = over || breach;
            }
        }
        status.status = over ? IRiskTypes.Status.OverCap : IRiskTypes.Status.Healthy;
    }

    /// @notice `IRiskKeeper.greeksRisk`.
    function greeksRisk(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market
    ) external view returns (IRiskTypes.GreeksRisk memory) {
        c.checks = Checks.Deleverage;
        if (!s.greeks[market].enabled) revert IRiskErrors.GreeksNotConfigured(market);
        AccountEval memory a = _pricedEvaluation(s, c, account);
        return BookLogic.risk(s, a, EvaluationLogic.bookIn(s, c, a, market));
    }

    /// @notice `IRiskKeeper.maxOptionsTrade`.
    function maxOptionsTrade(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market,
        IOptionsEngine.Greeks memory perUnit
    ) external view returns (uint256) {
        c.checks = Checks.Deleverage;
        if (!s.greeks[market].enabled) revert IRiskErrors.GreeksNotConfigured(market);
        AccountEval memory a = _pricedEvaluation(s, c, account);
        BookEval memory b = EvaluationLogic.bookIn(s, c, a, market);
        return BookLogic.maxTrade(s, a, b, perUnit);
    }

    /// @notice `IRiskKeeper.deleverageCapacity`.
    function deleverageCapacity(
        RiskState storage s,
        uint256 market
    ) external view returns (uint256 remaining, uint256 capacity) {
        return DeleverageLogic.windowRemaining(s, market);
    }

    function _pricedEvaluation(
        RiskState storage s,
        Context memory c,
        address account
    ) private view returns (AccountEval memory a) {
        a = EvaluationLogic.evaluate(s, c, account, PriceOverride(0, 0));
        if (a.failure.failed) revert IRiskErrors.MarketUnpriced(a.failure.market, a.failure.feed, a.failure.fault);
    }

    function _risk(DeleveragePlan memory p) private pure returns (IRiskTypes.PositionRisk memory) {
        return
            IRiskTypes.PositionRisk({
                market: p.position.market,
                size: p.position.size,
                price: p.position.price,
                source: p.position.source,
                notional: p.position.notional,
                cap: p.cap,
                binding: p.binding,
                deleverageNotional: p.notional
            });
    }
}
