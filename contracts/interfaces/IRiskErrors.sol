// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {Bound} from "../types/Bound.sol";
import {IRiskTypes} from "./IRiskTypes.sol";

/// @title IRiskErrors
/// @notice Every error of the risk module, each carrying what failed where it was detected: the market, the
/// feed and its fault, the field, the values compared.
interface IRiskErrors is IRiskTypes {
    /// @notice A position is above its cap after a risk-increasing action.
    /// @param bound The binding bound; `cap` its value; `notional` the position's.
    error CapExceeded(uint256 market, Bound bound, uint256 cap, uint256 notional);

    /// @notice The options book in `market` (with the perpetual's delta) loses more in its worst scenario than
    /// the account can bear there: its equity less its buffer, its other markets' requirements and the
    /// perpetual's maintenance margin (`allowed`).
    /// @param priceStep Price move of the worst scenario in thirds of `x_max`; `volStep` its vol move.
    error GreeksBoundExceeded(uint256 market, int256 worstLoss, int256 allowed, int8 priceStep, int8 volStep);

    /// @notice The account's requirements exceed its equity with nothing open to name (for example negative
    /// equity and no position): `equity - buffer - requirement < 0`.
    error FreeEquityNegative(int256 equity, uint256 requirement, uint256 buffer);

    /// @notice An options trade raising the worst scenario loss in a market without Greeks sizing.
    error GreeksNotConfigured(uint256 market);

    /// @notice The market is not listed.
    error MarketNotListed(uint256 market);

    /// @notice The account holds collateral the module does not know.
    error CollateralNotListed(address asset);

    /// @notice The Chainlink feed `feed` (a market's or a collateral's) failed a check the action requires.
    error PriceInvalid(address feed, IRiskTypes.PriceFault fault);

    /// @notice The market has neither a fresh Chainlink price (its feed failed with `fault`) nor a pool TWAP.
    error MarketUnpriced(uint256 market, address feed, IRiskTypes.PriceFault fault);

    /// @notice The L2 sequencer is down (or its uptime feed cannot be read, or reports no start time).
    error SequencerDown();

    /// @notice The L2 sequencer is up but still inside its grace period, which ends at `graceEndsAt`.
    error SequencerGracePeriod(uint256 graceEndsAt);

    /// @notice The Chainlink price and the pool TWAP disagree by more than `maxDeviation`.
    error PriceDivergence(uint256 market, uint256 oraclePrice, uint256 twapPrice);

    /// @notice The volatility of `feed` is stale.
    error VolatilityStale(address feed);

    /// @notice The market's depth state is older than `depthMaxAge` (or was never refreshed).
    error DepthStale(uint256 market, uint256 updatedAt);

    /// @notice Risk-increasing actions are paused.
    error IncreasesArePaused();

    /// @notice The position is not above its cap with hysteresis: nothing to deleverage.
    error NothingToDeleverage(address account, uint256 market, uint256 notional, uint256 cap);

    /// @notice The position was already deleveraged in this block (a racing keeper's call; it costs little).
    error AlreadyDeleveraged(address account, uint256 market);

    /// @notice The market's rolling deleverage window is exhausted (what remains is below 1 % of its bucket
    /// and below what is due).
    error DeleverageWindowExhausted(uint256 market, uint256 capacity);

    /// @notice The pool could not serve the TWAP window.
    error PoolObserveFailed(uint256 market);

    /// @notice A configuration field is outside its hard bounds.
    error InvalidConfig(IRiskTypes.ConfigField field, uint256 value);

    /// @notice A configuration change comes before the cooldown since the last one ends at `allowedAt`.
    error ConfigCooldown(uint256 allowedAt);

    /// @notice No change `given` (the hash of its ABI encoding) is pending under `key`; `proposed` is the one that
    /// is (zero for none).
    error ChangeNotProposed(bytes32 key, bytes32 proposed, bytes32 given);

    /// @notice The pending change under `key` cannot be executed before `executableAt`.
    error ChangeNotReady(bytes32 key, uint256 executableAt);

    /// @notice A risk-oracle update moves a parameter by more than `MAX_ORACLE_CHANGE`.
    error ParameterChangeTooLarge(IRiskTypes.RiskParameter parameter, uint256 current, uint256 requested);
}
