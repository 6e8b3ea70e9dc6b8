// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SD59x18, exp, ln} from "@prb/math/src/SD59x18.sol";

/// @title VolatilityMath
/// @notice The ratio-of-sums EWMA of squared log returns with asymmetric memory (RISK-MODEL.md section 4),
/// as pure functions. State is `(A, B)`: `A` a decayed sum of squared log returns (scaled by 1e36, i.e.
/// WAD^2), `B` a decayed sum of elapsed seconds (scaled by 1e18). The variance per second is `A / B`.
/// @dev Exact rule, so that any two implementations agree: for a sample `(r^2, dt)` with `dt > 0` use
/// `tauUp` if `B == 0` or `r^2 * B > A * dt` (the sample's own variance rate is above the current one),
/// else `tauDown`; then `d = e^(-dt/tau)`, `A <- d*A + r^2`, `B <- d*B + dt`. Decay and products round
/// down; the reported volatility rounds up (a larger sigma makes caps smaller).
///
/// Domain: prices in (0, 2^191] (Chainlink OCR answers are int192); `dt` <= 2^32 seconds; `tau` in
/// [1, 2^32] seconds. Under it no intermediate exceeds 2^255.
library VolatilityMath {
    /// @notice A price outside (0, 2^191] was passed.
    error PriceOutOfRange(uint256 price);

    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 31_536_000;
    uint256 internal constant MAX_PRICE = 2 ** 191;

    /// @notice The squared log return `ln(next / prev)^2`, scaled by 1e36.
    /// @dev The ratio is taken in WAD and floored at 1 wei (a move below 1e-18 of the previous price is
    /// read as `ln(1e-18)`, still a very large return).
    function squaredLogReturn(uint256 prev, uint256 next) internal pure returns (uint256 r2) {
        if (prev == 0 || prev > MAX_PRICE) revert PriceOutOfRange(prev);
        if (next == 0 || next > MAX_PRICE) revert PriceOutOfRange(next);
        uint256 ratio = Math.max(Math.mulDiv(next, WAD, prev), 1);
        int256 r = ln(SD59x18.wrap(int256(ratio))).unwrap();
        r2 = uint256(r * r);
    }

    /// @notice Whether a sample raises the variance rate, i.e. uses the short memory `tauUp`.
    function raisesVariance(uint256 a, uint256 b, uint256 r2, uint256 dt) internal pure returns (bool) {
        return b == 0 || r2 * b > a * dt * WAD;
    }

    /// @notice The decay `e^(-dt / tau)` in WAD, rounded down (zero once it is below 1 wei).
    function decayDown(uint256 dt, uint256 tau) internal pure returns (uint256) {
        uint256 exponent = Math.mulDiv(dt, WAD, tau);
        // PRB returns zero below its own threshold (about -41.45); cap the exponent to stay in its domain.
        if (exponent > 42 * WAD) return 0;
        return uint256(exp(SD59x18.wrap(-int256(exponent))).unwrap());
    }

    /// @notice Folds one sample into the state.
    /// @param a The decayed sum of squared log returns, 1e36.
    /// @param b The decayed sum of seconds, 1e18.
    /// @param r2 The sample's squared log return, 1e36.
    /// @param dt Seconds since the previous valid round, > 0.
    /// @return newA The updated `A`.
    /// @return newB The updated `B`.
    /// @return usedUp Whether `tauUp` was used.
    function fold(
        uint256 a,
        uint256 b,
        uint256 r2,
        uint256 dt,
        uint256 tauUp,
        uint256 tauDown
    ) internal pure returns (uint256 newA, uint256 newB, bool usedUp) {
        usedUp = raisesVariance(a, b, r2, dt);
        uint256 d = decayDown(dt, usedUp ? tauUp : tauDown);
        newA = Math.mulDiv(a, d, WAD) + r2;
        newB = Math.mulDiv(b, d, WAD) + dt * WAD;
    }

    /// @notice The annualized volatility `sqrt(A / B * YEAR)`, rounded up, clamped to `[sigmaMin, sigmaMax]`.
    /// With `B == 0` (no return observed yet) it is `sigmaMin`.
    function sigmaUp(uint256 a, uint256 b, uint256 sigmaMin, uint256 sigmaMax) internal pure returns (uint256 sigma) {
        if (b != 0) {
            // A / B is WAD per second; times YEAR and WAD gives sigma^2 scaled by 1e36, whose root is WAD.
            sigma = Math.sqrt(Math.mulDiv(a, YEAR * WAD, b, Math.Rounding.Ceil), Math.Rounding.Ceil);
        }
        sigma = Math.min(Math.max(sigma, sigmaMin), sigmaMax);
    }
}
