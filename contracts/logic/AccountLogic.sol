// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol";

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskModule} from "../interfaces/IRiskModule.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {ChainlinkReader} from "../libraries/ChainlinkReader.sol";
import {GreeksMath} from "../libraries/GreeksMath.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {BOUND_COUNT, Bound} from "../types/Bound.sol";
import {
    CollateralMeta,
    DeleveragePlan,
    EvaluatedAccount,
    EvaluatedPosition,
    MarketMeta,
    RiskState,
    Window
} from "./RiskState.sol";

/// @title AccountLogic
/// @notice The risk module's evaluation of accounts: prices, equity after haircuts, stressed requirements,
/// every bound of every position, account status, deleverage plans, and the scenario grid of options books
/// (RISK-MODEL.md sections 3, 6 and 7).
/// @dev A linked library: the module calls it by DELEGATECALL with a pointer to its `RiskState`. Strict
/// evaluations (risk-increasing actions) revert with the module's named errors on any failed check; the
/// others use deleverage-level price checks and report an invalid price instead of reverting.
library AccountLogic {
    /// @dev An options book with its market's perpetual position and the grid's inputs.
    struct Book {
        IOptionsEngine.Greeks options;
        EvaluatedPosition position;
        uint256 xMax;
        uint256 volShock;
        int256 allowed;
    }

    uint256 private constant _WAD = 1e18;
    /// @dev The smallest window remainder worth acting on: 1 % of the half-capacity bucket.
    uint256 private constant _DUST_DIVISOR = 200;

    /// @notice Reverts unless the position in `market` (or, with `all`, every position) is within its cap,
    /// with every strict check passing.
    function validate(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market,
        bool all
    ) external view {
        if (s.paused) revert IRiskModule.IncreasesArePaused();
        _checkSequencer(s);
        EvaluatedAccount memory a = _evaluate(s, engine, volatility, account, true, 0, 0);
        for (uint256 i; i < a.positions.length; ++i) {
            EvaluatedPosition memory p = a.positions[i];
            if (!all && p.market != market) continue;
            (uint256 cap, Bound binding) = _cap(s, engine, a, p);
            if (p.notional > cap) revert IRiskModule.CapExceeded(p.market, binding, cap, p.notional);
        }
        if (!all) return;
        uint256[] storage greeksMarkets = s.greeksMarkets;
        for (uint256 i; i < greeksMarkets.length; ++i) {
            // Perpetual positions were checked above (their cap holds the Greeks bound); books with options here.
            IOptionsEngine.Greeks memory options = IOptionsEngine(address(engine)).bookGreeks(
                account,
                greeksMarkets[i]
            );
            if (options.delta == 0 && options.gamma == 0 && options.vega == 0) continue;
            Book memory book = _book(s, volatility, a, greeksMarkets[i], true, options);
            _requireWithinGrid(greeksMarkets[i], book, _total(book));
        }
    }

    /// @notice Reverts unless the options trade with Greeks `trade` left the book in `market` admissible: it
    /// did not raise the worst scenario loss (checked first, at the latest price whatever its age), or every
    /// strict check passes and the worst loss is within what the account can bear.
    function validateOptionsTrade(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market,
        IOptionsEngine.Greeks memory trade
    ) external view {
        IMarginEngine.AccountSnapshot memory snapshot = engine.accountSnapshot(account);
        IOptionsEngine.Greeks memory options = IOptionsEngine(address(engine)).bookGreeks(account, market);
        if (!_raisesWorstLoss(s, volatility, snapshot, options, market, trade)) return;
        if (!s.greeks[market].enabled) revert IRiskModule.GreeksNotConfigured(market);
        if (s.paused) revert IRiskModule.IncreasesArePaused();
        _checkSequencer(s);
        EvaluatedAccount memory a = _evaluateSnapshot(s, volatility, snapshot, account, true, 0, 0);
        Book memory strictBook = _book(s, volatility, a, market, true, options);
        _requireWithinGrid(market, strictBook, _total(strictBook));
    }

    /// @notice The options book of the account in `market`: Greeks (perpetual delta included), worst
    /// scenario, what the account can bear, and hedge guidance.
    function greeksRisk(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market
    ) external view returns (IRiskModule.GreeksRisk memory risk) {
        EvaluatedAccount memory a = _validEvaluation(s, engine, volatility, account, market);
        Book memory book = _book(s, volatility, a, market, false, _bookGreeks(engine, account, market));
        risk.greeks = _total(book);
        risk.perpSize = book.position.size;
        risk.spot = book.position.price;
        risk.sigma = book.position.sigma;
        risk.xMax = book.xMax;
        risk.equity = a.equity;
        risk.allowed = book.allowed;
        GreeksMath.Worst memory worst = GreeksMath.worstLossUp(risk.greeks, risk.spot, book.xMax, book.volShock);
        (risk.worstLoss, risk.priceStep, risk.volStep) = (worst.loss, worst.priceStep, worst.volStep);
        risk.hedgeDelta = -risk.greeks.delta;
        IRiskModule.MarketConfig storage config = s.markets[market];
        risk.rebalanceBand = GreeksMath.rebalanceBandDown(
            risk.greeks.gamma,
            risk.spot,
            RiskMath.stressedMoveUp(risk.sigma, s.greeks[market].hedgeInterval, config.z)
        );
    }

    /// @notice The largest number of units of an instrument with per-unit Greeks `perUnit` the account may
    /// add to its book in `market` (see `GreeksMath.maxTradeDown`).
    function maxOptionsTrade(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market,
        IOptionsEngine.Greeks memory perUnit
    ) external view returns (uint256) {
        EvaluatedAccount memory a = _validEvaluation(s, engine, volatility, account, market);
        Book memory book = _book(s, volatility, a, market, false, _bookGreeks(engine, account, market));
        return
            GreeksMath.maxTradeDown(_total(book), perUnit, book.position.price, book.xMax, book.volShock, book.allowed);
    }

    /// @notice The risk of the account's position in `market` (a zero-size position when it has none).
    function positionRisk(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market
    ) external view returns (IRiskModule.PositionRisk memory) {
        EvaluatedAccount memory a = _evaluate(s, engine, volatility, account, false, 0, 0);
        if (!a.valid) revert IRiskModule.PriceInvalid(address(s.markets[market].feed), IRiskModule.PriceFault.Stale);
        return _risk(s, engine, a, _positionIn(s, volatility, a, market));
    }

    /// @notice The account's status and its worst position; price problems give `Status.OracleInvalid`.
    /// @dev Each position is judged as `plan` judges it: at the Chainlink price and, when the pool TWAP
    /// diverges from it, also at the TWAP, keeping the larger breach (so a keeper reading the status never
    /// misses a deleverage the module would do).
    function accountStatus(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account
    ) external view returns (IRiskModule.AccountStatus memory status) {
        EvaluatedAccount memory a = _evaluate(s, engine, volatility, account, false, 0, 0);
        status.equity = a.equity;
        if (!a.valid) {
            status.status = IRiskModule.Status.OracleInvalid;
            return status;
        }
        bool over;
        for (uint256 i; i < a.positions.length; ++i) {
            IRiskModule.PositionRisk memory risk = _statusRisk(s, engine, volatility, account, a, a.positions[i]);
            uint256 ratio = risk.cap == 0 ? type(uint256).max : Math.mulDiv(risk.notional, _WAD, risk.cap);
            bool breach = risk.deleverageNotional != 0;
            // The worst position is the most over-cap breach, else the highest notional / cap.
            if (i == 0 || (breach && !over) || (breach == over && ratio > status.ratio)) {
                status.worst = risk;
                status.ratio = ratio;
                over = over || breach;
            }
        }
        status.status = over ? IRiskModule.Status.OverCap : IRiskModule.Status.Healthy;
    }

    /// @notice The deleverage of `account` in `market`: evaluated at the Chainlink price and, when the pool
    /// TWAP diverges from it, also at the TWAP, keeping the larger breach; limited by the rolling window.
    /// With `mustAct` it reverts when there is nothing to do, otherwise it returns `ok = false`.
    function plan(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market,
        bool mustAct
    ) external view returns (bool ok, DeleveragePlan memory p) {
        if (!s.marketMeta[market].listed) revert IRiskModule.MarketNotListed(market);
        IRiskModule.MarketConfig storage config = s.markets[market];
        EvaluatedAccount memory a = _evaluate(s, engine, volatility, account, false, 0, 0);
        if (!a.valid) {
            if (mustAct) revert IRiskModule.PriceInvalid(address(config.feed), IRiskModule.PriceFault.Stale);
            return (false, p);
        }
        p = _breach(s, engine, volatility, a, market);
        uint256 twapPrice = s.depth[market].twapPrice;
        if (twapPrice != 0 && _diverges(p.position.price, twapPrice, config.maxDeviation)) {
            EvaluatedAccount memory atTwap = _evaluate(s, engine, volatility, account, false, market, twapPrice);
            DeleveragePlan memory alternative = _breach(s, engine, volatility, atTwap, market);
            if (alternative.notional > p.notional) p = alternative;
        }
        if (p.notional == 0) {
            if (mustAct) revert IRiskModule.NothingToDeleverage(account, market, p.position.notional, p.cap);
            return (false, p);
        }
        (uint256 remaining, uint256 capacity) = windowRemaining(s, market);
        // Below 1 % of the bucket (and of what is due) the window counts as exhausted: what drained in a
        // few seconds is not worth a transaction, and racing keepers must not grind it in dust.
        if (remaining == 0 || (remaining < p.notional && remaining < capacity / _DUST_DIVISOR)) {
            if (mustAct) revert IRiskModule.DeleverageWindowExhausted(market, capacity);
            return (false, p);
        }
        if (p.notional > remaining) p.notional = remaining;
        p.sizeDelta = Math.min(
            Math.mulDiv(p.notional, _WAD, p.position.price, Math.Rounding.Ceil),
            _abs(p.position.size)
        );
        p.keeperFee = Math.min(Math.mulDiv(p.notional, config.keeperFeeRate, _WAD), config.keeperFeeMax);
        ok = true;
    }

    /// @notice What the market's rolling deleverage window still allows, and its capacity `rho * D(s_max)`.
    /// @dev A leaky bucket of size `B = capacity / 2` draining at `B / window` per second: in any interval of
    /// length `window` at most `B` (a full bucket) plus `B` (what drained) is added, so no rolling window
    /// ever sees more than the capacity. `D` is the smaller of the two directions' depths.
    function windowRemaining(
        RiskState storage s,
        uint256 market
    ) public view returns (uint256 remaining, uint256 capacity) {
        IRiskModule.DepthState storage depth = s.depth[market];
        IRiskModule.MarketConfig storage config = s.markets[market];
        capacity = Math.mulDiv(Math.min(depth.down, depth.up), config.rho, _WAD);
        uint256 bucket = capacity / 2;
        Window memory window = s.windows[market];
        uint256 drained = Math.mulDiv(bucket, block.timestamp - window.updatedAt, config.deleverageWindow);
        uint256 level = window.level > drained ? window.level - drained : 0;
        remaining = bucket > level ? bucket - level : 0;
    }

    // ---------------------------------------------------------------- evaluation

    function _evaluate(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        bool strict,
        uint256 overrideMarket,
        uint256 overridePrice
    ) private view returns (EvaluatedAccount memory) {
        return
            _evaluateSnapshot(
                s,
                volatility,
                engine.accountSnapshot(account),
                account,
                strict,
                overrideMarket,
                overridePrice
            );
    }

    function _evaluateSnapshot(
        RiskState storage s,
        IVolatilityOracle volatility,
        IMarginEngine.AccountSnapshot memory snapshot,
        address account,
        bool strict,
        uint256 overrideMarket,
        uint256 overridePrice
    ) private view returns (EvaluatedAccount memory a) {
        a.account = account;
        a.valid = true;
        a.positions = new EvaluatedPosition[](snapshot.positions.length);
        int256 pnl = snapshot.adjustments;
        for (uint256 i; i < snapshot.positions.length; ++i) {
            IMarginEngine.PositionSnapshot memory position = snapshot.positions[i];
            (bool ok, uint256 price) = position.market == overrideMarket && overridePrice != 0
                ? (true, overridePrice)
                : _marketPrice(s, position.market, strict);
            if (!ok) {
                a.valid = false;
                return a;
            }
            EvaluatedPosition memory p = _position(s, volatility, position.market, position.size, price, strict);
            a.positions[i] = p;
            a.requirement += p.requirement;
            a.notional += p.notional;
            pnl += _pnlDown(position.size, price, position.entryPrice);
        }
        for (uint256 i; i < snapshot.collateral.length; ++i) {
            if (!_addCollateral(s, volatility, a, snapshot.collateral[i], strict)) {
                a.valid = false;
                return a;
            }
        }
        a.equity = int256(a.collateralValue) + pnl;
    }

    function _position(
        RiskState storage s,
        IVolatilityOracle volatility,
        uint256 market,
        int256 size,
        uint256 price,
        bool strict
    ) private view returns (EvaluatedPosition memory p) {
        IRiskModule.MarketConfig storage config = s.markets[market];
        (uint256 sigma, bool stale) = volatility.getVolatility(address(config.feed));
        if (strict && stale) revert IRiskModule.VolatilityStale(address(config.feed));
        uint256 stressed = RiskMath.stressedMoveUp(sigma, config.horizon, config.z);
        p.market = market;
        p.size = size;
        p.price = price;
        p.sigma = sigma;
        p.notional = Math.mulDiv(_abs(size), price, _WAD, Math.Rounding.Ceil);
        // A new position (size zero) is stressed in the worse direction, as a short.
        p.x = RiskMath.adverseMoveUp(stressed, size > 0);
        p.requirement = RiskMath.stressedRequirementUp(p.notional, config.maintenanceMargin, p.x);
    }

    function _addCollateral(
        RiskState storage s,
        IVolatilityOracle volatility,
        EvaluatedAccount memory a,
        IMarginEngine.CollateralBalance memory balance,
        bool strict
    ) private view returns (bool) {
        CollateralMeta memory meta = s.collateralMeta[balance.asset];
        if (!meta.listed) revert IRiskModule.CollateralNotListed(balance.asset);
        IRiskModule.CollateralConfig storage config = s.collaterals[balance.asset];
        AggregatorV3Interface feed = config.feed;
        (bool ok, IRiskModule.PriceFault fault, uint256 answer) = ChainlinkReader.read(
            feed,
            config.maxPriceAge,
            ChainlinkReader.levelFor(strict)
        );
        if (!ok) {
            if (strict) revert IRiskModule.PriceInvalid(address(feed), fault);
            return false;
        }
        uint256 value = Math.mulDiv(
            balance.amount * 10 ** (18 - meta.tokenDecimals),
            answer * 10 ** (18 - meta.feedDecimals),
            _WAD
        );
        uint256 haircut = config.baseHaircut;
        uint256 volZ = config.volZ;
        if (volZ != 0) {
            (uint256 sigma, bool stale) = volatility.getVolatility(address(feed));
            if (strict && stale) revert IRiskModule.VolatilityStale(address(feed));
            haircut = RiskMath.ownVolHaircutUp(haircut, sigma, config.volHorizon, volZ);
        }
        uint256 adjusted = RiskMath.haircutValueDown(value, haircut);
        a.collateralValue += adjusted;
        a.tierCapacity += Math.mulDiv(adjusted, s.tierLeverage[config.tier], _WAD);
        return true;
    }

    /// @dev The market's Chainlink price in WAD. Strict reads also require a fresh depth state and a price
    /// within `maxDeviation` of the pool TWAP, and revert on any failure.
    function _marketPrice(
        RiskState storage s,
        uint256 market,
        bool strict
    ) private view returns (bool ok, uint256 price) {
        MarketMeta memory meta = s.marketMeta[market];
        if (!meta.listed) revert IRiskModule.MarketNotListed(market);
        IRiskModule.MarketConfig storage config = s.markets[market];
        IRiskModule.PriceFault fault;
        uint256 answer;
        (ok, fault, answer) = ChainlinkReader.read(config.feed, config.maxPriceAge, ChainlinkReader.levelFor(strict));
        if (!ok) {
            if (strict) revert IRiskModule.PriceInvalid(address(config.feed), fault);
            return (false, 0);
        }
        price = answer * 10 ** (18 - meta.feedDecimals);
        if (strict) {
            IRiskModule.DepthState storage depth = s.depth[market];
            uint256 updatedAt = depth.updatedAt;
            if (updatedAt == 0 || block.timestamp - updatedAt > config.depthMaxAge) {
                revert IRiskModule.DepthStale(market, updatedAt);
            }
            uint256 twapPrice = depth.twapPrice;
            if (_diverges(price, twapPrice, config.maxDeviation)) {
                revert IRiskModule.PriceDivergence(market, price, twapPrice);
            }
        }
    }

    /// @dev The cap of position `p` and the binding bound.
    function _cap(
        RiskState storage s,
        IMarginEngine engine,
        EvaluatedAccount memory a,
        EvaluatedPosition memory p
    ) private view returns (uint256 cap, Bound binding) {
        IRiskModule.MarketConfig storage config = s.markets[p.market];
        IRiskModule.DepthState storage depth = s.depth[p.market];
        bool isLong = p.size > 0;
        uint256 depthSide =
            p.size == 0
                ? Math.min(depth.down, depth.up)
                : isLong
                    ? depth.down
                    : depth.up;
        (uint256 longSize, uint256 shortSize) = engine.openInterest(p.market);
        RiskMath.CapInput memory input;
        input.equity = a.equity;
        input.otherRequirement = a.requirement - p.requirement;
        input.sigma = p.sigma;
        input.horizon = config.horizon;
        input.z = config.z;
        input.m = config.maintenanceMargin;
        input.isLong = isLong;
        input.sigmaTarget = config.sigmaTarget;
        input.depth = depthSide;
        input.kappa = config.kappa;
        input.oiCap = RiskMath.openInterestCapDown(
            isLong ? config.oiCapLong : config.oiCapShort,
            depthSide,
            config.kappaOI
        );
        // The engine's open interest includes this position; a new position adds to the short side.
        input.oiSide = Math.max(
            Math.mulDiv(isLong ? longSize : shortSize, p.price, _WAD, Math.Rounding.Ceil),
            p.notional
        );
        input.current = p.notional;
        input.tierCapacity = _tierBound(a, p);
        input.greeksBound = type(uint256).max;
        uint256[BOUND_COUNT] memory bounds;
        (cap, binding, bounds) = RiskMath.positionCapDown(input, p.x);
        if (s.greeks[p.market].enabled) {
            // The grid prices the perpetual together with the options book: it replaces the liquidation-distance
            // bound, which would otherwise cap a hedge as if it were the account's only risk.
            bounds[uint8(Bound.LiquidationDistance) - 1] = type(uint256).max;
            bounds[uint8(Bound.Greeks) - 1] = _greeksBound(s, engine, a, p);
            (cap, binding) = RiskMath.minOfBounds(bounds);
        }
    }

    /// @dev The largest notional of the perpetual position `p` (in its direction, or in either for a new one)
    /// that keeps the grid's worst loss of the book within what the account can bear or no higher than the
    /// options alone would have.
    function _greeksBound(
        RiskState storage s,
        IMarginEngine engine,
        EvaluatedAccount memory a,
        EvaluatedPosition memory p
    ) private view returns (uint256 bound) {
        IRiskModule.GreeksConfig memory config = s.greeks[p.market];
        IOptionsEngine.Greeks memory options = IOptionsEngine(address(engine)).bookGreeks(a.account, p.market);
        uint256 xMax = _xMax(s, p.market, p.sigma);
        int256 allowed = _allowed(a, p.requirement, config.buffer);
        bound = type(uint256).max;
        for (int256 direction = -1; direction <= 1; direction += 2) {
            if ((direction > 0 && p.size < 0) || (direction < 0 && p.size > 0)) continue;
            uint256 units = GreeksMath.maxTradeDown(
                options,
                IOptionsEngine.Greeks({delta: direction * int256(_WAD), gamma: 0, vega: 0}),
                p.price,
                xMax,
                config.volShock,
                allowed
            );
            if (units != type(uint256).max) bound = Math.min(bound, Math.mulDiv(units, p.price, _WAD));
        }
    }

    /// @dev Whether the trade with Greeks `trade` raised the worst scenario loss of the account's book in
    /// `market`. Judged at the latest positive price and the last volatility, however old: both books are
    /// judged at the same point, so the answer needs no fresh data (a loss-reducing trade is never blocked).
    function _raisesWorstLoss(
        RiskState storage s,
        IVolatilityOracle volatility,
        IMarginEngine.AccountSnapshot memory snapshot,
        IOptionsEngine.Greeks memory options,
        uint256 market,
        IOptionsEngine.Greeks memory trade
    ) private view returns (bool) {
        if (!s.marketMeta[market].listed) revert IRiskModule.MarketNotListed(market);
        IRiskModule.MarketConfig storage config = s.markets[market];
        (bool ok, , uint256 answer) = ChainlinkReader.read(config.feed, 0, ChainlinkReader.Level.Positive);
        if (!ok) return true;
        uint256 spot = answer * 10 ** (18 - s.marketMeta[market].feedDecimals);
        (uint256 sigma, ) = volatility.getVolatility(address(config.feed));
        uint256 xMax = _xMax(s, market, sigma);
        // A market without Greeks sizing still tells reductions apart, on a grid with a 100-vol-point shock.
        uint256 volShock = s.greeks[market].enabled ? s.greeks[market].volShock : _WAD;
        IOptionsEngine.Greeks memory afterTrade = IOptionsEngine.Greeks(options.delta, options.gamma, options.vega);
        for (uint256 i; i < snapshot.positions.length; ++i) {
            if (snapshot.positions[i].market == market) afterTrade.delta += snapshot.positions[i].size;
        }
        IOptionsEngine.Greeks memory beforeTrade = IOptionsEngine.Greeks({
            delta: afterTrade.delta - trade.delta,
            gamma: afterTrade.gamma - trade.gamma,
            vega: afterTrade.vega - trade.vega
        });
        return
            GreeksMath.worstLossUp(afterTrade, spot, xMax, volShock).loss >
            GreeksMath.worstLossUp(beforeTrade, spot, xMax, volShock).loss;
    }

    /// @dev The options book of `a` in `market` with the perpetual position there, and the grid's inputs.
    function _book(
        RiskState storage s,
        IVolatilityOracle volatility,
        EvaluatedAccount memory a,
        uint256 market,
        bool strict,
        IOptionsEngine.Greeks memory options
    ) private view returns (Book memory book) {
        IRiskModule.GreeksConfig memory config = s.greeks[market];
        if (!config.enabled) revert IRiskModule.GreeksNotConfigured(market);
        book.position = strict ? _strictPositionIn(s, volatility, a, market) : _positionIn(s, volatility, a, market);
        book.options = options;
        book.xMax = _xMax(s, market, book.position.sigma);
        book.volShock = config.volShock;
        book.allowed = _allowed(a, book.position.requirement, config.buffer);
    }

    function _bookGreeks(
        IMarginEngine engine,
        address account,
        uint256 market
    ) private view returns (IOptionsEngine.Greeks memory) {
        return IOptionsEngine(address(engine)).bookGreeks(account, market);
    }

    /// @dev The options book's Greeks with the perpetual position's delta.
    function _total(Book memory book) private pure returns (IOptionsEngine.Greeks memory) {
        return
            IOptionsEngine.Greeks({
                delta: book.options.delta + book.position.size,
                gamma: book.options.gamma,
                vega: book.options.vega
            });
    }

    function _requireWithinGrid(uint256 market, Book memory book, IOptionsEngine.Greeks memory greeks) private pure {
        GreeksMath.Worst memory worst = GreeksMath.worstLossUp(greeks, book.position.price, book.xMax, book.volShock);
        if (worst.loss > book.allowed) {
            revert IRiskModule.GreeksBoundExceeded(market, worst.loss, book.allowed, worst.priceStep, worst.volStep);
        }
    }

    /// @dev `E - buffer * E - (stressed requirement of the other markets' positions)`, the buffer rounded up.
    function _allowed(EvaluatedAccount memory a, uint256 ownRequirement, uint256 buffer) private pure returns (int256) {
        int256 kept =
            a.equity > 0 ? int256(Math.mulDiv(uint256(a.equity), buffer, _WAD, Math.Rounding.Ceil)) : int256(0);
        return a.equity - kept - int256(a.requirement - ownRequirement);
    }

    /// @dev The grid's largest relative move: the short side's adverse move `e^s - 1` (the larger one).
    function _xMax(RiskState storage s, uint256 market, uint256 sigma) private view returns (uint256) {
        IRiskModule.MarketConfig storage config = s.markets[market];
        return RiskMath.adverseMoveShortUp(RiskMath.stressedMoveUp(sigma, config.horizon, config.z));
    }

    /// @dev A non-strict evaluation that must be valid (views for keepers and front ends).
    function _validEvaluation(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        uint256 market
    ) private view returns (EvaluatedAccount memory a) {
        a = _evaluate(s, engine, volatility, account, false, 0, 0);
        if (!a.valid) revert IRiskModule.PriceInvalid(address(s.markets[market].feed), IRiskModule.PriceFault.Stale);
    }

    /// @dev The position in `market`, or a new one at a strictly checked price and volatility.
    function _strictPositionIn(
        RiskState storage s,
        IVolatilityOracle volatility,
        EvaluatedAccount memory a,
        uint256 market
    ) private view returns (EvaluatedPosition memory) {
        for (uint256 i; i < a.positions.length; ++i) {
            if (a.positions[i].market == market) return a.positions[i];
        }
        (, uint256 price) = _marketPrice(s, market, true);
        return _position(s, volatility, market, 0, price, true);
    }

    /// @dev Collateral-backed leverage capacity, scaled down by losses, less the other positions' notional.
    function _tierBound(EvaluatedAccount memory a, EvaluatedPosition memory p) private pure returns (uint256) {
        if (a.equity <= 0 || a.collateralValue == 0) return 0;
        uint256 capacity =
            uint256(a.equity) >= a.collateralValue
                ? a.tierCapacity
                : Math.mulDiv(a.tierCapacity, uint256(a.equity), a.collateralValue);
        uint256 others = a.notional - p.notional;
        return capacity > others ? capacity - others : 0;
    }

    function _risk(
        RiskState storage s,
        IMarginEngine engine,
        EvaluatedAccount memory a,
        EvaluatedPosition memory p
    ) private view returns (IRiskModule.PositionRisk memory) {
        (uint256 cap, Bound binding) = _cap(s, engine, a, p);
        IRiskModule.MarketConfig storage config = s.markets[p.market];
        return
            IRiskModule.PositionRisk({
                market: p.market,
                size: p.size,
                price: p.price,
                notional: p.notional,
                cap: cap,
                binding: binding,
                deleverageNotional: RiskMath.deleverageAmountUp(p.notional, cap, config.tauTrigger, config.tauTarget)
            });
    }

    /// @dev A position's risk at the Chainlink price or, when the market's TWAP diverges from it and shows
    /// the larger breach there, at the TWAP.
    function _statusRisk(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        address account,
        EvaluatedAccount memory a,
        EvaluatedPosition memory p
    ) private view returns (IRiskModule.PositionRisk memory risk) {
        risk = _risk(s, engine, a, p);
        uint256 twapPrice = s.depth[p.market].twapPrice;
        if (twapPrice == 0 || !_diverges(p.price, twapPrice, s.markets[p.market].maxDeviation)) return risk;
        EvaluatedAccount memory atTwap = _evaluate(s, engine, volatility, account, false, p.market, twapPrice);
        if (!atTwap.valid) return risk;
        IRiskModule.PositionRisk memory alternative = _risk(
            s,
            engine,
            atTwap,
            _positionIn(s, volatility, atTwap, p.market)
        );
        if (alternative.deleverageNotional > risk.deleverageNotional) risk = alternative;
    }

    function _breach(
        RiskState storage s,
        IMarginEngine engine,
        IVolatilityOracle volatility,
        EvaluatedAccount memory a,
        uint256 market
    ) private view returns (DeleveragePlan memory p) {
        IRiskModule.MarketConfig storage config = s.markets[market];
        p.position = _positionIn(s, volatility, a, market);
        (p.cap, p.binding) = _cap(s, engine, a, p.position);
        p.notional = RiskMath.deleverageAmountUp(p.position.notional, p.cap, config.tauTrigger, config.tauTarget);
    }

    function _positionIn(
        RiskState storage s,
        IVolatilityOracle volatility,
        EvaluatedAccount memory a,
        uint256 market
    ) private view returns (EvaluatedPosition memory) {
        for (uint256 i; i < a.positions.length; ++i) {
            if (a.positions[i].market == market) return a.positions[i];
        }
        (bool ok, uint256 price) = _marketPrice(s, market, false);
        if (!ok) revert IRiskModule.PriceInvalid(address(s.markets[market].feed), IRiskModule.PriceFault.Stale);
        return _position(s, volatility, market, 0, price, false);
    }

    function _checkSequencer(RiskState storage s) private view {
        address feed = s.sequencerFeed;
        if (feed == address(0)) return;
        try AggregatorV3Interface(feed).latestRoundData() returns (
            uint80,
            int256 answer,
            uint256 startedAt,
            uint256,
            uint80
        ) {
            if (answer != 0) revert IRiskModule.SequencerDown();
            uint256 graceEndsAt = startedAt + s.sequencerGrace;
            if (block.timestamp < graceEndsAt) revert IRiskModule.SequencerGracePeriod(graceEndsAt);
        } catch {
            revert IRiskModule.SequencerDown();
        }
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

    function _diverges(uint256 price, uint256 anchor, uint256 maxDeviation) private pure returns (bool) {
        if (anchor == 0) return true;
        uint256 gap = price > anchor ? price - anchor : anchor - price;
        return gap * _WAD > anchor * maxDeviation;
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
