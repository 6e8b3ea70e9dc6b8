// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {AccountEval, BookEval, Cap, Checks, Context, PositionEval, PriceOverride} from "./EvaluationTypes.sol";
import {BookLogic} from "./BookLogic.sol";
import {CapLogic} from "./CapLogic.sol";
import {EvaluationLogic} from "./EvaluationLogic.sol";
import {PriceLogic} from "./PriceLogic.sol";
import {RiskState} from "./RiskState.sol";

/// @title ValidationLogic
/// @notice The account rule for risk-increasing actions (`IRiskHook`, `IOptionsRiskHook`): one evaluation with
/// every check, then every position within its cap, every options book within what the account can bear, and
/// free equity not negative (RISK-MODEL.md section 3). The three entry points accept exactly the same states,
/// with one exception: an increase of a perpetual that hedges its market's options book (the market's
/// requirement with it is no larger than the options' alone) needs only its own cap, so that a book pushed
/// beyond the account's equity by the market can still be hedged. They differ otherwise only in which failure
/// they name first.
/// @dev A linked library called by DELEGATECALL from the module (its storage is the module's).
library ValidationLogic {
    /// @notice Which failure to name first.
    enum Focus {
        Account,
        Position,
        Book
    }

    /// @notice `IRiskModule.validateIncrease`.
    function validateIncrease(RiskState storage s, Context memory c, address account, uint256 market) external view {
        _validate(s, c, account, Focus.Position, market);
    }

    /// @notice `IRiskModule.validateAccount`.
    function validateAccount(RiskState storage s, Context memory c, address account) external view {
        _validate(s, c, account, Focus.Account, 0);
    }

    /// @notice `IRiskModule.validateOptionsTrade`.
    function validateOptionsTrade(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market,
        IOptionsEngine.Greeks memory trade
    ) external view {
        // One snapshot serves both the comparison and the evaluation.
        IMarginEngine.AccountSnapshot memory snapshot = c.engine.accountSnapshot(account);
        if (!BookLogic.raisesWorstLoss(s, c, account, market, trade, snapshot.positions)) return;
        if (!s.greeks[market].enabled) revert IRiskErrors.GreeksNotConfigured(market);
        _validate(s, c, account, Focus.Book, market, snapshot);
    }

    function _validate(
        RiskState storage s,
        Context memory c,
        address account,
        Focus focus,
        uint256 market
    ) private view {
        _validate(s, c, account, focus, market, c.engine.accountSnapshot(account));
    }

    function _validate(
        RiskState storage s,
        Context memory c,
        address account,
        Focus focus,
        uint256 market,
        IMarginEngine.AccountSnapshot memory snapshot
    ) private view {
        if (s.paused) revert IRiskErrors.IncreasesArePaused();
        if (focus == Focus.Position && !s.markets[market].listed) revert IRiskErrors.MarketNotListed(market);
        PriceLogic.checkSequencer(s);
        c.checks = Checks.Increase;
        AccountEval memory a = EvaluationLogic.evaluateSnapshot(s, c, account, snapshot, PriceOverride(0, 0));
        if (focus == Focus.Book) {
            uint256 index = EvaluationLogic.bookIndex(a, market);
            if (index != 0) BookLogic.requireWithinAllowance(a, a.books[index - 1]);
        }
        if (focus == Focus.Position) {
            for (uint256 i; i < a.positions.length; ++i) {
                PositionEval memory p = a.positions[i];
                if (p.market != market) continue;
                _requireWithinCap(s, c, a, p);
                // A hedge (its market's requirement no larger than the options' alone) cannot make the account
                // worse than it would be without it: its own cap is all it needs, even beyond the account's equity.
                if (p.book != 0 && _isHedge(a.books[p.book - 1])) return;
            }
        }
        for (uint256 i; i < a.positions.length; ++i) {
            if (focus != Focus.Position || a.positions[i].market != market) _requireWithinCap(s, c, a, a.positions[i]);
        }
        for (uint256 i; i < a.books.length; ++i) BookLogic.requireWithinAllowance(a, a.books[i]);
        if (a.freeEquity < 0) revert IRiskErrors.FreeEquityNegative(a.equity, a.requirement, a.buffer);
    }

    /// @dev Whether the perpetual of book `b` only hedges it: the market's requirement with it (maintenance
    /// margin included) is at most the grid's worst loss of the options alone.
    function _isHedge(BookEval memory b) private pure returns (bool) {
        return b.optionsLoss > 0 && b.requirement <= uint256(b.optionsLoss);
    }

    function _requireWithinCap(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        PositionEval memory p
    ) private view {
        Cap memory cap = CapLogic.cap(s, c, a, p);
        if (p.notional > cap.cap) revert IRiskErrors.CapExceeded(p.market, cap.binding, cap.cap, p.notional);
    }
}
