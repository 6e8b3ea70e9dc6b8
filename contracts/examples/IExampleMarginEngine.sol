// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";

/// @title IExampleMarginEngine
/// @notice The smallest margin engine that integrates Ballast (docs/INTEGRATION.md builds it step by step): one
/// collateral (a USD stablecoin counted at par), perpetual positions in a few markets priced by Chainlink, the two
/// hooks (`validateIncrease` after an increase, `validateAccount` after a withdrawal), `reducePosition` for the
/// module, and liquidation. AN EXAMPLE, NOT A PRODUCTION ENGINE: no funding, no fees, realized PnL stays in the
/// account's ledger (it counts in equity but cannot be withdrawn), and a liquidation pays no bonus.
/// @dev Accounting in WAD USD: equity = collateral (at par) + ledger + unrealized PnL at the oracle price;
/// requirement = sum of `maintenanceMargin * |size| * price`. Trades, reductions and liquidations execute at the
/// feed's latest positive answer; the risk module checks freshness for increases. Roles: the owner (fixed at
/// construction) lists markets and sets the risk module once; it cannot move funds or positions.
interface IExampleMarginEngine is IMarginEngine {
    /// @notice A listed market: its Chainlink feed, the feed's decimals and the maintenance margin, WAD.
    struct Market {
        IAggregatorV3 feed;
        uint8 feedDecimals;
        uint64 maintenanceMargin;
    }

    event MarketListed(uint256 indexed market, IAggregatorV3 feed, uint64 maintenanceMargin);
    event RiskModuleSet(address indexed riskModule);
    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event Liquidated(address indexed account, address indexed liquidator, int256 equity, uint256 requirement);

    error NotOwner(address caller);
    error NotRiskModule(address caller);
    error RiskModuleAlreadySet(address riskModule);
    error UnknownMarket(uint256 market);
    error InvalidMarket(uint256 market);
    error ZeroAmount();
    error InsufficientCollateral(uint256 balance, uint256 amount);
    error PriceUnavailable(address feed);
    error BelowMaintenance(int256 equity, uint256 requirement);
    error NotLiquidatable(int256 equity, uint256 requirement);
    error ReduceTooLarge(uint256 size, uint256 sizeDelta);

    /// @notice Lists a market (at most `MAX_MARKETS`, each once). Owner only.
    function listMarket(uint256 market, IAggregatorV3 feed, uint64 maintenanceMargin) external;

    /// @notice Sets the risk module, once. Owner only.
    function setRiskModule(IRiskHook riskModule) external;

    /// @notice Deposits `amount` of the collateral token (its own decimals) from the caller.
    function deposit(uint256 amount) external;

    /// @notice Withdraws collateral; with open positions the module validates the account (`validateAccount`)
    /// and the account must stay above maintenance.
    function withdraw(uint256 amount) external;

    /// @notice Changes the caller's position in `market` by `sizeDelta` (base units WAD, signed) at the oracle
    /// price. An increase or a flip is validated by the module after its effects; a reduction never is.
    function trade(uint256 market, int256 sizeDelta) external;

    /// @notice Closes every position of an account below maintenance at the oracle price. Permissionless; never
    /// consults the risk module.
    function liquidate(address account) external;

    /// @notice The collateral token.
    function collateral() external view returns (address);

    /// @notice The risk module (zero until set).
    function riskModule() external view returns (IRiskHook);

    /// @notice An account's position in a market.
    function position(address account, uint256 market) external view returns (int256 size, uint256 entryPrice);

    /// @notice An account's equity and maintenance requirement at the oracle prices, WAD USD.
    function margin(address account) external view returns (int256 equity, uint256 requirement);
}
