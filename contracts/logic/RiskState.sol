// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRiskModule} from "../interfaces/IRiskModule.sol";
import {Bound} from "../types/Bound.sol";

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

/// @dev The rolling deleverage window of a market, as a leaky bucket (see `AccountLogic.windowRemaining`).
struct Window {
    uint128 level;
    uint40 updatedAt;
}

/// @dev All storage of the risk module, in one struct so that its logic libraries (linked, called by
/// DELEGATECALL) read and write it through a single storage pointer.
struct RiskState {
    mapping(uint256 market => IRiskModule.MarketConfig config) markets;
    mapping(uint256 market => MarketMeta meta) marketMeta;
    mapping(address asset => IRiskModule.CollateralConfig config) collaterals;
    mapping(address asset => CollateralMeta meta) collateralMeta;
    mapping(uint8 tier => uint256 maxLeverage) tierLeverage;
    mapping(uint256 market => IRiskModule.DepthState state) depth;
    mapping(uint256 market => Window window) windows;
    mapping(address account => mapping(uint256 market => uint256 blockNumber)) lastDeleverage;
    mapping(bytes32 key => uint256 time) changedAt;
    mapping(uint256 market => IRiskModule.GreeksConfig config) greeks;
    uint256[] greeksMarkets;
    address sequencerFeed;
    uint32 sequencerGrace;
    bool paused;
}

/// @dev A position as evaluated: price, notional (rounded up), volatility, adverse move, stressed requirement.
struct EvaluatedPosition {
    uint256 market;
    int256 size;
    uint256 price;
    uint256 notional;
    uint256 sigma;
    uint256 x;
    uint256 requirement;
}

/// @dev An account as evaluated. `valid` is false when a price failed (non-strict evaluations only).
struct EvaluatedAccount {
    address account;
    bool valid;
    int256 equity;
    uint256 collateralValue;
    uint256 tierCapacity;
    uint256 requirement;
    uint256 notional;
    EvaluatedPosition[] positions;
}

/// @dev What one deleverage does.
struct DeleveragePlan {
    EvaluatedPosition position;
    uint256 cap;
    Bound binding;
    uint256 notional;
    uint256 sizeDelta;
    uint256 keeperFee;
}
