// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";

/// @title GreeksMath
/// @notice The scenario grid of RISK-MODEL.md section 7 as pure functions in WAD (1e18) fixed point: the loss
/// of a book in each of 7 price moves `x in {-1, -2/3, -1/3, 0, 1/3, 2/3, 1} * x_max` times 3 vol moves
/// `dSigma in {-v, 0, +v}`, `L(x, dSigma) = -(delta * S * x + gamma * S^2 * x^2 / 2 + vega * dSigma)`; the
/// largest trade that keeps the worst loss admissible; and the hedge band.
/// @dev Rounding is in the protocol's favour and named: losses round up (every gain term towards negative
/// infinity, every scenario move away from zero), admissible sizes and hedge bands round down.
///
/// Input domain (anything outside reverts with `GreeksInputOutOfRange`): `|delta|`, `|gamma|`, `|vega|` and
/// `|allowed|` <= `MAX_GREEK` (1e38); `spot` <= `MAX_SPOT` (1e30, i.e. 1e12 USD); `xMax` <= `MAX_MOVE` (9e24,
/// above `e^16 - 1`, the largest adverse move of `RiskMath`); `volShock` <= `MAX_VOL_SHOCK` (10.0). Inside
/// it every product fits in 256 bits and a loss stays below 2^254.
library GreeksMath {
    /// @notice An input lies outside the documented domain of the library.
    error GreeksInputOutOfRange(uint256 value, uint256 max);

    /// @notice The worst scenario of a book.
    /// @param loss Its loss, WAD USD (negative: every scenario gains).
    /// @param priceStep Its price move in thirds of `x_max`, in [-3, 3].
    /// @param volStep Its vol move in units of `v`, in [-1, 1].
    struct Worst {
        int256 loss;
        int8 priceStep;
        int8 volStep;
    }

    uint256 internal constant WAD = 1e18;
    uint256 internal constant MAX_GREEK = 1e38;
    uint256 internal constant MAX_SPOT = 1e30;
    uint256 internal constant MAX_MOVE = 9e24;
    uint256 internal constant MAX_VOL_SHOCK = 10e18;
    /// @dev Price moves on each side of zero (thirds of `x_max`).
    int8 private constant _PRICE_STEPS = 3;

    /// @notice The loss of `book` when the price moves by `priceStep / 3 * xMax` and the volatility by
    /// `volStep * volShock`, rounded up.
    /// @param book Greeks of the book (see `IOptionsEngine` for units).
    /// @param spot Underlying price `S`, WAD USD.
    /// @param xMax Largest relative price move of the grid, WAD.
    /// @param volShock Vol move `v`, WAD (absolute: 0.2e18 is 20 vol points).
    /// @param priceStep In [-3, 3].
    /// @param volStep In [-1, 1].
    /// @return loss WAD USD, negative for a gain.
    function scenarioLossUp(
        IOptionsEngine.Greeks memory book,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int8 priceStep,
        int8 volStep
    ) internal pure returns (int256 loss) {
        _checkInputs(book, spot, xMax, volShock);
        return _lossUp(book, spot, _moveAwayFromZero(xMax, priceStep), int256(volShock) * volStep);
    }

    /// @notice The worst of the 21 scenarios of `book`, its loss rounded up (ties: the first in grid order,
    /// price moves from -3 to 3, vol moves from -1 to 1).
    function worstLossUp(
        IOptionsEngine.Greeks memory book,
        uint256 spot,
        uint256 xMax,
        uint256 volShock
    ) internal pure returns (Worst memory worst) {
        _checkInputs(book, spot, xMax, volShock);
        worst.loss = type(int256).min;
        for (int8 i = -_PRICE_STEPS; i <= _PRICE_STEPS; ++i) {
            int256 x = _moveAwayFromZero(xMax, i);
            for (int8 j = -1; j <= 1; ++j) {
                int256 loss = _lossUp(book, spot, x, int256(volShock) * j);
                if (loss > worst.loss) worst = Worst(loss, i, j);
            }
        }
    }

    /// @notice The largest number of units `k` (WAD) of an instrument with per-unit Greeks `perUnit` that can
    /// be added to `book` while every scenario loss stays at most `max(allowed, worst loss of book)`, rounded
    /// down (RISK-MODEL.md section 7: `min over scenarios with L_unit > 0 of (allowed - L_book) / L_unit`).
    /// @dev Admitting up to the book's current worst loss means a trade that does not raise the worst loss is
    /// always admissible; the admissible set is `[0, k]` because the worst loss is convex in `k` (a maximum of
    /// functions linear in `k`). `type(uint256).max` when no scenario loses on the instrument.
    /// @param allowed The loss the account can bear, WAD USD (equity less the buffer and other requirements).
    function maxTradeDown(
        IOptionsEngine.Greeks memory book,
        IOptionsEngine.Greeks memory perUnit,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int256 allowed
    ) internal pure returns (uint256 units) {
        return maxTradeDown(book, perUnit, 0, spot, xMax, volShock, allowed);
    }

    /// @notice `maxTradeDown` where each unit also costs `unitCost` in every scenario (a perpetual's maintenance
    /// margin `m * S` per unit): the largest `k` with `k * unitCost + L(book + k * perUnit) <= max(allowed,
    /// worst loss of book)` in every scenario, rounded down. Still convex in `k`, so the admissible set is
    /// `[0, k]`.
    /// @param unitCost WAD USD per unit (1e18 units), at most `MAX_GREEK`.
    function maxTradeDown(
        IOptionsEngine.Greeks memory book,
        IOptionsEngine.Greeks memory perUnit,
        uint256 unitCost,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int256 allowed
    ) internal pure returns (uint256 units) {
        _check(unitCost, MAX_GREEK);
        _checkInputs(book, spot, xMax, volShock);
        _checkInputs(perUnit, spot, xMax, volShock);
        _check(_abs(allowed), MAX_GREEK);
        int256 ceiling = allowed;
        int256[21] memory bookLosses;
        uint256 n;
        for (int8 i = -_PRICE_STEPS; i <= _PRICE_STEPS; ++i) {
            int256 x = _moveAwayFromZero(xMax, i);
            for (int8 j = -1; j <= 1; ++j) {
                int256 loss = _lossUp(book, spot, x, int256(volShock) * j);
                bookLosses[n++] = loss;
                if (loss > ceiling) ceiling = loss;
            }
        }
        units = type(uint256).max;
        n = 0;
        for (int8 i = -_PRICE_STEPS; i <= _PRICE_STEPS; ++i) {
            int256 x = _moveAwayFromZero(xMax, i);
            for (int8 j = -1; j <= 1; ++j) {
                int256 unitLoss = _lossUp(perUnit, spot, x, int256(volShock) * j) + int256(unitCost);
                int256 room = ceiling - bookLosses[n++];
                if (unitLoss <= 0) continue;
                units = Math.min(units, Math.mulDiv(uint256(room), WAD, uint256(unitLoss)));
            }
        }
    }

    /// @notice The hedge band, underlying units (WAD): the delta drift that gamma causes over a stressed move
    /// `s` of the keeper's interval, `|gamma| * S * s`, rounded down (a smaller band rebalances sooner).
    /// @param gamma Book gamma, WAD per USD.
    /// @param spot Underlying price, WAD USD.
    /// @param stressedMove `z * sigma * sqrt(interval / YEAR)`, WAD (from `RiskMath.stressedMoveUp`).
    function rebalanceBandDown(int256 gamma, uint256 spot, uint256 stressedMove) internal pure returns (uint256) {
        _check(_abs(gamma), MAX_GREEK);
        _check(spot, MAX_SPOT);
        _check(stressedMove, MAX_MOVE);
        return Math.mulDiv(Math.mulDiv(_abs(gamma), spot, WAD), stressedMove, WAD);
    }

    /// @dev `-(delta * S * x + gamma * S^2 * x^2 / 2 + vega * dSigma)` with every term of the gain rounded
    /// towards negative infinity.
    function _lossUp(
        IOptionsEngine.Greeks memory g,
        uint256 spot,
        int256 x,
        int256 dSigma
    ) private pure returns (int256) {
        uint256 absX = _abs(x);
        int256 gain = _productDown(g.delta, spot, x < 0 ? -int256(absX) : int256(absX));
        // gamma * S^2 * x^2 / 2: the sign is gamma's.
        uint256 curvature = Math.mulDiv(Math.mulDiv(spot, absX, WAD), Math.mulDiv(spot, absX, WAD), 2 * WAD);
        gain += _productDown(g.gamma, curvature, int256(WAD));
        gain += _productDown(g.vega, WAD, dSigma);
        return -gain;
    }

    /// @dev `a * b * c / WAD^2` for signed `a`, `c` and unsigned `b`, rounded towards negative infinity.
    function _productDown(int256 a, uint256 b, int256 c) private pure returns (int256) {
        bool negative = (a < 0) != (c < 0);
        Math.Rounding rounding = negative ? Math.Rounding.Ceil : Math.Rounding.Floor;
        uint256 magnitude = Math.mulDiv(Math.mulDiv(_abs(a), b, WAD, rounding), _abs(c), WAD, rounding);
        return negative ? -int256(magnitude) : int256(magnitude);
    }

    /// @dev `step / 3 * xMax`, its magnitude rounded up.
    function _moveAwayFromZero(uint256 xMax, int8 step) private pure returns (int256) {
        uint256 magnitude = Math.mulDiv(xMax, _abs(int256(step)), uint256(int256(_PRICE_STEPS)), Math.Rounding.Ceil);
        return step < 0 ? -int256(magnitude) : int256(magnitude);
    }

    function _checkInputs(IOptionsEngine.Greeks memory g, uint256 spot, uint256 xMax, uint256 volShock) private pure {
        _check(_abs(g.delta), MAX_GREEK);
        _check(_abs(g.gamma), MAX_GREEK);
        _check(_abs(g.vega), MAX_GREEK);
        _check(spot, MAX_SPOT);
        _check(xMax, MAX_MOVE);
        _check(volShock, MAX_VOL_SHOCK);
    }

    function _check(uint256 value, uint256 max) private pure {
        if (value > max) revert GreeksInputOutOfRange(value, max);
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
