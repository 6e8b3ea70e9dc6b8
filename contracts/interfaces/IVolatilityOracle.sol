// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IAggregatorV3} from "./external/IAggregatorV3.sol";

/// @title IVolatilityOracle
/// @notice Annualized volatility per Chainlink price feed, realized from the feed's own rounds
/// (RISK-MODEL.md section 4), optionally floored by an implied-volatility feed.
/// @dev Estimator: a ratio-of-sums EWMA of squared log returns, `A <- d*A + r^2`, `B <- d*B + dt`,
/// `d = e^(-dt/tau)`, variance per second `A / B`, with a short memory `tauUp` when a sample raises the
/// variance rate and a long one `tauDown` otherwise (react to spikes at once, forget them slowly); see
/// `VolatilityMath` for the exact rule. Effective volatility is
/// `max(clamp(sqrt(A/B * YEAR), sigmaMin, sigmaMax), min(impliedWeight * sigmaImplied, SIGMA_MAX_LIMIT), sigmaMin)`:
/// never above `SIGMA_MAX_LIMIT` (10.0, the domain of the risk math and of Black-Scholes), whatever the feeds say.
///
/// Trust assumptions:
/// - Each configured feed is a Chainlink proxy (`EACAggregatorProxy` semantics: proxy round ids are
///   `(phaseId << 64) | aggregatorRoundId`, `getRoundData` of a round that does not exist either reverts or
///   returns `updatedAt == 0`). Its answers are trusted as prices; invalid rounds are skipped, never folded.
/// - The implied-volatility feed, when configured, is trusted to report annualized volatility with the
///   decimals it declares. It can only raise the effective volatility (make caps smaller), never lower it.
///
/// Roles and powers:
/// - The default admin (OpenZeppelin `AccessControlDefaultAdminRules`: one holder, two-step transfer behind
///   a delay) grants and revokes `RISK_ADMIN_ROLE`.
/// - `RISK_ADMIN_ROLE` configures feeds within the hard bounds below (`configureFeed`). A reconfiguration that can
///   raise the effective volatility or make the state stale sooner (a TIGHTENING: a higher `sigmaMin` or
///   `sigmaMax`, a lower `maxAge`, another `tauUp` or `tauDown`, another implied feed or a higher implied weight)
///   is only proposed and applies after `GOVERNANCE_DELAY` (1 day) through `executeFeedConfig`, which anyone may
///   call; the risk admin may cancel it. A loosening (the reverse, removing the implied feed, `maxRoundsPerPoke`)
///   and a new feed apply at once. So no reconfiguration can shrink a cap of the risk module within the delay.
/// - Nobody can write the estimator's state (`A`, `B`, reference round) except by `poke`, which only folds
///   rounds read from the feed itself; nobody can pause `poke` or the views.
interface IVolatilityOracle {
    /// @notice Per-feed parameters, all bounded (see the `*_LIMIT` constants of the implementation). The order
    /// packs what `getVolatility` reads into two storage slots.
    /// @param tauUp Memory (seconds) used when a sample raises the variance rate.
    /// @param tauDown Memory (seconds) used otherwise; `tauDown >= tauUp`.
    /// @param maxAge A state whose last folded round is older than this (seconds) reads as stale.
    /// @param maxRoundsPerPoke Most rounds (including probes past a phase end) one `poke` reads.
    /// @param sigmaMin Floor of the reported volatility, WAD (1e18 = 100 % a year).
    /// @param sigmaMax Ceiling of the realized volatility, WAD.
    /// @param impliedFeed Optional implied-volatility feed (annualized, in its own decimals); zero for none.
    /// @param impliedWeight Weight `w` of the implied volatility, WAD; zero when there is no implied feed.
    struct FeedConfig {
        IAggregatorV3 impliedFeed;
        uint32 maxAge;
        uint32 tauUp;
        uint32 tauDown;
        uint16 maxRoundsPerPoke;
        uint64 sigmaMin;
        uint64 sigmaMax;
        uint64 impliedWeight;
    }

    /// @notice The estimator state of a feed.
    /// @param cursor The last proxy round id read (folded or skipped); zero before the first poke.
    /// @param referenceTime `updatedAt` of the last valid round (the reference of the next return).
    /// @param realizedSigma The unclamped realized volatility after the last fold, WAD, rounded up.
    /// @param folded Whether at least one return has been folded (`B > 0`): before that there is no estimate.
    /// @param referencePrice The answer of the last valid round.
    /// @param a Decayed sum of squared log returns, scaled by 1e36.
    /// @param b Decayed sum of seconds, scaled by 1e18.
    struct FeedState {
        uint80 cursor;
        uint64 referenceTime;
        uint64 realizedSigma;
        bool folded;
        uint256 referencePrice;
        uint256 a;
        uint256 b;
    }

