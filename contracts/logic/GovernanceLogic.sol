// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {ConfigStore} from "./ConfigStore.sol";
import {RiskState} from "./RiskState.sol";

/// @title GovernanceLogic
/// @notice Which configuration changes tighten (RISK-MODEL.md section 8): a change tightens when it can shrink a
/// cap, bring a deleverage sooner or deeper, or raise what a user pays. A tightening by the risk admin waits
/// `GOVERNANCE_DELAY` behind a public proposal; a loosening applies at once. A field whose effect has no
/// direction (a feed, a pool, a TWAP window) tightens whenever it changes.
/// @dev A linked library (called by DELEGATECALL from the module, which keeps the comparisons out of its bytecode;
/// the storage pointer keeps them out of the library's ABI). Each returns whether any field of `next` tightens
/// against the item's current configuration.
library GovernanceLogic {
    /// @notice Whether a market configuration `next` tightens `current`. Tightening: another feed, pool, base
    /// side, TWAP window, `maxPriceAge` or `depthMaxAge` (each decides which price a deleverage acts on); a lower
    /// `kappa`, `kappaOI`, `maxDeviation`, `tauTrigger`, OI cap, `maxWalkSteps`, `maxSlippage`,
    /// `deleverageWindow` or `depthRisePerHour`; a higher
    /// `horizon`, `maintenanceMargin`, `z`, `tauTarget`, `rho`, `keeperFeeRate`, `keeperFeeMax` or `gap`; a
    /// volatility target switched on or lowered; in a market with Greeks sizing, any change of `z`, `horizon` or
    /// `gap` (the grid's stressed move: see `_gridMoves`).
    function marketTightens(
        RiskState storage s,
        uint256 market,
        IRiskTypes.MarketConfig calldata next
    ) external view returns (bool) {
        IRiskTypes.MarketConfig memory current = ConfigStore.marketConfig(s, market);
        return
            _marketSourcesChange(current, next) ||
            _marketCapsShrink(current, next) ||
            _marketDeleverageTightens(current, next) ||
            (s.greeks[market].enabled && _gridMoves(current, next));
    }

    /// @notice Whether a collateral configuration `next` tightens `current`. Tightening: another feed or tier,
    /// a lower `maxPriceAge`, a higher `baseHaircut`, the own-volatility haircut switched on or off (off values a
    /// stale price at nothing), a higher `volZ` or, with it, a longer `volHorizon`.
    function collateralTightens(
        RiskState storage s,
        address asset,
        IRiskTypes.CollateralConfig calldata next
    ) external view returns (bool) {
        IRiskTypes.CollateralConfig memory current = ConfigStore.collateralConfig(s, asset);
        if (address(next.feed) != address(current.feed) || next.tier != current.tier) return true;
        if (next.maxPriceAge < current.maxPriceAge || next.baseHaircut > current.baseHaircut) return true;
        if ((next.volZ == 0) != (current.volZ == 0) || next.volZ > current.volZ) return true;
        return next.volZ != 0 && next.volHorizon > current.volHorizon;
    }

    /// @notice Whether Greeks sizing `next` tightens `current`: switched on, or on with a larger vol shock or
    /// buffer (the hedge interval only guides the keeper).
    function greeksTightens(
        RiskState storage s,
        uint256 market,
        IRiskTypes.GreeksConfig calldata next
    ) external view returns (bool) {
        IRiskTypes.GreeksConfig memory current = s.greeks[market];
        if (!next.enabled) return false;
        return !current.enabled || next.volShock > current.volShock || next.buffer > current.buffer;
    }

    /// @dev Whether the stressed move of the options grid changes (z, horizon or the gap floor), in either direction.
    /// In a market with Greeks sizing a narrower grid is not a loosening: the bound of a perpetual that hedges a book
    /// whose grid loss exceeds the account's allowance is where the hedge stops reducing that loss, about
    /// `2 |delta| X / (m + X)` units for a grid move `X`, which falls with `X` (the invariant suite found a lower `z`
    /// applied at once lowering a hedger's cap; `GreeksProperties.t.sol` shows it on the math).
    function _gridMoves(
        IRiskTypes.MarketConfig memory a,
        IRiskTypes.MarketConfig calldata b
    ) private pure returns (bool) {
        return b.z != a.z || b.horizon != a.horizon || b.gap != a.gap;
    }

    function _marketSourcesChange(
        IRiskTypes.MarketConfig memory a,
        IRiskTypes.MarketConfig calldata b
    ) private pure returns (bool) {
        return
            address(b.feed) != address(a.feed) ||
            address(b.pool) != address(a.pool) ||
            b.baseIsToken0 != a.baseIsToken0 ||
            b.twapWindow != a.twapWindow ||
            b.maxPriceAge != a.maxPriceAge ||
            b.depthMaxAge != a.depthMaxAge ||
            b.maxDeviation < a.maxDeviation;
    }

    function _marketCapsShrink(
        IRiskTypes.MarketConfig memory a,
        IRiskTypes.MarketConfig calldata b
    ) private pure returns (bool) {
        return
            b.horizon > a.horizon ||
            b.maintenanceMargin > a.maintenanceMargin ||
            b.z > a.z ||
            b.gap > a.gap ||
            b.kappa < a.kappa ||
            b.kappaOI < a.kappaOI ||
            b.oiCapLong < a.oiCapLong ||
            b.oiCapShort < a.oiCapShort ||
            b.maxWalkSteps < a.maxWalkSteps ||
            b.maxSlippage < a.maxSlippage ||
            b.depthRisePerHour < a.depthRisePerHour ||
            (b.sigmaTarget != 0 && (a.sigmaTarget == 0 || b.sigmaTarget < a.sigmaTarget));
    }

    function _marketDeleverageTightens(
        IRiskTypes.MarketConfig memory a,
        IRiskTypes.MarketConfig calldata b
    ) private pure returns (bool) {
        return
            b.tauTrigger < a.tauTrigger ||
            b.tauTarget > a.tauTarget ||
            b.rho > a.rho ||
            b.deleverageWindow < a.deleverageWindow ||
            b.keeperFeeRate > a.keeperFeeRate ||
            b.keeperFeeMax > a.keeperFeeMax;
    }
}
