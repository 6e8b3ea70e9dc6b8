// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {
    CollateralMeta,
    GREEKS_MARKETS_CAPACITY,
    MarketMeta,
    RiskState,
    StoredCollateral,
    StoredMarket
} from "./RiskState.sol";

/// @title ConfigStore
/// @notice The one writer of the stored market and collateral configurations (`StoredMarket`, `StoredCollateral`,
/// and the Greeks flag copied into the market), and their conversions to the configuration types of the admin
/// interface. Readers on the hot path read the stored fields directly.
library ConfigStore {
    /// @notice Stores `config` and `meta` for `market`, keeping its Greeks flag.
    function storeMarket(
        RiskState storage s,
        uint256 market,
        IRiskTypes.MarketConfig memory config,
        MarketMeta memory meta
    ) internal {
        StoredMarket storage m = s.markets[market];
        m.feed = config.feed;
        m.maxPriceAge = config.maxPriceAge;
        m.depthMaxAge = config.depthMaxAge;
        m.listed = meta.listed;
        m.feedDecimals = meta.feedDecimals;
        m.baseDecimals = meta.baseDecimals;
        m.quoteDecimals = meta.quoteDecimals;
        m.horizon = config.horizon;
        m.maintenanceMargin = config.maintenanceMargin;
        m.z = config.z;
        m.gap = config.gap;
        m.kappa = config.kappa;
        m.kappaOI = config.kappaOI;
        m.sigmaTarget = config.sigmaTarget;
        m.maxDeviation = config.maxDeviation;
        m.oiCapLong = config.oiCapLong;
        m.oiCapShort = config.oiCapShort;
        m.tauTrigger = config.tauTrigger;
        m.tauTarget = config.tauTarget;
        m.rho = config.rho;
        m.depthRisePerHour = config.depthRisePerHour;
        m.pool = config.pool;
        m.baseIsToken0 = config.baseIsToken0;
        m.twapWindow = config.twapWindow;
        m.maxWalkSteps = config.maxWalkSteps;
        m.deleverageWindow = config.deleverageWindow;
        m.maxSlippage = config.maxSlippage;
        m.keeperFeeRate = config.keeperFeeRate;
        m.keeperFeeMax = config.keeperFeeMax;
    }

    /// @notice Stores `config` for `market` (a parameter update: its meta and Greeks flag unchanged).
    function storeMarket(RiskState storage s, uint256 market, IRiskTypes.MarketConfig memory config) internal {
        storeMarket(s, market, config, marketMeta(s, market));
    }

    /// @notice Stores the Greeks configuration of `market`, copies its flag into the stored market, and adds the
    /// market to the Greeks markets or removes it; reverts `InvalidConfig(OptionsEngine, count)` when a market
    /// would be added beyond `GREEKS_MARKETS_CAPACITY`.
    function storeGreeks(RiskState storage s, uint256 market, IRiskTypes.GreeksConfig memory config) internal {
        bool listed = s.greeks[market].enabled;
        uint256 count = s.greeksMarketCount;
        if (config.enabled && !listed) {
            if (count == GREEKS_MARKETS_CAPACITY) {
                revert IRiskErrors.InvalidConfig(IRiskTypes.ConfigField.OptionsEngine, count);
            }
            s.greeksMarkets[count] = market;
            s.greeksMarketCount = uint8(count + 1);
        } else if (!config.enabled && listed) {
            for (uint256 i; i < count; ++i) {
                if (s.greeksMarkets[i] == market) {
                    s.greeksMarkets[i] = s.greeksMarkets[count - 1];
                    delete s.greeksMarkets[count - 1];
                    s.greeksMarketCount = uint8(count - 1);
                    break;
                }
            }
        }
        s.greeks[market] = config;
        s.markets[market].greeksEnabled = config.enabled;
    }

    /// @notice Stores `config` and `meta` for `asset`.
    function storeCollateral(
        RiskState storage s,
        address asset,
        IRiskTypes.CollateralConfig memory config,
        CollateralMeta memory meta
    ) internal {
        s.collaterals[asset] = StoredCollateral({
            feed: config.feed,
            maxPriceAge: config.maxPriceAge,
            tier: config.tier,
            listed: meta.listed,
            feedDecimals: meta.feedDecimals,
            tokenDecimals: meta.tokenDecimals,
            baseHaircut: config.baseHaircut,
            volZ: config.volZ,
            volHorizon: config.volHorizon
        });
    }

    /// @notice The configuration of `market` as the admin interface types it.
    function marketConfig(
        RiskState storage s,
        uint256 market
    ) internal view returns (IRiskTypes.MarketConfig memory c) {
        StoredMarket storage m = s.markets[market];
        c.feed = m.feed;
        c.maxPriceAge = m.maxPriceAge;
        c.horizon = m.horizon;
        c.depthMaxAge = m.depthMaxAge;
        c.maintenanceMargin = m.maintenanceMargin;
        c.z = m.z;
        c.kappa = m.kappa;
        c.kappaOI = m.kappaOI;
        c.sigmaTarget = m.sigmaTarget;
        c.maxDeviation = m.maxDeviation;
        c.tauTrigger = m.tauTrigger;
        c.tauTarget = m.tauTarget;
        c.oiCapLong = m.oiCapLong;
        c.oiCapShort = m.oiCapShort;
        c.pool = m.pool;
        c.baseIsToken0 = m.baseIsToken0;
        c.twapWindow = m.twapWindow;
        c.maxWalkSteps = m.maxWalkSteps;
        c.maxSlippage = m.maxSlippage;
        c.rho = m.rho;
        c.deleverageWindow = m.deleverageWindow;
        c.depthRisePerHour = m.depthRisePerHour;
        c.keeperFeeRate = m.keeperFeeRate;
        c.keeperFeeMax = m.keeperFeeMax;
        c.gap = m.gap;
    }

    /// @notice The facts read when `market` was configured (`listed` false when it never was).
    function marketMeta(RiskState storage s, uint256 market) private view returns (MarketMeta memory) {
        StoredMarket storage m = s.markets[market];
        return MarketMeta(m.listed, m.feedDecimals, m.baseDecimals, m.quoteDecimals);
    }

    /// @notice The configuration of `asset` as the admin interface types it.
    function collateralConfig(
        RiskState storage s,
        address asset
    ) internal view returns (IRiskTypes.CollateralConfig memory) {
        StoredCollateral storage c = s.collaterals[asset];
        return IRiskTypes.CollateralConfig(c.feed, c.maxPriceAge, c.tier, c.baseHaircut, c.volZ, c.volHorizon);
    }
}
