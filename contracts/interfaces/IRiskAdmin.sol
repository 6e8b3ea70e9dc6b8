// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IRiskTypes} from "./IRiskTypes.sol";

/// @title IRiskAdmin
/// @notice Governance of the risk module: configuration within hard bounds, bounded parameter updates, pause.
/// The roles' powers and their limits are stated in `IRiskModule`.
///
/// The rule (RISK-MODEL.md section 8, in the manner of Aave v3's risk stewards and a timelock): a change that
/// can shrink a cap, bring a deleverage sooner or deeper, or raise what a user pays (a TIGHTENING) either moves
/// by a bounded step per interval (the risk oracle, `updateRiskParameter`) or waits `GOVERNANCE_DELAY` (1 day)
/// behind a public proposal before anyone may execute it (the risk admin); a LOOSENING applies at once. Listing a
/// new market, collateral or tier applies at once (no position depends on it). Per field, tightening is:
/// - `MarketConfig`: another `feed`, `pool`, `baseIsToken0`, `twapWindow`, `maxPriceAge` or `depthMaxAge` (any
///   change: each decides which price a deleverage acts on); a lower `maxDeviation`, `kappa`, `kappaOI`,
///   `oiCapLong`, `oiCapShort`, `maxWalkSteps`, `maxSlippage`, `depthRisePerHour`, `tauTrigger` or
///   `deleverageWindow`; a higher `horizon`, `maintenanceMargin`, `z`, `gap`, `tauTarget`, `rho`,
///   `keeperFeeRate` or `keeperFeeMax`; `sigmaTarget` switched on or lowered; in a market with Greeks sizing,
///   any change of `z`, `horizon` or `gap` (they set the grid's move, and a narrower grid can lower the bound of a
///   perpetual that hedges a book beyond the account's allowance).
/// - `CollateralConfig`: another `feed` or `tier`; a lower `maxPriceAge`; a higher `baseHaircut`; `volZ`
///   switched on or off, or raised; with `volZ`, a longer `volHorizon`.
/// - tiers: a lower `maxLeverage`.
/// - `GreeksConfig`: switched on, or a larger `volShock` or `buffer` while on; `hedgeInterval` is free (it only
///   guides the keeper). Exception: the first configuration of a market with no open interest applies at once (a
///   market is set up in one step); an options book left there from hedging a since-closed perpetual (the only
///   kind a market without Greeks sizing admits) then counts at once.
/// - the sequencer feed and its grace period gate increases only (they cannot shrink a cap or bring a
///   deleverage) and apply at once; the guardian's pause likewise.
/// So, with the market unchanged, no call of the risk admin can lower any position's cap or raise its fee before
/// `GOVERNANCE_DELAY` has passed since the proposal was published; within that delay a cap falls only by the
/// risk oracle's steps (`MAX_ORACLE_CHANGE`, 25 %, per parameter per `ORACLE_COOLDOWN`, 1 hour). A new
/// proposal replaces the pending one of the same item and restarts its delay; the risk oracle's updates and the
/// admin's loosenings in the meantime are overwritten when it executes (the executed configuration is exactly
/// the published one). Keys of pending changes: `keccak256(abi.encode("market", market))`,
/// `keccak256(abi.encode("collateral", asset))`, `keccak256(abi.encode("tier", tier))`,
/// `keccak256(abi.encode("greeks", market))`.
interface IRiskAdmin is IRiskTypes {
    /// @notice Lists or reconfigures a market. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market.
    /// Listing and loosening apply at once (`MarketConfigured`); a tightening is proposed
    /// (`MarketConfigProposed`) and applies only through `executeMarketConfig` after `GOVERNANCE_DELAY`.
    function configureMarket(uint256 market, MarketConfig calldata config) external;

    /// @notice Applies the pending market configuration `config` once its delay has passed. Anyone. Reverts
    /// `ChangeNotProposed` unless `config` is exactly the pending one, `ChangeNotReady` before `executableAt`;
    /// every check of `configureMarket` is made again.
    function executeMarketConfig(uint256 market, MarketConfig calldata config) external;

