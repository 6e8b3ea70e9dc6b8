// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SD59x18, exp} from "@prb/math/src/SD59x18.sol";

/// @title DepthMath
/// @notice Liquidity-depth arithmetic for Uniswap V3 pools (RISK-MODEL.md section 5), pure.
/// @dev Everything is expressed with `g = sqrt(raw quote per raw base)`, WAD: `g = sqrt(P)` when the base
/// token is token0 (`P` = token1/token0 raw price) and `g = 1/sqrt(P)` when it is token1. Within one range
/// of liquidity `L`, moving the price from `g1` to `g2` moves `L * |g1 - g2|` raw quote units either way
/// (`Δtoken1 = L·Δ√P`, `Δtoken0 = L·Δ(1/√P)`), fees excluded; the base price moves by `(g2/g1)^2`. So a
/// move of the base price down by `s` ends at `g·sqrt(1 - s)`, up by `s` at `g·sqrt(1 + s)`.
/// Every depth rounds down, and `g` itself is computed with PRB's `exp` of `±tick·ln(1.0001)/2` and then
/// reduced by `_SAFETY` (1e-9 relative), which covers the constant's and `exp`'s error, so that no depth is
/// above the amount an actual swap achieves; they are within 1e-8 of exact for `g >= 1e-6` (coarser below,
/// where the 1-wei resolution of `g` dominates, but never above exact). Domain: `|tick·ln(1.0001)/2| <= 41` (raw quote per raw base in
/// [1e-36, 1e36]), liquidity < 2^128, quote decimals <= 18.
library DepthMath {
    /// @notice The tick's `g` falls outside the domain.
    error TickOutOfDomain(int24 tick);

    uint256 internal constant WAD = 1e18;
    /// @dev ln(1.0001) / 2 in WAD, truncated (0.0000499975001666541676...).
    int256 private constant _HALF_LN_TICK_BASE = 49_997_500_166_654;
    int256 private constant _MAX_EXPONENT = 41e18;
    uint256 private constant _SAFETY = 1e9;

    /// @notice Whether `tick` lies inside the domain of `sqrtQuotePerBaseDown` (in either orientation).
    function tickInDomain(int24 tick) internal pure returns (bool) {
        int256 exponent = int256(tick) * _HALF_LN_TICK_BASE;
        return exponent <= _MAX_EXPONENT && exponent >= -_MAX_EXPONENT;
    }

    /// @notice `g = sqrt(raw quote per raw base)` at the lower price boundary of `tick`, WAD, rounded down.
    function sqrtQuotePerBaseDown(int24 tick, bool baseIsToken0) internal pure returns (uint256 g) {
        if (!tickInDomain(tick)) revert TickOutOfDomain(tick);
        int256 exponent = (baseIsToken0 ? int256(tick) : -int256(tick)) * _HALF_LN_TICK_BASE;
        g = uint256(exp(SD59x18.wrap(exponent)).unwrap());
        g -= g / _SAFETY + 1;
    }

    /// @notice The base price (quote per base in human units), WAD, from `g` and the token decimals.
    function basePrice(uint256 g, uint8 baseDecimals, uint8 quoteDecimals) internal pure returns (uint256) {
        // g^2 is raw quote per raw base (WAD); times 10^baseDecimals / 10^quoteDecimals gives human units.
        return Math.mulDiv(g * g, 10 ** baseDecimals, WAD * 10 ** quoteDecimals);
    }

    /// @notice Raw quote moved by liquidity `L` between `g1` and `g2`, rounded down.
    function quoteBetween(uint256 liquidity, uint256 g1, uint256 g2) internal pure returns (uint256) {
        return Math.mulDiv(liquidity, g1 > g2 ? g1 - g2 : g2 - g1, WAD);
    }

    /// @notice The `g` at which the base price has moved by `slippage` from `g`: down (`g·sqrt(1 - s)`,
    /// rounded up) or up (`g·sqrt(1 + s)`, rounded down) — both towards `g`, so ranges are never overstated.
    function sqrtAfterMove(uint256 g, uint256 slippage, bool down) internal pure returns (uint256) {
        if (down) return Math.mulDiv(g, Math.sqrt((WAD - slippage) * WAD, Math.Rounding.Ceil), WAD, Math.Rounding.Ceil);
        return Math.mulDiv(g, Math.sqrt((WAD + slippage) * WAD), WAD);
    }

    /// @notice Raw quote units to WAD USD (the quote token is a USD stablecoin), rounded down.
    function quoteToWad(uint256 raw, uint8 quoteDecimals) internal pure returns (uint256) {
        return raw * 10 ** (18 - quoteDecimals);
    }
}
