// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRiskTypes} from "../interfaces/IRiskTypes.sol";

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
    mapping(uint256 market => IRiskTypes.MarketConfig config) markets;
    mapping(uint256 market => MarketMeta meta) marketMeta;
    mapping(address asset => IRiskTypes.CollateralConfig config) collaterals;
    mapping(address asset => CollateralMeta meta) collateralMeta;
    mapping(uint8 tier => uint256 maxLeverage) tierLeverage;
    mapping(uint256 market => IRiskTypes.DepthState state) depth;
    mapping(uint256 market => Window window) windows;
    mapping(address account => mapping(uint256 market => uint256 blockNumber)) lastDeleverage;
    mapping(bytes32 key => uint256 time) changedAt;
    mapping(uint256 market => IRiskTypes.GreeksConfig config) greeks;
    uint256[] greeksMarkets;
    address sequencerFeed;
    uint32 sequencerGrace;
    bool paused;
    mapping(bytes32 key => PendingChange change) pending;
}
