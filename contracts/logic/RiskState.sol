// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";
import {IUniswapV3PoolView} from "../interfaces/external/IUniswapV3PoolView.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";

/// @dev The most markets with Greeks sizing (`RiskConfig.MAX_GREEKS_MARKETS`).
uint256 constant GREEKS_MARKETS_CAPACITY = 8;

/// @dev Facts read from the feed and the pool when a market is configured.
struct MarketMeta {
    bool listed;
    uint8 feedDecimals;
    uint8 baseDecimals;
    uint8 quoteDecimals;
}

/// @dev Facts read from the feed and the token when a collateral is configured.
struct CollateralMeta {
    bool listed;
    uint8 feedDecimals;
    uint8 tokenDecimals;
}

/// @dev A market as stored: the fields of `IRiskTypes.MarketConfig` (same names and types), its `MarketMeta`, and
/// whether Greeks sizing is on, ordered so that a risk-increasing check reads four words (word 0: the price; 1: the
/// stressed move and margin; 2 and 3: the bounds) where the configuration's own order and a separate meta took
/// seven. Written only by `ConfigStore`.
struct StoredMarket {
    // word 0
    IAggregatorV3 feed;
    uint32 maxPriceAge;
    uint32 depthMaxAge;
    bool listed;
    uint8 feedDecimals;
    uint8 baseDecimals;
    uint8 quoteDecimals;
    // word 1
    uint32 horizon;
    uint64 maintenanceMargin;
    uint64 z;
    uint64 gap;
    /// @dev `RiskState.greeks[market].enabled`, copied by `ConfigStore.storeGreeks` (the one writer of both).
    bool greeksEnabled;
    // word 2
    uint64 kappa;
    uint64 kappaOI;
    uint64 sigmaTarget;
    uint64 maxDeviation;
    // word 3
    uint128 oiCapLong;
    uint128 oiCapShort;
    // word 4
    uint64 tauTrigger;
    uint64 tauTarget;
    uint64 rho;
    uint64 depthRisePerHour;
    // word 5
    IUniswapV3PoolView pool;
    bool baseIsToken0;
    uint32 twapWindow;
    uint16 maxWalkSteps;
    uint32 deleverageWindow;
    // word 6
    uint64 maxSlippage;
    uint64 keeperFeeRate;
    uint96 keeperFeeMax;
}

/// @dev A collateral as stored: the fields of `IRiskTypes.CollateralConfig` and its `CollateralMeta`, in two words
/// (were three). Written only by `ConfigStore`.
struct StoredCollateral {
    // word 0
    IAggregatorV3 feed;
    uint32 maxPriceAge;
    uint8 tier;
    bool listed;
    uint8 feedDecimals;
    uint8 tokenDecimals;
    // word 1
    uint64 baseHaircut;
    uint64 volZ;
    uint32 volHorizon;
}

/// @dev The rolling deleverage window of a market, as a leaky bucket (read and written only by
/// `DeleverageWindow`).
struct Window {
    uint128 level;
    uint40 updatedAt;
}

/// @dev A tightening configuration change waiting for its delay: the hash of its ABI encoding.
struct PendingChange {
    bytes32 hash;
    uint40 executableAt;
}

/// @dev All storage of the risk module, in one struct, so that its logic libraries (linked, called by
/// DELEGATECALL) read and write it through one storage pointer: the entry points receive it (which also keeps
/// them out of the libraries' ABI), and every internal function that touches state takes it first.
struct RiskState {
    mapping(uint256 market => StoredMarket market_) markets;
    mapping(address asset => StoredCollateral collateral) collaterals;
    mapping(uint8 tier => uint256 maxLeverage) tierLeverage;
    mapping(uint256 market => IRiskTypes.DepthState state) depth;
    mapping(uint256 market => Window window) windows;
    mapping(address account => mapping(uint256 market => uint256 blockNumber)) lastDeleverage;
    mapping(bytes32 key => uint256 time) changedAt;
    mapping(uint256 market => IRiskTypes.GreeksConfig config) greeks;
    /// The markets with Greeks sizing: the first `greeksMarketCount` entries (a fixed array, so that the count
    /// shares the word every check reads for the pause and the sequencer). Written only by `ConfigStore`.
    uint256[GREEKS_MARKETS_CAPACITY] greeksMarkets;
    address sequencerFeed;
    uint32 sequencerGrace;
    bool paused;
    uint8 greeksMarketCount;
    mapping(bytes32 key => PendingChange change) pending;
}
