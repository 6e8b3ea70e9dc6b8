// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BOUND_COUNT, Bound} from "../types/Bound.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {VolatilityMath} from "../libraries/VolatilityMath.sol";

/// @title RiskMathHarness
/// @notice TEST HELPER. Exposes the pure math libraries as external functions, for property tests that
/// need revert data and for the TypeScript differential tests.
contract RiskMathHarness {
    function stressedMoveUp(uint256 sigma, uint256 horizon, uint256 z) external pure returns (uint256) {
        return RiskMath.stressedMoveUp(sigma, horizon, z);
    }

    function stressedMoveGapUp(uint256 sigma, uint256 horizon, uint256 z, uint256 gap) external pure returns (uint256) {
        return RiskMath.stressedMoveUp(sigma, horizon, z, gap);
    }

    function adverseMoveLongUp(uint256 s) external pure returns (uint256) {
        return RiskMath.adverseMoveLongUp(s);
    }

    function adverseMoveShortUp(uint256 s) external pure returns (uint256) {
        return RiskMath.adverseMoveShortUp(s);
    }

    function stressedRequirementUp(uint256 notional, uint256 m, uint256 x) external pure returns (uint256) {
        return RiskMath.stressedRequirementUp(notional, m, x);
    }

    function liquidationBoundDown(int256 freeEquity, uint256 m, uint256 x) external pure returns (uint256) {
        return RiskMath.liquidationBoundDown(freeEquity, m, x);
    }

    function volTargetBoundDown(int256 equity, uint256 sigmaTarget, uint256 sigma) external pure returns (uint256) {
        return RiskMath.volTargetBoundDown(equity, sigmaTarget, sigma);
    }

    function depthBoundDown(uint256 depth, uint256 kappa) external pure returns (uint256) {
        return RiskMath.depthBoundDown(depth, kappa);
    }

    function openInterestBoundDown(uint256 oiCap, uint256 oiSide, uint256 current) external pure returns (uint256) {
        return RiskMath.openInterestBoundDown(oiCap, oiSide, current);
    }

    function ownVolHaircutUp(
        uint256 baseHaircut,
        uint256 sigmaC,
        uint256 horizon,
        uint256 z
    ) external pure returns (uint256) {
        return RiskMath.ownVolHaircutUp(baseHaircut, sigmaC, horizon, z);
    }

    function haircutValueDown(uint256 value, uint256 haircut) external pure returns (uint256) {
        return RiskMath.haircutValueDown(value, haircut);
    }

    function minOfBounds(uint256[BOUND_COUNT] memory bounds) external pure returns (uint256, Bound) {
        return RiskMath.minOfBounds(bounds);
    }

    function positionCapDown(
        RiskMath.CapInput memory input
    ) external pure returns (uint256 cap, Bound binding, uint256[BOUND_COUNT] memory bounds) {
        return RiskMath.positionCapDown(input);
    }

    function isOverCap(uint256 size, uint256 cap, uint256 tauTrigger) external pure returns (bool) {
        return RiskMath.isOverCap(size, cap, tauTrigger);
    }

    function deleverageAmountUp(
        uint256 size,
        uint256 cap,
        uint256 tauTrigger,
        uint256 tauTarget
    ) external pure returns (uint256) {
        return RiskMath.deleverageAmountUp(size, cap, tauTrigger, tauTarget);
    }

    function squaredLogReturn(uint256 prev, uint256 next) external pure returns (uint256) {
        return VolatilityMath.squaredLogReturn(prev, next);
    }

    function decayDown(uint256 dt, uint256 tau) external pure returns (uint256) {
        return VolatilityMath.decayDown(dt, tau);
    }

    function fold(
        uint256 a,
        uint256 b,
        uint256 r2,
        uint256 dt,
        uint256 tauUp,
        uint256 tauDown
    ) external pure returns (uint256, uint256, bool) {
        return VolatilityMath.fold(a, b, r2, dt, tauUp, tauDown);
    }

    function sigmaUp(uint256 a, uint256 b, uint256 sigmaMin, uint256 sigmaMax) external pure returns (uint256) {
        return VolatilityMath.sigmaUp(a, b, sigmaMin, sigmaMax);
    }

    /// @notice Replays a sequence of samples through the estimator and returns sigma after each one
    /// (unclamped), for the differential test of `VolatilityMath` against TypeScript.
    function replay(
        uint256[] calldata prices,
        uint256[] calldata times,
        uint256 tauUp,
        uint256 tauDown
    ) external pure returns (uint256[] memory sigmas) {
        sigmas = new uint256[](prices.length);
        uint256 a;
        uint256 b;
        for (uint256 i = 1; i < prices.length; ++i) {
            uint256 r2 = VolatilityMath.squaredLogReturn(prices[i - 1], prices[i]);
            (a, b, ) = VolatilityMath.fold(a, b, r2, times[i] - times[i - 1], tauUp, tauDown);
            sigmas[i] = VolatilityMath.sigmaUp(a, b, 0, type(uint256).max);
        }
    }
}