    /// @notice Lists or reconfigures a collateral asset. `RISK_ADMIN_ROLE`; hard bounds; cooldown per asset.
    /// Listing and loosening apply at once; a tightening is proposed (`CollateralConfigProposed`).
    function configureCollateral(address asset, CollateralConfig calldata config) external;

    /// @notice Applies the pending collateral configuration once its delay has passed. Anyone.
    function executeCollateralConfig(address asset, CollateralConfig calldata config) external;

    /// @notice Sets a listed market's Greeks sizing. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market;
    /// at most `MAX_GREEKS_MARKETS` markets; the engine must implement `IOptionsEngine`. Switching it off, or a
    /// smaller shock or buffer, applies at once; a tightening is proposed (`GreeksConfigProposed`), except the
    /// first configuration of a market with no open interest.
    function configureGreeks(uint256 market, GreeksConfig calldata config) external;

    /// @notice Applies the pending Greeks sizing once its delay has passed. Anyone.
    function executeGreeksConfig(uint256 market, GreeksConfig calldata config) external;

    /// @notice Sets a tier's leverage limit, WAD in [1, 100]. `RISK_ADMIN_ROLE`. A collateral can only be
    /// listed in a configured tier. A lower limit is proposed (`TierProposed`); a higher one applies at once.
    function configureTier(uint8 tier, uint256 maxLeverage) external;

    /// @notice Applies the pending tier limit once its delay has passed. Anyone.
    function executeTier(uint8 tier, uint256 maxLeverage) external;

    /// @notice Cancels the pending change under `key` (see the contract's notice for the keys). `RISK_ADMIN_ROLE`
    /// or `GUARDIAN_ROLE` (cancelling only keeps the current, looser configuration). Reverts `ChangeNotProposed`
    /// when nothing is pending.
    function cancelChange(bytes32 key) external;

    /// @notice The pending change under `key`: the hash of its ABI encoding (`abi.encode(config)`, or
    /// `abi.encode(maxLeverage)` for a tier) and when it becomes executable (zero: nothing pending).
    function pendingChange(bytes32 key) external view returns (bytes32 hash, uint256 executableAt);

    /// @notice Sets the L2 sequencer uptime feed (zero address on L1) and its grace period. `RISK_ADMIN_ROLE`.
    /// Applies at once: the sequencer gates increases only.
    function configureSequencer(address feed, uint256 gracePeriod) external;

    /// @notice Moves one numeric market parameter by at most `MAX_ORACLE_CHANGE` (25 %) of its value, at most
    /// once per `ORACLE_COOLDOWN` (1 hour) per parameter, in either direction and at once (the bounded-step half
    /// of the rule). `RISK_ORACLE_ROLE`.
    function updateRiskParameter(uint256 market, RiskParameter parameter, uint256 value) external;

    /// @notice Pauses risk-increasing actions. `GUARDIAN_ROLE`.
    function pauseIncreases() external;

    /// @notice Resumes risk-increasing actions. `RISK_ADMIN_ROLE`.
    function unpauseIncreases() external;

    /// @notice The configuration of a market.
    function marketConfig(uint256 market) external view returns (MarketConfig memory);

    /// @notice The Greeks sizing of a market (disabled by default).
    function greeksConfig(uint256 market) external view returns (GreeksConfig memory);

    /// @notice The markets with Greeks sizing (at most `MAX_GREEKS_MARKETS`), whose options books every
    /// evaluation reads from the engine.
    function greeksMarkets() external view returns (uint256[] memory);

    /// @notice The configuration of a collateral asset.
    function collateralConfig(address asset) external view returns (CollateralConfig memory);

    /// @notice Whether risk-increasing actions are paused.
    function increasesPaused() external view returns (bool);

    /// @notice The L2 sequencer uptime feed (zero on L1) and its grace period, seconds.
    function sequencer() external view returns (address feed, uint256 gracePeriod);

    /// @notice The leverage limit of a collateral tier, WAD (zero: tier not configured).
    function tierLeverage(uint8 tier) external view returns (uint256);
}
