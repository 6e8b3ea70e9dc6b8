// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title DepthMath
/// @notice Liquidity-depth arithmetic for Uniswap V3 pools (RISK-MODEL.md section 5), pure.
/// @dev Everything is expressed with `g = sqrt(raw quote per raw base)`, WAD: `g = sqrt(P)` when the base
/// token is token0 (`P` = token1/token0 raw price) and `g = 1/sqrt(P)` when it is token1. Within one range
/// of liquidity `L`, moving the price from `g1` to `g2` moves `L * |g1 - g2|` raw quote units either way
/// (`Δtoken1 = L·Δ√P`, `Δtoken0 = L·Δ(1/√P)`), fees excluded; the base price moves by `(g2/g1)^2`. So a
/// move of the base price down by `s` ends at `g·sqrt(1 - s)`, up by `s` at `g·sqrt(1 + s)`.
/// Every depth rounds down, and `g = 1.0001^(±tick/2)` itself is a product of the binary powers
/// `1.0001^(-2^k/2)` (Q128.128, each rounded down) over the bits of `|tick|`, inverted for a positive exponent,
/// and then reduced by `_SAFETY` (1e-9 relative, far above the product's own error of about 1e-20), so that
/// no depth is above the amount an actual swap achieves. (The product is the pool's own way to its price, and
/// costs about a fifth of an `exp`: a depth walk computes one `g` per tick it crosses.) they are within 1e-8 of exact for `g >= 1e-6` (coarser below,
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
        int256 power = baseIsToken0 ? int256(tick) : -int256(tick);
        uint256 ratio = _inverseRootPowerX128(uint256(power >= 0 ? power : -power));
        // 1.0001^(+t/2) = 1 / 1.0001^(-t/2): the reciprocal of a lower bound, an upper bound (the margin below
        // covers it). Within the domain, ratio lies in [2^68, 2^128] and its reciprocal below 2^188.
        if (power > 0) ratio = type(uint256).max / ratio;
        g = (ratio * WAD) >> 128;
        g -= g / _SAFETY + 1;
    }

    /// @dev `1.0001^(-n/2)` in Q128.128, rounded down: the product of `1.0001^(-2^k/2)` (each rounded down) over
    /// the bits `k` of `n < 2^20`; each step truncates, so the result never exceeds the exact value.
    function _inverseRootPowerX128(uint256 n) private pure returns (uint256 r) {
        unchecked {
            r = n & 0x1 != 0 ? 0xfffcb933bd6fad37aa2d162d1a594001 : 1 << 128;
            if (n & 0x2 != 0) r = (r * 0xfff97272373d413259a46990580e2139) >> 128;
            if (n & 0x4 != 0) r = (r * 0xfff2e50f5f656932ef12357cf3c7fdcb) >> 128;
            if (n & 0x8 != 0) r = (r * 0xffe5caca7e10e4e61c3624eaa0941ccf) >> 128;
            if (n & 0x10 != 0) r = (r * 0xffcb9843d60f6159c9db58835c926643) >> 128;
            if (n & 0x20 != 0) r = (r * 0xff973b41fa98c081472e6896dfb254bf) >> 128;
            if (n & 0x40 != 0) r = (r * 0xff2ea16466c96a3843ec78b326b52860) >> 128;
            if (n & 0x80 != 0) r = (r * 0xfe5dee046a99a2a811c461f1969c3052) >> 128;
            if (n & 0x100 != 0) r = (r * 0xfcbe86c7900a88aedcffc83b479aa3a3) >> 128;
            if (n & 0x200 != 0) r = (r * 0xf987a7253ac413176f2b074cf7815e53) >> 128;
            if (n & 0x400 != 0) r = (r * 0xf3392b0822b70005940c7a398e4b70f2) >> 128;
            if (n & 0x800 != 0) r = (r * 0xe7159475a2c29b7443b29c7fa6e889d8) >> 128;
            if (n & 0x1000 != 0) r = (r * 0xd097f3bdfd2022b8845ad8f792aa5825) >> 128;
            if (n & 0x2000 != 0) r = (r * 0xa9f746462d870fdf8a65dc1f90e061e4) >> 128;
            if (n & 0x4000 != 0) r = (r * 0x70d869a156d2a1b890bb3df62baf32f6) >> 128;
            if (n & 0x8000 != 0) r = (r * 0x31be135f97d08fd981231505542fcfa5) >> 128;
            if (n & 0x10000 != 0) r = (r * 0x9aa508b5b7a84e1c677de54f3e99bc8) >> 128;
            if (n & 0x20000 != 0) r = (r * 0x5d6af8dedb81196699c329225ee604) >> 128;
            if (n & 0x40000 != 0) r = (r * 0x2216e584f5fa1ea926041bedfe97) >> 128;
            if (n & 0x80000 != 0) r = (r * 0x48a170391f7dc42444e8fa2) >> 128;
        }
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
