// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IRiskTypes} from "./IRiskTypes.sol";

/// @title IRiskAdmin
/// @notice Governance of the risk module: configuration within hard bounds, bounded parameter updates, pause.
/// The roles' powers and their limits are stated in `IRiskModule`.
interface IRiskAdmin is IRiskTypes {
    /// @notice Lists or reconfigures a market. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market.
    function configureMarket(uint256 market, MarketConfig calldata config) external;

    /// @notice Lists or reconfigures a collateral asset. `RISK_ADMIN_ROLE`; hard bounds; cooldown per asset.
    function configureCollateral(address asset, CollateralConfig calldata config) external;

    /// @notice Sets a listed market's Greeks sizing. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market;
    /// at most `MAX_GREEKS_MARKETS` markets; the engine must implement `IOptionsEngine`.
    function configureGreeks(uint256 market, GreeksConfig calldata config) external;

    /// @notice Sets a tier's leverage limit, WAD in [1, 100]. `RISK_ADMIN_ROLE`. A collateral can only be
    /// listed in a configured tier.
    function configureTier(uint8 tier, uint256 maxLeverage) external;

    /// @notice Sets the L2 sequencer uptime feed (zero address on L1) and its grace period. `RISK_ADMIN_ROLE`.
    function configureSequencer(address feed, uint256 gracePeriod) external;

    /// @notice Moves one numeric market parameter by at most `MAX_ORACLE_CHANGE`. `RISK_ORACLE_ROLE`.
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
