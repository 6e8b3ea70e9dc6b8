// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";

/// @title ReadFloor
/// @notice BENCHMARK HELPER (`npm run bench:gas`). The read floor of one `validateIncrease`: exactly the reads
/// the account rule cannot do without, cold, and nothing else (no math, no checks, no event):
/// - the engine's snapshot of the account, and each position's market open interest (every position's cap is
///   checked, and the open-interest bound needs its side);
/// - per position: the market's Chainlink round (proxy and aggregator), its volatility state, and
///   `MARKET_WORDS` words of configuration and depth state;
/// - per collateral: its Chainlink round, its volatility state where its own-volatility haircut is on, and
///   `COLLATERAL_WORDS` words of configuration;
/// - `GLOBAL_WORDS` word of module-wide state (pause, sequencer feed and grace, the Greeks markets' count).
/// The word counts are those of the tightest packing of the fields the rule reads at today's precisions:
/// per market, the feed with its three ages; m, z, kappa and kappa_OI; sigma target, maximum deviation, gap
/// and the side's open-interest cap; the side's depth; the stored TWAP price with its time and the
/// market's decimals. Per collateral, the feed with its age, tier and decimals; the base haircut, the
/// own-volatility z and horizon and the tier's leverage. The stored TWAP is read from state (the increase
/// path compares the fresh Chainlink price with it; no pool is read while the feed is fresh).
contract ReadFloor {
    uint256 public constant MARKET_WORDS = 5;
    uint256 public constant COLLATERAL_WORDS = 2;
    uint256 public constant GLOBAL_WORDS = 1;

    IMarginEngine public immutable engine;
    IVolatilityOracle public immutable volatility;

    /// @dev Word 0 of a market or collateral holds its feed in the low 160 bits; a collateral's word 1 has bit 255
    /// set when its own-volatility haircut is on.
    mapping(uint256 market => uint256[MARKET_WORDS] words) internal _markets;
    mapping(address asset => uint256[COLLATERAL_WORDS] words) internal _collaterals;
    uint256 internal _global;

    constructor(IMarginEngine engine_, IVolatilityOracle volatility_) {
        engine = engine_;
        volatility = volatility_;
        _global = 1;
    }

    /// @notice Registers `market`'s feed (the other words are filled with non-zero values).
    function setMarket(uint256 market, address feed) external {
        uint256[MARKET_WORDS] storage words = _markets[market];
        words[0] = uint256(uint160(feed)) | (1 << 200);
        for (uint256 i = 1; i < MARKET_WORDS; ++i) words[i] = i;
    }

    /// @notice Registers `asset`'s feed and whether its own-volatility haircut is on.
    function setCollateral(address asset, address feed, bool ownVolatility) external {
        uint256[COLLATERAL_WORDS] storage words = _collaterals[asset];
        words[0] = uint256(uint160(feed)) | (1 << 200);
        words[1] = ownVolatility ? (1 << 255) | 1 : 1;
    }

    /// @notice Performs the floor's reads for `account`; returns a digest of what it read (so that nothing
    /// can be skipped).
    function read(address account, uint256 /* market */) external view returns (uint256 digest) {
        digest = _global;
        IMarginEngine.AccountSnapshot memory snapshot = engine.accountSnapshot(account);
        for (uint256 i; i < snapshot.positions.length; ++i) {
            uint256 market = snapshot.positions[i].market;
            uint256[MARKET_WORDS] storage words = _markets[market];
            address feed = address(uint160(words[0]));
            for (uint256 w = 1; w < MARKET_WORDS; ++w) digest ^= words[w];
            digest ^= _round(feed) ^ _sigma(feed);
            (uint256 longSize, uint256 shortSize) = engine.openInterest(market);
            digest ^= longSize ^ shortSize;
        }
        for (uint256 i; i < snapshot.collateral.length; ++i) {
            uint256[COLLATERAL_WORDS] storage words = _collaterals[snapshot.collateral[i].asset];
            address feed = address(uint160(words[0]));
            uint256 second = words[1];
            digest ^= _round(feed) ^ second;
            if (second >> 255 == 1) digest ^= _sigma(feed);
        }
    }

    function _round(address feed) private view returns (uint256) {
        (, int256 answer, , uint256 updatedAt, ) = IAggregatorV3(feed).latestRoundData();
        return uint256(answer) ^ updatedAt;
    }

    function _sigma(address feed) private view returns (uint256) {
        (uint256 sigma, ) = volatility.getVolatility(feed);
        return sigma;
    }
}
