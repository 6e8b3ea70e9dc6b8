// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DepthMath} from "../libraries/DepthMath.sol";

/// @title DepthMathHarness
/// @notice TEST HELPER. Exposes `DepthMath` for the differential tests.
contract DepthMathHarness {
    function sqrtQuotePerBaseDown(int24 tick, bool baseIsToken0) external pure returns (uint256) {
        return DepthMath.sqrtQuotePerBaseDown(tick, baseIsToken0);
    }

    function basePrice(uint256 g, uint8 baseDecimals, uint8 quoteDecimals) external pure returns (uint256) {
        return DepthMath.basePrice(g, baseDecimals, quoteDecimals);
    }

    function quoteBetween(uint256 liquidity, uint256 g1, uint256 g2) external pure returns (uint256) {
        return DepthMath.quoteBetween(liquidity, g1, g2);
    }

    function sqrtAfterMove(uint256 g, uint256 slippage, bool down) external pure returns (uint256) {
        return DepthMath.sqrtAfterMove(g, slippage, down);
    }
}
