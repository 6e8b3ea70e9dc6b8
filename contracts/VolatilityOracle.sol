// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAggregatorV3} from "./interfaces/external/IAggregatorV3.sol";

import {IVolatilityOracle} from "./interfaces/IVolatilityOracle.sol";
import {GasGuard} from "./libraries/GasGuard.sol";
import {RiskMath} from "./libraries/RiskMath.sol";
import {VolatilityMath} from "./libraries/VolatilityMath.sol";

/// @title VolatilityOracle
/// @notice Realized (and optionally implied) volatility per Chainlink feed. See `IVolatilityOracle`.
/// @dev Hard bounds of every configuration field are the `*_LIMIT` constants below; no role can set a value
/// outside them. The contract holds no funds.
contract VolatilityOracle is IVolatilityOracle, AccessControlDefaultAdminRules {
    /// @notice Role that configures feeds within the hard bounds.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    uint256 public constant TAU_MIN_LIMIT = 60;
    uint256 public constant TAU_MAX_LIMIT = 365 days;
    uint256 public constant MAX_AGE_MIN_LIMIT = 60;
    uint256 public constant MAX_AGE_MAX_LIMIT = 7 days;
    uint256 public constant MAX_ROUNDS_LIMIT = 1000;
    uint256 public constant SIGMA_MIN_LIMIT = 0.01e18;
    uint256 public constant SIGMA_MAX_LIMIT = RiskMath.MAX_SIGMA;
    uint256 public constant IMPLIED_WEIGHT_LIMIT = 2e18;

    /// @notice How long a tightening reconfiguration waits, in public, before anyone may execute it.
    uint256 public constant GOVERNANCE_DELAY = 1 days;

    uint80 private constant _PHASE_OFFSET = 64;

    /// @dev A tightening configuration waiting for its delay: the hash of its ABI encoding.
    struct Pending {
        bytes32 hash;
        uint40 executableAt;
    }

    mapping(address feed => FeedConfig config) private _configs;
    mapping(address feed => FeedState state) private _states;
    mapping(address feed => uint256 scale) private _impliedScale;
    mapping(address feed => Pending change) private _pending;

    /// @param adminDelay Delay of a default-admin transfer, seconds.
    /// @param admin Initial default admin.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}

    /// @inheritdoc IVolatilityOracle
    function configureFeed(address feed, FeedConfig calldata config) external onlyRole(RISK_ADMIN_ROLE) {
        uint256 scale = _checkFeed(feed, config);
        if (_configs[feed].maxAge != 0 && _tightens(_configs[feed], config)) {
            uint256 executableAt = block.timestamp + GOVERNANCE_DELAY;
            _pending[feed] = Pending({hash: keccak256(abi.encode(config)), executableAt: uint40(executableAt)});
            emit FeedConfigProposed(feed, config, executableAt);
        } else {
            _applyFeed(feed, config, scale);
        }
    }

    /// @inheritdoc IVolatilityOracle
    function executeFeedConfig(address feed, FeedConfig calldata config) external {
        Pending memory pending = _pending[feed];
        bytes32 hash = keccak256(abi.encode(config));
        if (pending.executableAt == 0 || pending.hash != hash) revert ChangeNotProposed(feed, pending.hash, hash);
        if (block.timestamp < pending.executableAt) revert ChangeNotReady(feed, pending.executableAt);
        delete _pending[feed];
        _applyFeed(feed, config, _checkFeed(feed, config));
    }

    /// @inheritdoc IVolatilityOracle
    function cancelFeedConfig(address feed) external onlyRole(RISK_ADMIN_ROLE) {
        Pending memory pending = _pending[feed];
        if (pending.executableAt == 0) revert ChangeNotProposed(feed, bytes32(0), bytes32(0));
        delete _pending[feed];
        emit FeedConfigCancelled(feed, pending.hash, msg.sender);
    }

    /// @inheritdoc IVolatilityOracle
    function pendingFeedConfig(address feed) external view returns (bytes32 hash, uint256 executableAt) {
        return (_pending[feed].hash, _pending[feed].executableAt);
    }

    /// @inheritdoc IVolatilityOracle
    function poke(address feed) external returns (uint256 folded) {
        FeedConfig memory config = _configOf(feed);
        FeedState memory state = _states[feed];
        IAggregatorV3 proxy = IAggregatorV3(feed);
        if (state.cursor == 0) {
            _initialize(feed, proxy, state);
            return 0;
        }
        (uint80 latestId, , , , ) = proxy.latestRoundData();
        uint256 budget = config.maxRoundsPerPoke;
        while (budget != 0 && state.cursor < latestId) {
            --budget;
            uint80 next = state.cursor + 1;
            (bool exists, int256 answer, uint256 updatedAt, uint80 answeredIn) = _readRound(proxy, next);
            if (!exists && (next >> _PHASE_OFFSET) < (latestId >> _PHASE_OFFSET)) {
                // Past the last round of an older phase: continue before round 1 of the next phase.
                state.cursor = uint80(((next >> _PHASE_OFFSET) + 1) << _PHASE_OFFSET);
                continue;
            }
            state.cursor = next;
            uint256 reason = exists ? _skipReason(state, next, answer, updatedAt, answeredIn) : _MISSING;
            if (reason == _NONE) {
                _fold(feed, state, config, uint256(answer), updatedAt);
                ++folded;
            } else {
                emit RoundSkipped(feed, next, SkipReason(reason));
            }
        }
        _states[feed] = state;
    }

    /// @inheritdoc IVolatilityOracle
    function getVolatility(address feed) external view returns (uint256 sigma, bool stale) {
        FeedConfig storage config = _configs[feed];
        uint256 maxAge = config.maxAge;
        if (maxAge == 0) revert FeedNotConfigured(feed);
        FeedState storage state = _states[feed];
        uint256 referenceTime = state.referenceTime;
        sigma = _clamp(state.realizedSigma, config);
        stale = !state.folded || referenceTime + maxAge < block.timestamp;

        IAggregatorV3 implied = config.impliedFeed;
        if (address(implied) != address(0)) {
            (bool ok, uint256 impliedSigma) = _readImplied(implied, maxAge);
            if (ok) {
                // Clamped to the domain of the risk math (and of Black-Scholes): no implied value, however
                // large, can make a reader of this oracle revert.
                uint256 weighted = Math.mulDiv(
                    Math.min(impliedSigma, type(uint128).max) * _impliedScale[feed],
                    config.impliedWeight,
                    1e18
                );
                sigma = Math.max(sigma, Math.min(weighted, SIGMA_MAX_LIMIT));
            } else {
                stale = true;
            }
        }
    }

    /// @inheritdoc IVolatilityOracle
    function realizedVolatility(address feed) external view returns (uint256 sigma) {
        sigma = _clamp(_states[feed].realizedSigma, _configOf(feed));
    }

    /// @inheritdoc IVolatilityOracle
    function feedConfig(address feed) external view returns (FeedConfig memory) {
        return _configOf(feed);
    }

    /// @inheritdoc IVolatilityOracle
    function feedState(address feed) external view returns (FeedState memory) {
        return _states[feed];
    }

    uint256 private constant _NONE = type(uint256).max;
    uint256 private constant _MISSING = uint256(SkipReason.Missing);

    /// @dev First poke: the latest valid round becomes the reference; history before it is not replayed.
    function _initialize(address feed, IAggregatorV3 proxy, FeedState memory state) private {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredIn) = proxy.latestRoundData();
        if (_skipReason(state, roundId, answer, updatedAt, answeredIn) != _NONE) return;
        state.cursor = roundId;
        state.referenceTime = uint64(updatedAt);
        state.referencePrice = uint256(answer);
        _states[feed] = state;
        emit ReferenceInitialized(feed, roundId, uint256(answer), updatedAt);
    }

    /// @dev Folds a valid round into `state` (in memory) and makes it the reference.
    function _fold(
        address feed,
        FeedState memory state,
        FeedConfig memory config,
        uint256 price,
        uint256 updatedAt
    ) private {
        uint256 r2 = VolatilityMath.squaredLogReturn(state.referencePrice, price);
        (state.a, state.b, ) = VolatilityMath.fold(
            state.a,
            state.b,
            r2,
            updatedAt - state.referenceTime,
            config.tauUp,
            config.tauDown
        );
        state.referencePrice = price;
        state.referenceTime = uint64(updatedAt);
        uint256 raw = VolatilityMath.sigmaUp(state.a, state.b, 0, type(uint64).max);
        state.realizedSigma = uint64(raw);
        state.folded = true;
        emit RoundFolded(feed, state.cursor, price, updatedAt, _clamp(raw, config));
    }

    /// @dev Why a round that exists cannot be folded, or `_NONE` when it can.
    function _skipReason(
        FeedState memory state,
        uint80 roundId,
        int256 answer,
        uint256 updatedAt,
        uint80 answeredIn
    ) private view returns (uint256) {
        if (answer <= 0) return uint256(SkipReason.NonPositiveAnswer);
        if (uint256(answer) > VolatilityMath.MAX_PRICE) return uint256(SkipReason.AnswerTooLarge);
        if (answeredIn < roundId) return uint256(SkipReason.IncompleteRound);
        if (updatedAt > block.timestamp) return uint256(SkipReason.FutureTimestamp);
        if (updatedAt <= state.referenceTime) return uint256(SkipReason.NotNewer);
        return _NONE;
    }

    /// @dev Reads a proxy round; a round that reverts or has `updatedAt == 0` does not exist.
    function _readRound(
        IAggregatorV3 proxy,
        uint80 roundId
    ) private view returns (bool exists, int256 answer, uint256 updatedAt, uint80 answeredIn) {
        uint256 gasBefore = gasleft();
        try proxy.getRoundData(roundId) returns (uint80, int256 a, uint256, uint256 u, uint80 air) {
            return (u != 0, a, u, air);
        } catch {
            // A round read as missing for lack of gas would be skipped for good: revert instead.
            GasGuard.requireNotStarved(address(proxy), gasBefore);
            return (false, 0, 0, 0);
        }
    }

    /// @dev Reads the implied-volatility feed; invalid when it reverts, is non-positive, from the future or
    /// older than `maxAge`.
    function _readImplied(IAggregatorV3 implied, uint256 maxAge) private view returns (bool, uint256) {
        uint256 gasBefore = gasleft();
        try implied.latestRoundData() returns (uint80, int256 answer, uint256, uint256 updatedAt, uint80) {
            if (answer <= 0 || updatedAt > block.timestamp || updatedAt + maxAge < block.timestamp) return (false, 0);
            return (true, uint256(answer));
        } catch {
            GasGuard.requireNotStarved(address(implied), gasBefore);
            return (false, 0);
        }
    }

    function _configOf(address feed) private view returns (FeedConfig memory config) {
        config = _configs[feed];
        if (config.maxAge == 0) revert FeedNotConfigured(feed);
    }

    function _clamp(uint256 sigma, FeedConfig memory config) private pure returns (uint256) {
        return Math.min(Math.max(sigma, config.sigmaMin), config.sigmaMax);
    }

    /// @dev Every hard bound of a feed configuration; returns the implied feed's scale to WAD (zero without one).
    function _checkFeed(address feed, FeedConfig calldata config) private view returns (uint256 scale) {
        if (feed == address(0)) revert InvalidFeedConfig(ConfigField.Feed, 0);
        _checkRange(ConfigField.TauUp, config.tauUp, TAU_MIN_LIMIT, TAU_MAX_LIMIT);
        _checkRange(ConfigField.TauDown, config.tauDown, config.tauUp, TAU_MAX_LIMIT);
        _checkRange(ConfigField.MaxAge, config.maxAge, MAX_AGE_MIN_LIMIT, MAX_AGE_MAX_LIMIT);
        _checkRange(ConfigField.MaxRoundsPerPoke, config.maxRoundsPerPoke, 1, MAX_ROUNDS_LIMIT);
        _checkRange(ConfigField.SigmaMin, config.sigmaMin, SIGMA_MIN_LIMIT, SIGMA_MAX_LIMIT);
        _checkRange(ConfigField.SigmaMax, config.sigmaMax, config.sigmaMin, SIGMA_MAX_LIMIT);
        if (address(config.impliedFeed) == address(0)) {
            _checkRange(ConfigField.ImpliedWeight, config.impliedWeight, 0, 0);
        } else {
            _checkRange(ConfigField.ImpliedWeight, config.impliedWeight, 1, IMPLIED_WEIGHT_LIMIT);
            uint8 decimals = config.impliedFeed.decimals();
            if (decimals > 18) revert InvalidFeedConfig(ConfigField.ImpliedFeed, decimals);
            scale = 10 ** (18 - decimals);
        }
        // Answers are read through the proxy interface; a feed that cannot answer is rejected here.
        IAggregatorV3(feed).latestRoundData();
    }

    function _applyFeed(address feed, FeedConfig calldata config, uint256 scale) private {
        if (scale == 0) delete _impliedScale[feed];
        else _impliedScale[feed] = scale;
        _configs[feed] = config;
        emit FeedConfigured(feed, config);
    }

    /// @dev Whether `next` can raise the effective volatility or make the state stale sooner than `current`
    /// (see `IVolatilityOracle.configureFeed`).
    function _tightens(FeedConfig memory current, FeedConfig calldata next) private pure returns (bool) {
        if (next.sigmaMin > current.sigmaMin || next.sigmaMax > current.sigmaMax) return true;
        if (next.maxAge < current.maxAge || next.tauUp != current.tauUp || next.tauDown != current.tauDown) return true;
        if (address(next.impliedFeed) == address(0)) return false;
        return address(next.impliedFeed) != address(current.impliedFeed) || next.impliedWeight > current.impliedWeight;
    }

    function _checkRange(ConfigField field, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert InvalidFeedConfig(field, value);
    }
}
