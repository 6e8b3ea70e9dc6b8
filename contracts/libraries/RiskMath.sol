// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {UD60x18, exp} from "@prb/math/src/UD60x18.sol";

import {BOUND_COUNT, Bound} from "../types/Bound.sol";

/// @title RiskMath
/// @notice The cap formulas of RISK-MODEL.md section 3 as pure functions in WAD (1e18) fixed point.
/// @dev Every rounding is in the protocol's favour and named in the function name: `Up` for quantities
/// that make a cap smaller when larger (adverse moves, requirements, haircuts, deleverage amounts), `Down`
/// for caps and bounds. The transcendental functions come from PRB Math (`exp`, which truncates); an upper
/// bound of `e^x` is obtained by padding PRB's result by more than its documented error (`_expUp`).
///
/// Input domain (inclusive; anything outside reverts with the named error, nothing overflows inside):
/// - `sigma` (annualized volatility) <= `MAX_SIGMA` (10.0 = 1,000 %);
/// - `horizon` (seconds) <= `MAX_HORIZON` (7 days); `z` <= `MAX_Z` (10.0);
/// - stressed move `s` <= `MAX_STRESSED_MOVE` (16.0; the three limits above give at most 13.9), so that
///   `x_S <= e^16 - 1` (about 8.9e6) and `x_L < 1` stay representable and requirements cannot overflow;
/// - gap floor of the stressed move `gap` <= `MAX_STRESSED_MOVE` (markets are configured far below: 1.0);
/// - amounts (equity, notional, depth, open interest) <= `MAX_AMOUNT` (1e38 WAD, i.e. 1e20 USD);
/// - ratios (`m`, `kappa`, haircuts, `tau_target`) <= `WAD`; `tau_trigger` <= `MAX_TRIGGER` (1.0).
library RiskMath {
    /// @notice An input lies outside the documented domain of the library.
    /// @param input Which input (see `Input`).
    /// @param value The value received.
    /// @param max The largest accepted value.
    error InputOutOfRange(Input input, uint256 value, uint256 max);

    /// @notice Names the inputs that `InputOutOfRange` reports.
    enum Input {
        Sigma,
        Horizon,
        Z,
        StressedMove,
        Amount,
        Ratio,
        Trigger,
        Gap
    }

    /// @notice Everything the cap of one position depends on, as computed by the module from the engine's
    /// snapshot, the oracles and the market configuration. Amounts are WAD quote (USD).
    /// @param equity Account equity `E` after collateral haircuts (signed).
    /// @param otherRequirement Stressed requirement `sum N_j * (m_j + x_j)` of the account's other positions.
    /// @param sigma Annualized volatility of the market, WAD.
    /// @param horizon Reaction horizon `h`, seconds.
    /// @param z Confidence multiplier, WAD.
    /// @param m Maintenance margin ratio, WAD.
    /// @param isLong Direction of the position (selects `x_L` or `x_S`).
    /// @param sigmaTarget Volatility target, WAD; zero when the market has none.
    /// @param depth Depth `D(s_max)` in the direction that unwinds the position.
    /// @param kappa Fraction of the depth one position may take, WAD.
    /// @param oiCap Open-interest cap of the position's side.
    /// @param oiSide Open interest of that side, including this position.
    /// @param current The position's current notional.
    /// @param tierCapacity Notional the account's collateral tiers allow this position (already net of the
    /// account's other positions); `type(uint256).max` when no tier limits it.
    /// @param greeksBound The Greeks scenario bound; `type(uint256).max` outside options books.
    /// @param gap Floor of the stressed log-move (the market's jump risk), WAD; zero for none.
    struct CapInput {
        int256 equity;
        uint256 otherRequirement;
        uint256 sigma;
        uint256 horizon;
        uint256 z;
        uint256 m;
        bool isLong;
        uint256 sigmaTarget;
        uint256 depth;
        uint256 kappa;
        uint256 oiCap;
        uint256 oiSide;
        uint256 current;
        uint256 tierCapacity;
        uint256 greeksBound;
        uint256 gap;
    }

    uint256 internal constant WAD = 1e18;
    /// @dev Seconds per year used by every annualization (RISK-MODEL.md section 4).
    uint256 internal constant YEAR = 31_536_000;

    uint256 internal constant MAX_SIGMA = 10e18;
    uint256 internal constant MAX_HORIZON = 7 days;
    uint256 internal constant MAX_Z = 10e18;
    uint256 internal constant MAX_STRESSED_MOVE = 16e18;
    uint256 internal constant MAX_AMOUNT = 1e38;
    uint256 internal constant MAX_TRIGGER = 1e18;
    uint256 internal constant MAX_KAPPA_OI = 10e18;

    /// @dev PRB Math's `exp` truncates (its result is below `e^x` by far less than 1e-15 relative over the
    /// domain); padding by 1e-15 relative plus 2 wei gives an upper bound, checked against a 50-digit
    /// reference in `test/unit/riskMath.differential.test.ts`.
    uint256 private constant _EXP_PAD_DIVISOR = 1e15;

    /// @notice The stressed move `s = z * sigma * sqrt(horizon / YEAR)`, rounded up.
    /// @param sigma Annualized volatility, WAD.
    /// @param horizon Reaction horizon in seconds.
    /// @param z Confidence multiplier, WAD.
    /// @return s The stressed log-move, WAD.
    function stressedMoveUp(uint256 sigma, uint256 horizon, uint256 z) internal pure returns (uint256 s) {
        _check(Input.Sigma, sigma, MAX_SIGMA);
        _check(Input.Horizon, horizon, MAX_HORIZON);
        _check(Input.Z, z, MAX_Z);
        // sqrt(horizon / YEAR) in WAD = sqrt(horizon * WAD^2 / YEAR), both steps rounded up.
        uint256 rootTime = Math.sqrt(Math.ceilDiv(horizon * WAD * WAD, YEAR), Math.Rounding.Ceil);
        s = Math.mulDiv(Math.mulDiv(z, sigma, WAD, Math.Rounding.Ceil), rootTime, WAD, Math.Rounding.Ceil);
    }

    /// @notice The stressed move with a gap floor, `s = max(z * sigma * sqrt(horizon / YEAR), gap)`, rounded up
    /// (RISK-MODEL.md section 3.1): the diffusion quantile, but never less than the adverse log-move the
    /// market's own history shows within one reaction horizon (a jump the oracle publishes in one round).
    /// @dev Monotone in every argument; equal to `stressedMoveUp(sigma, horizon, z)` when `gap` is zero.
    /// @param gap Floor of the stressed log-move, WAD, at most `MAX_STRESSED_MOVE`.
    /// @return s The stressed log-move, WAD.
    function stressedMoveUp(uint256 sigma, uint256 horizon, uint256 z, uint256 gap) internal pure returns (uint256 s) {
        _check(Input.Gap, gap, MAX_STRESSED_MOVE);
        s = Math.max(stressedMoveUp(sigma, horizon, z), gap);
    }

    /// @notice The adverse move of a long over the stressed move, `x_L = 1 - e^(-s)`, rounded up.
    /// @param s Stressed log-move, WAD.
    /// @return x Fraction of notional lost, WAD, in [0, WAD).
    function adverseMoveLongUp(uint256 s) internal pure returns (uint256 x) {
        _check(Input.StressedMove, s, MAX_STRESSED_MOVE);
        // e^(-s) = 1 / e^s: dividing by an upper bound of e^s and rounding down gives a lower bound of
        // e^(-s), so `1 - lower bound` is an upper bound of x_L.
        x = WAD - Math.mulDiv(WAD, WAD, _expUp(s));
    }

    /// @notice The adverse move of a short over the stressed move, `x_S = e^s - 1`, rounded up.
    /// @param s Stressed log-move, WAD.
    /// @return x Fraction of notional lost, WAD (may exceed WAD).
    function adverseMoveShortUp(uint256 s) internal pure returns (uint256 x) {
        _check(Input.StressedMove, s, MAX_STRESSED_MOVE);
        x = _expUp(s) - WAD;
    }

    /// @notice The adverse move for a position's direction (`x_L` for longs, `x_S` for shorts), rounded up.
    function adverseMoveUp(uint256 s, bool isLong) internal pure returns (uint256 x) {
        x = isLong ? adverseMoveLongUp(s) : adverseMoveShortUp(s);
    }

    /// @notice The stressed requirement of a position, `N * (m + x)`, rounded up.
    /// @param notional Position notional, WAD quote.
    /// @param m Maintenance margin ratio, WAD.
    /// @param x Adverse move, WAD.
    function stressedRequirementUp(uint256 notional, uint256 m, uint256 x) internal pure returns (uint256) {
        _check(Input.Amount, notional, MAX_AMOUNT);
        _check(Input.Ratio, m, WAD);
        return Math.mulDiv(notional, m + x, WAD, Math.Rounding.Ceil);
    }

    /// @notice The liquidation-distance bound `N_ld = E_free / (m + x)`, rounded down; zero when
    /// `E_free <= 0`. With `m + x == 0` nothing can be lost, and the bound is `type(uint256).max`.
    /// @param freeEquity Equity less the stressed requirement of the account's other positions, WAD (signed).
    /// @param m Maintenance margin ratio, WAD.
    /// @param x Adverse move, WAD.
    function liquidationBoundDown(int256 freeEquity, uint256 m, uint256 x) internal pure returns (uint256) {
        if (freeEquity <= 0) return 0;
        _check(Input.Amount, uint256(freeEquity), MAX_AMOUNT);
        _check(Input.Ratio, m, WAD);
        uint256 denominator = m + x;
        if (denominator == 0) return type(uint256).max;
        return Math.mulDiv(uint256(freeEquity), WAD, denominator);
    }

    /// @notice The volatility-target bound `N_vt = E * sigmaTarget / sigma`, rounded down; zero when
    /// `E <= 0`, unbounded when `sigma == 0`.
    function volTargetBoundDown(int256 equity, uint256 sigmaTarget, uint256 sigma) internal pure returns (uint256) {
        if (equity <= 0) return 0;
        _check(Input.Amount, uint256(equity), MAX_AMOUNT);
        _check(Input.Sigma, sigmaTarget, MAX_SIGMA);
        _check(Input.Sigma, sigma, MAX_SIGMA);
        if (sigma == 0) return type(uint256).max;
        return Math.mulDiv(uint256(equity), sigmaTarget, sigma);
    }

    /// @notice The liquidity-depth bound `kappa * D(s_max)`, rounded down. The same function sizes a
    /// market's open-interest limit per side with `kappa_OI`.
    /// @param depth Quote notional that moves the reference pool by `s_max`, WAD.
    /// @param kappa Fraction of the depth one position (or one side's open interest) may take, WAD.
    function depthBoundDown(uint256 depth, uint256 kappa) internal pure returns (uint256) {
        _check(Input.Amount, depth, MAX_AMOUNT);
        _check(Input.Ratio, kappa, WAD);
        return Math.mulDiv(depth, kappa, WAD);
    }

    /// @notice The open-interest cap of one side: `min(oiCap, kappaOI * D(s_max))`, rounded down.
    /// @param kappaOI Side open interest allowed as a multiple of the depth, WAD, at most `MAX_KAPPA_OI`.
    function openInterestCapDown(uint256 oiCap, uint256 depth, uint256 kappaOI) internal pure returns (uint256) {
        _check(Input.Amount, depth, MAX_AMOUNT);
        _check(Input.Ratio, kappaOI, MAX_KAPPA_OI);
        return Math.min(oiCap, Math.mulDiv(depth, kappaOI, WAD));
    }

    /// @notice The open-interest headroom bound `N <= OI_cap - OI_side + N_current`, zero when negative.
    /// @param oiCap Open-interest cap of the position's side, WAD quote.
    /// @param oiSide Current open interest of that side (including this position), WAD quote.
    /// @param current The position's current notional, WAD quote.
    function openInterestBoundDown(uint256 oiCap, uint256 oiSide, uint256 current) internal pure returns (uint256) {
        _check(Input.Amount, oiCap, MAX_AMOUNT);
        _check(Input.Amount, oiSide, MAX_AMOUNT);
        _check(Input.Amount, current, MAX_AMOUNT);
        uint256 room = oiCap + current;
        return room > oiSide ? room - oiSide : 0;
    }

    /// @notice A collateral haircut that grows with the collateral's own volatility,
    /// `h_c = max(h_base, 1 - e^(-z * sigma_c * sqrt(h / YEAR)))`, rounded up.
    /// @param baseHaircut The asset's base haircut, WAD.
    /// @param sigmaCollateral Annualized volatility of the collateral, WAD (zero when not configured).
    function ownVolHaircutUp(
        uint256 baseHaircut,
        uint256 sigmaCollateral,
        uint256 horizon,
        uint256 z
    ) internal pure returns (uint256) {
        _check(Input.Ratio, baseHaircut, WAD);
        uint256 volHaircut = adverseMoveLongUp(stressedMoveUp(sigmaCollateral, horizon, z));
        return Math.max(baseHaircut, volHaircut);
    }

    /// @notice The value of an amount after a haircut, `value * (1 - haircut)`, rounded down.
    function haircutValueDown(uint256 value, uint256 haircut) internal pure returns (uint256) {
        _check(Input.Amount, value, MAX_AMOUNT);
        _check(Input.Ratio, haircut, WAD);
        return Math.mulDiv(value, WAD - haircut, WAD);
    }

    /// @notice The cap as the minimum of the named bounds, and the bound that binds.
    /// @param bounds One entry per bound, indexed by `uint8(Bound) - 1`; `type(uint256).max` when absent.
    /// @return cap The smallest bound.
    /// @return binding The bound equal to `cap`, the first in `Bound` order on ties; `None` when all are absent.
    function minOfBounds(uint256[BOUND_COUNT] memory bounds) internal pure returns (uint256 cap, Bound binding) {
        cap = type(uint256).max;
        for (uint256 i; i < BOUND_COUNT; ++i) {
            if (bounds[i] < cap) {
                cap = bounds[i];
                binding = Bound(i + 1);
            }
        }
    }

    /// @notice The cap of one position: the minimum of its named bounds, and which one binds.
    /// @return cap The smallest bound, rounded down.
    /// @return binding The binding bound (first in `Bound` order on ties).
    /// @return bounds Every bound, indexed by `uint8(Bound) - 1`.
    function positionCapDown(
        CapInput memory input
    ) internal pure returns (uint256 cap, Bound binding, uint256[BOUND_COUNT] memory bounds) {
        return
            positionCapDown(
                input,
                adverseMoveUp(stressedMoveUp(input.sigma, input.horizon, input.z, input.gap), input.isLong)
            );
    }

    /// @notice `positionCapDown` with the position's adverse move `x` already computed: it must equal
    /// `adverseMoveUp(stressedMoveUp(sigma, horizon, z, gap), isLong)` of the same input.
    function positionCapDown(
        CapInput memory input,
        uint256 x
    ) internal pure returns (uint256 cap, Bound binding, uint256[BOUND_COUNT] memory bounds) {
        _check(Input.Amount, input.otherRequirement, MAX_AMOUNT);
        _check(Input.Amount, _abs(input.equity), MAX_AMOUNT);
        bounds[uint8(Bound.LiquidationDistance) - 1] = liquidationBoundDown(
            input.equity - int256(input.otherRequirement),
            input.m,
            x
        );
        bounds[uint8(Bound.VolatilityTarget) - 1] =
            input.sigmaTarget == 0
                ? type(uint256).max
                : volTargetBoundDown(input.equity, input.sigmaTarget, input.sigma);
        bounds[uint8(Bound.Depth) - 1] = depthBoundDown(input.depth, input.kappa);
        bounds[uint8(Bound.OpenInterest) - 1] = openInterestBoundDown(input.oiCap, input.oiSide, input.current);
        bounds[uint8(Bound.CollateralTier) - 1] = input.tierCapacity;
        bounds[uint8(Bound.Greeks) - 1] = input.greeksBound;
        (cap, binding) = minOfBounds(bounds);
    }

    /// @notice Whether a position is over its cap with hysteresis: `size > cap * (1 + tauTrigger)`, with
    /// the threshold rounded down (a breach is detected no later than the exact rule would).
    function isOverCap(uint256 size, uint256 cap, uint256 tauTrigger) internal pure returns (bool) {
        _check(Input.Trigger, tauTrigger, MAX_TRIGGER);
        _check(Input.Amount, size, MAX_AMOUNT);
        // No size in the domain can exceed a cap at or above MAX_AMOUNT (this also covers "no bound").
        if (cap >= MAX_AMOUNT) return false;
        return size > Math.mulDiv(cap, WAD + tauTrigger, WAD);
    }

    /// @notice The smallest reduction that brings a position over its cap back to `cap * (1 - tauTarget)`,
    /// rounded up (the target is rounded down); zero when the position is not over its cap.
    /// @return amount Notional to remove; `size - amount == floor(cap * (1 - tauTarget))` when non-zero.
    function deleverageAmountUp(
        uint256 size,
        uint256 cap,
        uint256 tauTrigger,
        uint256 tauTarget
    ) internal pure returns (uint256 amount) {
        _check(Input.Ratio, tauTarget, WAD);
        if (!isOverCap(size, cap, tauTrigger)) return 0;
        // target <= cap <= cap * (1 + tauTrigger) < size, so the subtraction cannot underflow.
        amount = size - Math.mulDiv(cap, WAD - tauTarget, WAD);
    }

    /// @dev An upper bound of `e^x` for `x <= MAX_STRESSED_MOVE`.
    function _expUp(uint256 x) private pure returns (uint256 y) {
        y = exp(UD60x18.wrap(x)).unwrap();
        y += y / _EXP_PAD_DIVISOR + 2;
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-(value + 1)) + 1;
    }

    function _check(Input input, uint256 value, uint256 max) private pure {
        if (value > max) revert InputOutOfRange(input, value, max);
    }
}
