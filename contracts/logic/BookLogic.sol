// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {GreeksMath} from "../libraries/GreeksMath.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {AccountEval, BookEval, Context, PositionEval} from "./EvaluationTypes.sol";
import {PriceLogic} from "./PriceLogic.sol";
import {RiskState, StoredMarket} from "./RiskState.sol";

/// @title BookLogic
/// @notice Options books in markets with Greeks sizing (RISK-MODEL.md section 7): a market's requirement, the
/// perpetual's Greeks bound, what a book may still take, and whether an options trade raised a worst loss.
/// @dev A market with Greeks sizing is judged on the scenario grid as one book: the engine's options plus the
/// perpetual position as delta (`delta = size`, no gamma or vega). Its requirement is the perpetual's
/// maintenance margin `ceil(m * |N| * S)` plus the grid's worst loss `W` (never negative: the grid holds the
/// unchanged scenario), so the maintenance term is never dropped. Losses round up, sizes down.
library BookLogic {
    uint256 private constant _WAD = 1e18;

    /// @notice The book of `market` with `options`, the perpetual `perpSize` of notional `perpNotional`, at
    /// `spot` and `sigma`.
    function evaluate(
        RiskState storage s,
        uint256 market,
        IOptionsEngine.Greeks memory options,
        int256 perpSize,
        uint256 perpNotional,
        uint256 spot,
        uint256 sigma
    ) internal view returns (BookEval memory b) {
        (b.market, b.options, b.perpSize, b.spot, b.sigma) = (market, options, perpSize, spot, sigma);
        b.xMax = xMax(s, market, sigma);
        b.volShock = s.greeks[market].volShock;
        GreeksMath.Worst memory worst = GreeksMath.worstLossUp(total(b), spot, b.xMax, b.volShock);
        (b.worstLoss, b.priceStep, b.volStep) = (worst.loss, worst.priceStep, worst.volStep);
        b.optionsLoss = GreeksMath.worstLossUp(options, spot, b.xMax, b.volShock).loss;
        b.maintenance = RiskMath.stressedRequirementUp(perpNotional, s.markets[market].maintenanceMargin, 0);
        b.requirement = b.maintenance + (b.worstLoss > 0 ? uint256(b.worstLoss) : 0);
    }

    /// @notice The book's Greeks with the perpetual's delta.
    function total(BookEval memory b) internal pure returns (IOptionsEngine.Greeks memory) {
        return
            IOptionsEngine.Greeks({delta: b.options.delta + b.perpSize, gamma: b.options.gamma, vega: b.options.vega});
    }

    /// @notice What the grid's worst loss of book `b` may reach: equity less the buffer, the other markets'
    /// requirements and the perpetual's maintenance margin.
    function allowed(AccountEval memory a, BookEval memory b) internal pure returns (int256) {
        return a.equity - int256(a.buffer) - int256(a.requirement - b.requirement) - int256(b.maintenance);
    }

    /// @notice Reverts `GreeksBoundExceeded` when the book's worst loss is above what the account can bear.
    /// @dev `worstLoss > allowed` exactly when the account's free equity is negative.
    function requireWithinAllowance(AccountEval memory a, BookEval memory b) internal pure {
        int256 limit = allowed(a, b);
        if (b.worstLoss > limit) {
            revert IRiskErrors.GreeksBoundExceeded(b.market, b.worstLoss, limit, b.priceStep, b.volStep);
        }
    }

    /// @notice The Greeks bound of perpetual `p` in its book `b`: the largest notional (in its direction, or in
    /// either for a new one) whose maintenance margin plus the grid's worst loss stays within what the account
    /// can bear there, or no higher than the options alone (a hedge is never capped below the point where it
    /// stops reducing the book's loss).
    function perpBound(
        RiskState storage s,
        AccountEval memory a,
        PositionEval memory p,
        BookEval memory b
    ) internal view returns (uint256 bound) {
        // The buffer of this market counts even for a new position (its book is about to exist).
        uint256 buffer = Math.max(a.buffer, bufferOf(s, b.market, a.equity));
        int256 room = a.equity - int256(buffer) - int256(a.requirement - b.requirement);
        uint256 unitCost = Math.mulDiv(b.spot, s.markets[p.market].maintenanceMargin, _WAD, Math.Rounding.Ceil);
        bound = type(uint256).max;
        if (p.size >= 0) bound = _directionBound(b, 1, unitCost, room);
        if (p.size <= 0) bound = Math.min(bound, _directionBound(b, -1, unitCost, room));
    }

    /// @dev The largest perpetual notional in `direction` (+1 long, -1 short) for `perpBound`.
    function _directionBound(
        BookEval memory b,
        int256 direction,
        uint256 unitCost,
        int256 room
    ) private pure returns (uint256) {
        uint256 units = GreeksMath.maxTradeDown(
            b.options,
            IOptionsEngine.Greeks({delta: direction * int256(_WAD), gamma: 0, vega: 0}),
            unitCost,
            b.spot,
            b.xMax,
            b.volShock,
            room
        );
        return units == type(uint256).max ? units : Math.mulDiv(units, b.spot, _WAD);
    }

    /// @notice The book's report for keepers and front ends (`IRiskKeeper.greeksRisk`).
    function risk(
        RiskState storage s,
        AccountEval memory a,
        BookEval memory b
    ) internal view returns (IRiskTypes.GreeksRisk memory r) {
        r.greeks = total(b);
        (r.perpSize, r.spot, r.sigma, r.xMax, r.equity) = (b.perpSize, b.spot, b.sigma, b.xMax, a.equity);
        (r.worstLoss, r.priceStep, r.volStep) = (b.worstLoss, b.priceStep, b.volStep);
        r.allowed = allowed(a, b);
        r.hedgeDelta = -r.greeks.delta;
        // The rebalance band is the diffusion drift of delta over the hedge interval: no gap floor (a jump is
        // covered by the grid, not by rebalancing more often).
        (r.maintenance, r.optionsLoss) = (b.maintenance, b.optionsLoss);
        r.rebalanceBand = GreeksMath.rebalanceBandDown(
            r.greeks.gamma,
            r.spot,
            RiskMath.stressedMoveUp(r.sigma, s.greeks[b.market].hedgeInterval, s.markets[b.market].z)
        );
    }

    /// @notice The largest number of units of an instrument with per-unit Greeks `perUnit` the book may take
    /// (see `GreeksMath.maxTradeDown`), against the allowance with this market's buffer counted.
    function maxTrade(
        RiskState storage s,
        AccountEval memory a,
        BookEval memory b,
        IOptionsEngine.Greeks memory perUnit
    ) internal view returns (uint256) {
        uint256 buffer = Math.max(a.buffer, bufferOf(s, b.market, a.equity));
        int256 limit = allowed(a, b) - int256(buffer - a.buffer);
        return GreeksMath.maxTradeDown(total(b), perUnit, b.spot, b.xMax, b.volShock, limit);
    }

    /// @notice The buffer `ceil(buffer * E)` a book in `market` keeps out of reach (zero for `E <= 0`).
    function bufferOf(RiskState storage s, uint256 market, int256 equity) internal view returns (uint256) {
        if (equity <= 0) return 0;
        return Math.mulDiv(uint256(equity), s.greeks[market].buffer, _WAD, Math.Rounding.Ceil);
    }

    /// @notice Whether the options trade with Greeks `trade` raised the worst scenario loss of the account's book
    /// in `market` (perpetual included; `positions` are the account's perpetuals from its snapshot). Judged at the latest positive price and the last volatility, however
    /// old: both books are judged at the same point, so the answer needs no fresh data (a loss-reducing trade
    /// is never blocked). A market without Greeks sizing is judged on a grid with a 100-vol-point shock.
    function raisesWorstLoss(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market,
        IOptionsEngine.Greeks memory trade,
        IMarginEngine.PositionSnapshot[] memory positions
    ) internal view returns (bool) {
        if (!s.markets[market].listed) revert IRiskErrors.MarketNotListed(market);
        uint256 spot = PriceLogic.latestPositive(s, market);
        if (spot == 0) return true;
        (uint256 sigma, ) = c.volatility.getVolatility(address(s.markets[market].feed));
        uint256 gridMove = xMax(s, market, Math.min(sigma, RiskMath.MAX_SIGMA));
        uint256 volShock = s.greeks[market].enabled ? s.greeks[market].volShock : _WAD;
        IOptionsEngine.Greeks memory afterTrade = IOptionsEngine(address(c.engine)).bookGreeks(account, market);
        for (uint256 i; i < positions.length; ++i) {
            if (positions[i].market == market) afterTrade.delta += positions[i].size;
        }
        IOptionsEngine.Greeks memory beforeTrade = IOptionsEngine.Greeks({
            delta: afterTrade.delta - trade.delta,
            gamma: afterTrade.gamma - trade.gamma,
            vega: afterTrade.vega - trade.vega
        });
        return
            GreeksMath.worstLossUp(afterTrade, spot, gridMove, volShock).loss >
            GreeksMath.worstLossUp(beforeTrade, spot, gridMove, volShock).loss;
    }

    /// @notice The grid's largest relative move in `market` at `sigma`: the short side's adverse move `e^s - 1` of
    /// the stressed move with the market's gap floor (the same `s` as the perpetual's requirement).
    function xMax(RiskState storage s, uint256 market, uint256 sigma) internal view returns (uint256) {
        StoredMarket storage config = s.markets[market];
        return RiskMath.adverseMoveShortUp(RiskMath.stressedMoveUp(sigma, config.horizon, config.z, config.gap));
    }
}
