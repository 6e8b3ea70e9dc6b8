// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {ChainlinkReader} from "../libraries/ChainlinkReader.sol";
import {DepthMath} from "../libraries/DepthMath.sol";
import {GasGuard} from "../libraries/GasGuard.sol";
import {PoolReader} from "../libraries/PoolReader.sol";
import {RiskMath} from "../libraries/RiskMath.sol";
import {Checks, Context} from "./EvaluationTypes.sol";
import {RiskState, StoredCollateral, StoredMarket} from "./RiskState.sol";

/// @title PriceLogic
/// @notice Every price, volatility and collateral value the account rule uses, read as the action's checks
/// require (RISK-MODEL.md section 6), and the L2 sequencer check.
/// @dev Under `Checks.Increase` every read must pass every check and a failure reverts with the error naming
/// the feed (or market) and the fault. Under `Checks.Deleverage` nothing reverts for a price:
/// - a market is priced by its fresh Chainlink round, else by the pool TWAP over `twapWindow` read now (a
///   manipulation must hold the pool for the whole window), else it is unpriced;
/// - a collateral is valued at its fresh round; a stale one (positive, not from the future) at its last price
///   with the own-volatility haircut stressed over `volHorizon` plus the round's age (the price may have moved
///   for that long too), where its own volatility is configured (`volZ != 0`) and the widened horizon stays
///   within `RiskMath.MAX_HORIZON`; any other failed collateral counts for nothing.
/// Volatility is read whatever its age and clamped to `RiskMath.MAX_SIGMA` (the math's domain), so that no
/// feed value can make an evaluation revert.
library PriceLogic {
    /// @notice A market's price as an evaluation uses it.
    struct MarketPrice {
        bool ok;
        uint256 price;
        IRiskTypes.PriceSource source;
        IRiskTypes.PriceFault fault;
    }

    uint256 private constant _WAD = 1e18;

    /// @notice The highest pool TWAP price an evaluation uses, WAD quote per base unit (a trillion USD): a pool
    /// priced beyond it is drained or broken, and prices nothing. It keeps every notional and open interest the
    /// rule computes from a TWAP within `RiskMath.MAX_AMOUNT` (for sizes up to 1e8 base units), so that no pool
    /// state can make a view or a deleverage revert.
    uint256 internal constant MAX_TWAP_PRICE = 1e30;

    /// @notice The price of `market` under the context's checks (see the library's notice).
    function marketPrice(
        RiskState storage s,
        Checks checks,
        uint256 market
    ) internal view returns (MarketPrice memory p) {
        StoredMarket storage config = s.markets[market];
        if (!config.listed) revert IRiskErrors.MarketNotListed(market);
        IAggregatorV3 feed = config.feed;
        if (checks == Checks.Increase) {
            ChainlinkReader.Reading memory r = ChainlinkReader.read(
                feed,
                config.maxPriceAge,
                ChainlinkReader.Level.Strict
            );
            if (!r.ok) revert IRiskErrors.PriceInvalid(address(feed), r.fault);
            p.price = _scale(r.answer, config.feedDecimals);
            IRiskTypes.DepthState storage depth = s.depth[market];
            uint256 updatedAt = depth.updatedAt;
            if (updatedAt == 0 || block.timestamp - updatedAt > config.depthMaxAge) {
                revert IRiskErrors.DepthStale(market, updatedAt);
            }
            uint256 twapPrice = depth.twapPrice;
            if (diverges(p.price, twapPrice, config.maxDeviation)) {
                revert IRiskErrors.PriceDivergence(market, p.price, twapPrice);
            }
            p.ok = true;
            return p;
        }
        ChainlinkReader.Reading memory fresh = ChainlinkReader.read(
            feed,
            config.maxPriceAge,
            ChainlinkReader.Level.Fresh
        );
        if (fresh.ok) {
            (p.ok, p.price) = (true, _scale(fresh.answer, config.feedDecimals));
            return p;
        }
        p.fault = fresh.fault;
        (p.ok, p.price) = liveTwap(s, market);
        p.source = IRiskTypes.PriceSource.LiveTwap;
    }

    /// @notice The stored TWAP price of `market` when its depth state is fresh (at most `depthMaxAge` old).
    function storedTwap(RiskState storage s, uint256 market) internal view returns (bool fresh, uint256 price) {
        IRiskTypes.DepthState storage depth = s.depth[market];
        uint256 updatedAt = depth.updatedAt;
        price = depth.twapPrice;
        fresh =
            updatedAt != 0 &&
            price != 0 &&
            price <= MAX_TWAP_PRICE &&
            block.timestamp - updatedAt <= s.markets[market].depthMaxAge;
    }

    /// @notice The base price from the pool's TWAP tick over `twapWindow`, read now; `ok = false` when the
    /// pool cannot serve the window, the tick lies outside `DepthMath`'s domain or the price above
    /// `MAX_TWAP_PRICE`.
    function liveTwap(RiskState storage s, uint256 market) internal view returns (bool ok, uint256 price) {
        StoredMarket storage config = s.markets[market];
        (bool served, int24 tick, ) = PoolReader.twap(config.pool, config.twapWindow);
        if (!served || !DepthMath.tickInDomain(tick)) return (false, 0);
        price = DepthMath.basePrice(
            DepthMath.sqrtQuotePerBaseDown(tick, config.baseIsToken0),
            config.baseDecimals,
            config.quoteDecimals
        );
        ok = price != 0 && price <= MAX_TWAP_PRICE;
    }

    /// @notice The annualized volatility of `feed`, clamped to the math's domain; reverts `VolatilityStale`
    /// under `Checks.Increase` when it is stale.
    function sigma(Context memory c, address feed) internal view returns (uint256 value) {
        bool stale;
        (value, stale) = c.volatility.getVolatility(feed);
        if (stale && c.checks == Checks.Increase) revert IRiskErrors.VolatilityStale(feed);
        value = Math.min(value, RiskMath.MAX_SIGMA);
    }

    /// @notice A collateral balance's value after its haircut, and the leverage capacity it gives, WAD USD.
    function collateralValue(
        RiskState storage s,
        Context memory c,
        IMarginEngine.CollateralBalance memory balance
    ) internal view returns (uint256 adjusted, uint256 capacity) {
        StoredCollateral storage config = s.collaterals[balance.asset];
        if (!config.listed) revert IRiskErrors.CollateralNotListed(balance.asset);
        bool increase = c.checks == Checks.Increase;
        ChainlinkReader.Reading memory r = ChainlinkReader.read(
            config.feed,
            config.maxPriceAge,
            increase ? ChainlinkReader.Level.Strict : ChainlinkReader.Level.Fresh
        );
        uint256 horizon = config.volHorizon;
        if (!r.ok) {
            if (increase) revert IRiskErrors.PriceInvalid(address(config.feed), r.fault);
            if (r.fault != IRiskTypes.PriceFault.Stale || config.volZ == 0) return (0, 0);
            // Stale: the price may have moved for the round's age too.
            horizon += block.timestamp - r.updatedAt;
            if (horizon > RiskMath.MAX_HORIZON) return (0, 0);
        }
        uint256 value = Math.mulDiv(
            balance.amount * 10 ** (18 - config.tokenDecimals),
            _scale(r.answer, config.feedDecimals),
            _WAD
        );
        uint256 haircut = config.baseHaircut;
        if (config.volZ != 0) {
            haircut = RiskMath.ownVolHaircutUp(haircut, sigma(c, address(config.feed)), horizon, config.volZ);
        }
        adjusted = RiskMath.haircutValueDown(value, haircut);
        capacity = Math.mulDiv(adjusted, s.tierLeverage[config.tier], _WAD);
    }

    /// @notice Reverts unless the L2 sequencer (when one is configured) is up and past its grace period. A
    /// feed that reverts or reports no start time counts as down.
    function checkSequencer(RiskState storage s) internal view {
        address feed = s.sequencerFeed;
        if (feed == address(0)) return;
        uint256 gasBefore = gasleft();
        try IAggregatorV3(feed).latestRoundData() returns (uint80, int256 answer, uint256 startedAt, uint256, uint80) {
            if (answer != 0 || startedAt == 0) revert IRiskErrors.SequencerDown();
            uint256 graceEndsAt = startedAt + s.sequencerGrace;
            if (block.timestamp < graceEndsAt) revert IRiskErrors.SequencerGracePeriod(graceEndsAt);
        } catch {
            GasGuard.requireNotStarved(feed, gasBefore);
            revert IRiskErrors.SequencerDown();
        }
    }

    /// @notice Whether `price` is more than `maxDeviation` (relative) away from `anchor`; always with no anchor.
    function diverges(uint256 price, uint256 anchor, uint256 maxDeviation) internal pure returns (bool) {
        if (anchor == 0) return true;
        uint256 gap = price > anchor ? price - anchor : anchor - price;
        return gap * _WAD > anchor * maxDeviation;
    }

    /// @notice The latest positive answer of a market's feed in WAD, whatever its age (zero when none).
    function latestPositive(RiskState storage s, uint256 market) internal view returns (uint256) {
        ChainlinkReader.Reading memory r = ChainlinkReader.read(
            s.markets[market].feed,
            0,
            ChainlinkReader.Level.Positive
        );
        return r.ok ? _scale(r.answer, s.markets[market].feedDecimals) : 0;
    }

    function _scale(uint256 answer, uint8 decimals) private pure returns (uint256) {
        return answer * 10 ** (18 - decimals);
    }
}