    /// @notice Why a round was read but not folded.
    enum SkipReason {
        Missing,
        NonPositiveAnswer,
        AnswerTooLarge,
        IncompleteRound,
        FutureTimestamp,
        NotNewer
    }

    /// @notice Which `FeedConfig` field `InvalidFeedConfig` reports.
    enum ConfigField {
        Feed,
        TauUp,
        TauDown,
        MaxAge,
        MaxRoundsPerPoke,
        SigmaMin,
        SigmaMax,
        ImpliedFeed,
        ImpliedWeight
    }

    /// @notice A feed was configured or reconfigured (its estimator state is kept).
    event FeedConfigured(address indexed feed, FeedConfig config);

    /// @notice A tightening reconfiguration of `feed` was proposed; anyone may execute it from `executableAt` on.
    event FeedConfigProposed(address indexed feed, FeedConfig config, uint256 executableAt);

    /// @notice The pending reconfiguration of `feed` (the hash of its ABI encoding) was cancelled.
    event FeedConfigCancelled(address indexed feed, bytes32 hash, address indexed by);

    /// @notice The first valid round of a feed became its reference; no return is folded yet.
    event ReferenceInitialized(address indexed feed, uint80 roundId, uint256 price, uint256 updatedAt);

    /// @notice A round was folded into the estimator.
    /// @param sigma The effective volatility right after this round (clamped), WAD.
    event RoundFolded(address indexed feed, uint80 roundId, uint256 price, uint256 updatedAt, uint256 sigma);

    /// @notice A round was read and skipped without touching the estimator.
    event RoundSkipped(address indexed feed, uint80 roundId, SkipReason reason);

    /// @notice The feed has no configuration.
    error FeedNotConfigured(address feed);

    /// @notice A configuration field is outside its hard bounds.
    error InvalidFeedConfig(ConfigField field, uint256 value);

    /// @notice No reconfiguration `given` (the hash of its ABI encoding) is pending for `feed`; `proposed` is the
    /// one that is (zero for none).
    error ChangeNotProposed(address feed, bytes32 proposed, bytes32 given);

    /// @notice The pending reconfiguration of `feed` cannot be executed before `executableAt`.
    error ChangeNotReady(address feed, uint256 executableAt);

    /// @notice Folds every round of `feed` published since the last poke, at most `maxRoundsPerPoke` reads
    /// per call (call again to continue), crossing proxy phase boundaries. Permissionless.
    /// @dev The first poke of a feed takes its latest valid round as the reference. Rounds with a
    /// non-positive answer, an answer above 2^191, `answeredInRound < roundId`, `updatedAt` in the future
    /// or not after the reference are skipped and do not move the reference.
    /// @return folded The number of rounds folded.
    function poke(address feed) external returns (uint256 folded);

    /// @notice The effective annualized volatility of `feed` and whether it is stale. Never reverts for a
    /// configured feed.
    /// @return sigma Effective volatility, WAD.
    /// @return stale True when no round was folded yet, the last folded round is older than `maxAge`, or the
    /// configured implied feed is invalid or older than `maxAge`. Risk-increasing actions must fail closed.
    function getVolatility(address feed) external view returns (uint256 sigma, bool stale);

    /// @notice The realized volatility of `feed`, clamped to `[sigmaMin, sigmaMax]`, WAD.
    function realizedVolatility(address feed) external view returns (uint256 sigma);

    /// @notice The configuration of `feed`.
    function feedConfig(address feed) external view returns (FeedConfig memory);

    /// @notice The estimator state of `feed`.
    function feedState(address feed) external view returns (FeedState memory);

    /// @notice Configures (or reconfigures) a feed within the hard bounds. Only `RISK_ADMIN_ROLE`. A new feed and
    /// a loosening apply at once (`FeedConfigured`); a tightening (see the contract's notice) is proposed
    /// (`FeedConfigProposed`), replacing any pending one.
    /// @dev Reconfiguring keeps the estimator state; the new clamp applies to the next read.
    function configureFeed(address feed, FeedConfig calldata config) external;

    /// @notice Applies the pending reconfiguration `config` of `feed` once `GOVERNANCE_DELAY` has passed since it
    /// was proposed. Anyone. Reverts `ChangeNotProposed` unless `config` is exactly the pending one and
    /// `ChangeNotReady` before its time; every hard bound is checked again.
    function executeFeedConfig(address feed, FeedConfig calldata config) external;

    /// @notice Cancels the pending reconfiguration of `feed`. Only `RISK_ADMIN_ROLE`.
    function cancelFeedConfig(address feed) external;

    /// @notice The pending reconfiguration of `feed`: the hash of `abi.encode(config)` and when it becomes
    /// executable (zero: none).
    function pendingFeedConfig(address feed) external view returns (bytes32 hash, uint256 executableAt);
}
