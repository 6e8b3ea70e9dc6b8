// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {BOUND_COUNT, Bound} from "../types/Bound.sol";
import {AccountEval, BookEval, Cap, Context, PositionEval} from "./EvaluationTypes.sol";
import {BookLogic} from "./BookLogic.sol";
import {RiskState, StoredMarket} from "./RiskState.sol";

/// @title CapLogic
/// @notice The cap of one position of an evaluated account: the minimum of its named bounds (RISK-MODEL.md
/// section 3), and the deleverage it is due.
/// @dev The liquidation-distance bound is what the account's free equity leaves the position: `(E - K -
/// (R - R_p)) / (m + x)`, so the other markets' requirements (options books included) and the buffer are
/// always counted. In a market with Greeks sizing the Greeks bound (`BookLogic.perpBound`, the maintenance
/// margin included) takes its place.
library CapLogic {
    uint256 private constant _WAD = 1e18;

    /// @notice The cap of `p`, a position of `a`, and the binding bound.
    function cap(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        PositionEval memory p
    ) internal view returns (Cap memory) {
        StoredMarket storage config = s.markets[p.market];
        IRiskTypes.DepthState storage depth = s.depth[p.market];
        bool isLong = p.size > 0;
        uint256 depthSide =
            p.size == 0
                ? Math.min(depth.down, depth.up)
                : isLong
                    ? depth.down
                    : depth.up;
        (uint256 longSize, uint256 shortSize) = c.engine.openInterest(p.market);
        RiskMath.CapInput memory input;
        input.equity = a.equity;
        input.otherRequirement = a.requirement - p.requirement + a.buffer;
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
        input.gap = config.gap;
        (uint256 value, Bound binding, uint256[BOUND_COUNT] memory bounds) = RiskMath.positionCapDown(input, p.x);
        if (config.greeksEnabled) {
            bounds[uint8(Bound.LiquidationDistance) - 1] = type(uint256).max;
            bounds[uint8(Bound.Greeks) - 1] = BookLogic.perpBound(s, a, p, _book(s, a, p));
            (value, binding) = RiskMath.minOfBounds(bounds);
        }
        return Cap(value, binding);
    }

    /// @notice The notional `deleverage` would remove from `p` at cap `cap` (before the window).
    function deleverageNotional(
        RiskState storage s,
        uint256 market,
        uint256 notional,
        uint256 capValue
    ) internal view returns (uint256) {
        StoredMarket storage config = s.markets[market];
        return RiskMath.deleverageAmountUp(notional, capValue, config.tauTrigger, config.tauTarget);
    }

    /// @dev The book of `p` (an empty one for a new position in a market where the account has none).
    function _book(
        RiskState storage s,
        AccountEval memory a,
        PositionEval memory p
    ) private view returns (BookEval memory) {
        if (p.book != 0) return a.books[p.book - 1];
        IOptionsEngine.Greeks memory none;
        return BookLogic.evaluate(s, p.market, none, p.size, p.notional, p.price, p.sigma);
    }

    /// @dev Collateral-backed leverage capacity, scaled down by losses, less the other positions' notional.
    function _tierBound(AccountEval memory a, PositionEval memory p) private pure returns (uint256) {
        if (a.equity <= 0 || a.collateralValue == 0) return 0;
        uint256 capacity =
            uint256(a.equity) >= a.collateralValue
                ? a.tierCapacity
                : Math.mulDiv(a.tierCapacity, uint256(a.equity), a.collateralValue);
        uint256 others = a.notional - p.notional;
        return capacity > others ? capacity - others : 0;
    }
}
