// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IOptionsEngine} from "./IOptionsEngine.sol";
import {IRiskTypes} from "./IRiskTypes.sol";

/// @title IRiskKeeper
/// @notice What keepers and front ends call: the account rule's reports, permissionless deleverage and depth
/// upkeep. Every view judges an account exactly as `deleverage` would (RISK-MODEL.md sections 3 and 6):
/// each market at its fresh Chainlink price, or at the pool TWAP read in the same call when that price is not
/// fresh; a collateral at its fresh price, or when stale at its last price with the haircut of a move over
/// its age (only where its own volatility is configured; otherwise it counts for nothing).
/// @dev None of these views reverts on a healthy account; `accountStatus` never reverts for a listed setup.
interface IRiskKeeper is IRiskTypes {
    /// @notice The risk of the account's position in `market` (size zero if none: the cap for a new one).
    /// @dev Reverts with `MarketUnpriced` when a market of the account has neither a fresh Chainlink price
    /// nor a pool TWAP.
    function positionRisk(address account, uint256 market) external view returns (PositionRisk memory risk);

    /// @notice The account's status under the account rule and its most over-cap position. Never reverts for
    /// a listed setup: an account that cannot be priced is reported as `Status.OracleInvalid`.
    function accountStatus(address account) external view returns (AccountStatus memory status);

    /// @notice What `deleverage(account, market)` would do now: the notional and size it would remove
    /// (after the rolling window) and the keeper fee. Zero when nothing is to be done. Never reverts on a
    /// healthy account.
    function deleverageQuote(
        address account,
        uint256 market
    ) external view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee);

    /// @notice Reduces a position above `cap * (1 + tauTrigger)` to `cap * (1 - tauTarget)` (or by what the
    /// rolling window still allows) through the engine, and pays the caller the keeper fee. Permissionless.
    /// @dev Judges the position with fresh data: at the fresh Chainlink price and, when the stored pool TWAP
    /// is fresh (at most `depthMaxAge` old) and diverges from it, also at that TWAP, acting on the larger
    /// breach; when the Chainlink price is not fresh, at the pool TWAP read in this transaction. Another
    /// market's or collateral's failed feed never blocks it (see the contract's notice). At most one
    /// deleverage per position per block: a second call reverts at once with `AlreadyDeleveraged`. Otherwise
    /// it reverts with `NothingToDeleverage`, `DeleverageWindowExhausted` or `MarketUnpriced` before
    /// reducing anything.
    /// @return sizeDelta The size removed, base units WAD.
    function deleverage(address account, uint256 market) external returns (uint256 sizeDelta);

    /// @notice Refreshes the market's depth state from the pool: TWAP tick and harmonic-mean liquidity over
    /// `twapWindow` (constant-L depth), and a bounded walk over initialized ticks from the TWAP tick out to
    /// `maxSlippage` both ways. Permissionless.
    /// @dev Each of the three walks (spot tick to TWAP tick, down, up) reads at most `maxWalkSteps` bitmap words
    /// and initialized ticks. A walk down or up that runs out of them yields the depth reached so far (lower than
    /// the full reading: conservative), so dust ticks cannot freeze the state; the raise of `maxWalkSteps` that
    /// cures it is a loosening and applies at once. Reverts with `PoolObserveFailed`, or
    /// `PoolReader.WalkTruncated` when the spot price is more than `maxWalkSteps` reads away from the TWAP tick
    /// (a transient state; the recorded depth is kept). A new market's first refresh applies its readings at
    /// once, each at most the constant-L estimate; later rises need a full confirmation period (`DepthState`).
    function refreshDepth(uint256 market) external returns (uint256 down, uint256 up);

    /// @notice The account's options book in `market`: its Greeks, worst scenario and hedge guidance.
    /// @dev Never reverts on a healthy account; reverts with `GreeksNotConfigured` in a market without Greeks
    /// sizing.
    function greeksRisk(address account, uint256 market) external view returns (GreeksRisk memory risk);

    /// @notice The largest number of units (WAD) of an instrument with per-unit Greeks `perUnit` (held long;
    /// negate them for a sale) that the account may add to its book in `market`: the largest trade that keeps
    /// the worst scenario loss within what the account can bear there, or no higher than now.
    /// `type(uint256).max` when no scenario loses on the instrument. Same price rules as `greeksRisk`.
    function maxOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata perUnit
    ) external view returns (uint256 units);

    /// @notice The depth state of a market.
    function depthState(uint256 market) external view returns (DepthState memory);

    /// @notice What the market's rolling deleverage window still allows now, and its capacity, WAD USD.
    function deleverageCapacity(uint256 market) external view returns (uint256 remaining, uint256 capacity);
}
