// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {AccountEval, BookEval, Context, PositionEval, PriceFailure, PriceOverride} from "./EvaluationTypes.sol";
import {BookLogic} from "./BookLogic.sol";
import {PriceLogic} from "./PriceLogic.sol";
import {RiskState, StoredMarket} from "./RiskState.sol";

/// @title EvaluationLogic
/// @notice The one evaluation of an account that every entry point uses (RISK-MODEL.md section 3): prices,
/// equity after haircuts, each market's stressed requirement (options books included), the buffer and the
/// free equity `E - K - R`.
/// @dev Prices are read as the context's checks require (`PriceLogic`). Under `Checks.Deleverage` an account
/// with a market that cannot be priced comes back with `failure` set and nothing after that market filled in.
library EvaluationLogic {
    uint256 private constant _WAD = 1e18;

    /// @notice Evaluates `account` (with `o.market` priced at `o.price` when set).
    function evaluate(
        RiskState storage s,
        Context memory c,
        address account,
        PriceOverride memory o
    ) internal view returns (AccountEval memory) {
        return evaluateSnapshot(s, c, account, c.engine.accountSnapshot(account), o);
    }

    /// @notice `evaluate` from a snapshot of the account already read from the engine (in the same call).
    function evaluateSnapshot(
        RiskState storage s,
        Context memory c,
        address account,
        IMarginEngine.AccountSnapshot memory snapshot,
        PriceOverride memory o
    ) internal view returns (AccountEval memory a) {
        a.account = account;
        a.positions = new PositionEval[](snapshot.positions.length);
        int256 pnl = snapshot.adjustments;
        for (uint256 i; i < snapshot.positions.length; ++i) {
            IMarginEngine.PositionSnapshot memory position = snapshot.positions[i];
            PriceLogic.MarketPrice memory price = _price(s, c, position.market, o);
            if (!price.ok) return _unpriced(s, a, position.market, price.fault);
            a.positions[i] = position_(s, c, position.market, position.size, price);
            a.notional += a.positions[i].notional;
            pnl += _pnlDown(position.size, price.price, position.entryPrice);
        }
        for (uint256 i; i < snapshot.collateral.length; ++i) {
            (uint256 adjusted, uint256 capacity) = PriceLogic.collateralValue(s, c, snapshot.collateral[i]);
            a.collateralValue += adjusted;
            a.tierCapacity += capacity;
        }
        a.equity = int256(a.collateralValue) + pnl;
        if (!_books(s, c, a, o)) return a;
        // Each market once: a perpetual outside Greeks sizing by itself, a book (with its perpetual) as a whole.
        for (uint256 i; i < a.positions.length; ++i) {
            if (a.positions[i].book == 0) a.requirement += a.positions[i].requirement;
        }
        for (uint256 i; i < a.books.length; ++i) a.requirement += a.books[i].requirement;
        a.freeEquity = a.equity - int256(a.buffer) - int256(a.requirement);
    }

    /// @notice The position of `a` in `market`, or a new one (size zero) at the market's price.
    /// @dev Reverts `MarketUnpriced` when a new position's market cannot be priced.
    function positionIn(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        uint256 market
    ) internal view returns (PositionEval memory p) {
        for (uint256 i; i < a.positions.length; ++i) {
            if (a.positions[i].market == market) return a.positions[i];
        }
        PriceLogic.MarketPrice memory price = PriceLogic.marketPrice(s, c.checks, market);
        if (!price.ok) {
            revert IRiskErrors.MarketUnpriced(market, address(s.markets[market].feed), price.fault);
        }
        p = position_(s, c, market, 0, price);
        p.book = bookIndex(a, market);
    }

    /// @notice The book of `a` in `market`, or an empty one at the market's price (see `positionIn`).
    function bookIn(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        uint256 market
    ) internal view returns (BookEval memory) {
        uint256 index = bookIndex(a, market);
        if (index != 0) return a.books[index - 1];
        if (!s.greeks[market].enabled) revert IRiskErrors.GreeksNotConfigured(market);
        PositionEval memory p = positionIn(s, c, a, market);
        IOptionsEngine.Greeks memory none;
        return BookLogic.evaluate(s, market, none, 0, 0, p.price, p.sigma);
    }

    /// @notice One plus the index of `market`'s book in `a.books`; zero when it has none.
    function bookIndex(AccountEval memory a, uint256 market) internal pure returns (uint256) {
        for (uint256 i; i < a.books.length; ++i) {
            if (a.books[i].market == market) return i + 1;
        }
        return 0;
    }

    /// @notice A perpetual of `size` in `market` at `price`: notional (rounded up), volatility, adverse move of
    /// the stressed move with the market's gap floor (a new position is stressed as a short, the worse
    /// direction) and requirement `N * (m + x)`.
    function position_(
        RiskState storage s,
        Context memory c,
        uint256 market,
        int256 size,
        PriceLogic.MarketPrice memory price
    ) internal view returns (PositionEval memory p) {
        StoredMarket storage config = s.markets[market];
        p.market = market;
        p.size = size;
        p.price = price.price;
        p.source = price.source;
        p.sigma = PriceLogic.sigma(c, address(config.feed));
        p.notional = Math.mulDiv(_abs(size), price.price, _WAD, Math.Rounding.Ceil);
        p.x = RiskMath.adverseMoveUp(RiskMath.stressedMoveUp(p.sigma, config.horizon, config.z, config.gap), size > 0);
        p.requirement = RiskMath.stressedRequirementUp(p.notional, config.maintenanceMargin, p.x);
    }

    /// @dev Fills `a.books` (markets with Greeks sizing where the account holds options or a perpetual), gives
    /// their perpetuals the book's requirement, and sets the buffer. False when a book's market is unpriced.
    function _books(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        PriceOverride memory o
    ) private view returns (bool) {
        uint256 listed = s.greeksMarketCount;
        BookEval[] memory books = new BookEval[](listed);
        uint256 count;
        for (uint256 i; i < listed; ++i) {
            uint256 market = s.greeksMarkets[i];
            IOptionsEngine.Greeks memory options = IOptionsEngine(address(c.engine)).bookGreeks(a.account, market);
            bool holdsOptions = options.delta != 0 || options.gamma != 0 || options.vega != 0;
            uint256 index = positionIndex(a, market);
            if (!holdsOptions && index == 0) continue;
            PositionEval memory p;
            if (index != 0) {
                p = a.positions[index - 1];
            } else {
                PriceLogic.MarketPrice memory price = _price(s, c, market, o);
                if (!price.ok) {
                    _unpriced(s, a, market, price.fault);
                    return false;
                }
                p = position_(s, c, market, 0, price);
            }
            BookEval memory b = BookLogic.evaluate(s, market, options, p.size, p.notional, p.price, p.sigma);
            books[count++] = b;
            if (index != 0) {
                a.positions[index - 1].requirement = b.requirement;
                a.positions[index - 1].book = count;
            }
            // The buffer applies to every book (options or a perpetual alone), so that it never jumps when a
            // hedge turns a perpetual into a book: an options trade that lowers the worst loss never lowers the
            // free equity.
            a.buffer = Math.max(a.buffer, BookLogic.bufferOf(s, market, a.equity));
        }
        // Shrink the array to the books found (its memory stays allocated; nothing is written after it).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(books, count)
        }
        a.books = books;
        return true;
    }

    function _price(
        RiskState storage s,
        Context memory c,
        uint256 market,
        PriceOverride memory o
    ) private view returns (PriceLogic.MarketPrice memory price) {
        if (o.price != 0 && o.market == market) {
            price.ok = true;
            price.price = o.price;
            price.source = IRiskTypes.PriceSource.StoredTwap;
            return price;
        }
        return PriceLogic.marketPrice(s, c.checks, market);
    }

    /// @notice One plus the index of the account's position in `market` in `a.positions`; zero when it has none.
    function positionIndex(AccountEval memory a, uint256 market) internal pure returns (uint256) {
        for (uint256 i; i < a.positions.length; ++i) {
            if (a.positions[i].market == market) return i + 1;
        }
        return 0;
    }

    function _unpriced(
        RiskState storage s,
        AccountEval memory a,
        uint256 market,
        IRiskTypes.PriceFault fault
    ) private view returns (AccountEval memory) {
        a.failure = PriceFailure({failed: true, market: market, feed: address(s.markets[market].feed), fault: fault});
        return a;
    }

    /// @dev Unrealized PnL `size * (price - entry)`, rounded towards negative infinity.
    function _pnlDown(int256 size, uint256 price, uint256 entry) private pure returns (int256) {
        if (size == 0) return 0;
        uint256 amount = _abs(size);
        bool gain = (size > 0) == (price >= entry);
        uint256 move = price >= entry ? price - entry : entry - price;
        return
            gain
                ? int256(Math.mulDiv(amount, move, _WAD))
                : -int256(Math.mulDiv(amount, move, _WAD, Math.Rounding.Ceil));
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
