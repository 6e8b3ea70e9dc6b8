// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {GreeksMath} from "../libraries/GreeksMath.sol";
import {RiskMath} from "../libraries/RiskMath.sol";

/// @title GreeksMathHarness
/// @notice TEST HELPER. Exposes `GreeksMath` (and the grid's `x_max` from `RiskMath`) as external functions for
/// the property tests and the TypeScript differential test.
contract GreeksMathHarness {
    function scenarioLossUp(
        IOptionsEngine.Greeks memory book,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int8 priceStep,
        int8 volStep
    ) external pure returns (int256) {
        return GreeksMath.scenarioLossUp(book, spot, xMax, volShock, priceStep, volStep);
    }

    function worstLossUp(
        IOptionsEngine.Greeks memory book,
        uint256 spot,
        uint256 xMax,
        uint256 volShock
    ) external pure returns (GreeksMath.Worst memory) {
        return GreeksMath.worstLossUp(book, spot, xMax, volShock);
    }

    function maxTradeDown(
        IOptionsEngine.Greeks memory book,
        IOptionsEngine.Greeks memory perUnit,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int256 allowed
    ) external pure returns (uint256) {
        return GreeksMath.maxTradeDown(book, perUnit, spot, xMax, volShock, allowed);
    }

    function maxTradeDownWithCost(
        IOptionsEngine.Greeks memory book,
        IOptionsEngine.Greeks memory perUnit,
        uint256 unitCost,
        uint256 spot,
        uint256 xMax,
        uint256 volShock,
        int256 allowed
    ) external pure returns (uint256) {
        return GreeksMath.maxTradeDown(book, perUnit, unitCost, spot, xMax, volShock, allowed);
    }

    function rebalanceBandDown(int256 gamma, uint256 spot, uint256 stressedMove) external pure returns (uint256) {
        return GreeksMath.rebalanceBandDown(gamma, spot, stressedMove);
    }

    /// @notice The grid's `x_max = e^s - 1` for `s = z * sigma * sqrt(horizon / YEAR)`.
    function gridMove(uint256 sigma, uint256 horizon, uint256 z) external pure returns (uint256) {
        return RiskMath.adverseMoveShortUp(RiskMath.stressedMoveUp(sigma, horizon, z));
    }
}
