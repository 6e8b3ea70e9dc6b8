// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IAggregatorV3} from "./external/IAggregatorV3.sol";

import {IHedgingEngine} from "./IHedgingEngine.sol";
import {IMarginEngine} from "./IMarginEngine.sol";
import {IOptionsEngine} from "./IOptionsEngine.sol";
import {IReferenceOptionsEngine} from "./IReferenceOptionsEngine.sol";
import {IRiskHook} from "./IRiskHook.sol";

/// @title IReferenceMarginEngine
/// @notice A small cross-margin perpetuals engine that integrates Ballast: the integration example for
/// protocol teams. A REFERENCE, NOT A PRODUCTION ENGINE: no funding, no trading fees, trades execute at the
/// Chainlink price, and liquidation closes every position of the account at once.
/// @dev Accounting, in WAD USD unless stated:
/// - collateral: ERC20 balances per account, valued at their latest positive Chainlink price (no haircut);
/// - ledger: a signed USD balance per account holding realized PnL, keeper fees and liquidation bonuses; a
///   negative ledger is paid at once out of collateral at oracle prices (moved to the engine's reserve), so it
///   stays negative only when the collateral is gone;
/// - equity = collateral value + ledger + unrealized PnL; requirement = sum of `m * notional`;
/// - an account with equity below its requirement can be liquidated by anyone: every position is closed at
///   the oracle price, the liquidator's bonus (`liquidationBonus * closed notional`) moves from the
///   account's ledger to the liquidator's, and losses are paid from collateral; if equity is then negative,
///   all collateral is seized and the shortfall is added to `badDebt` (recorded, never hidden).
/// - options (optional): an attached `IReferenceOptionsEngine` books options in the same accounts; their mark
///   value counts in equity (and in the snapshot's adjustments), their short requirement in the requirement,
///   their premiums and payoffs move through the ledger, and a liquidation closes them too. The engine
///   implements `IOptionsEngine` by forwarding to it (zero Greeks without one).
/// - hedgers: an account may approve addresses (a hedging keeper) to trade its perpetuals (`tradeFor`), under
///   the same risk checks as its own trades.
/// Integration with the module: every trade that increases a position's size (or flips it) calls
/// `riskModule.validateIncrease` after its effects; withdrawals call `validateAccount`; reductions, closes
/// and liquidations never call the module. The module alone may call `reducePosition` (deleverage).
/// Roles: the owner (two-step transfer) lists collaterals and markets and sets the risk module once. It
/// cannot move user funds, change balances or positions, or block reductions.
interface IReferenceMarginEngine is IMarginEngine, IOptionsEngine, IHedgingEngine {
    /// @notice An engine market.
    /// @param feed Chainlink price feed of the base asset in USD. Trades, liquidations and deleverages execute at
    /// its latest positive answer; freshness is checked by the risk module for increases and deleverage.
    /// @param maintenanceMargin Liquidation boundary `m`, WAD (must equal the module's market `m`).
    /// @param liquidationBonus Liquidator's share of the closed notional, WAD.
    struct Market {
        IAggregatorV3 feed;
        uint64 maintenanceMargin;
        uint64 liquidationBonus;
    }

    /// @notice An engine collateral.
    /// @param feed Chainlink price feed of the asset in USD (latest positive answer).
    struct Collateral {
        IAggregatorV3 feed;
    }

    /// @notice An account's margin as the engine sees it, WAD USD.
    struct Margin {
        int256 equity;
        uint256 requirement;
        uint256 collateralValue;
        int256 unrealizedPnl;
        int256 ledger;
        int256 optionsValue;
    }

    event CollateralListed(address indexed asset, Collateral collateral);
    event MarketListed(uint256 indexed market, Market config);
    event RiskModuleSet(address indexed riskModule);
    event OptionsEngineSet(address indexed optionsEngine);
    event Deposited(address indexed account, address indexed asset, uint256 amount);
    event Withdrawn(address indexed account, address indexed asset, uint256 amount);

    /// @notice Collateral moved from an account to the engine's reserve (to pay losses, or seized when insolvent).
    event CollateralSeized(address indexed account, address indexed asset, uint256 amount, uint256 value);

    /// @notice An account was liquidated.
    event Liquidated(
        address indexed account,
        address indexed liquidator,
        uint256 closedNotional,
        uint256 bonus,
        uint256 badDebt
    );

    error NotRiskModule(address caller);
    error RiskModuleAlreadySet(address riskModule);
    error OptionsEngineAlreadySet(address optionsEngine);
    error NotOptionsEngine(address caller);
    error UnknownMarket(uint256 market);
    error UnknownCollateral(address asset);
    error InvalidListing(uint256 value);
    error ZeroAmount();
    error InsufficientCollateral(address asset, uint256 balance, uint256 amount);
    error PriceUnavailable(address feed);
    error BelowMaintenance(int256 equity, uint256 requirement);
    error NotLiquidatable(int256 equity, uint256 requirement);
    error ReduceTooLarge(uint256 size, uint256 sizeDelta);
    error TooManyPositions(uint256 limit);

    /// @notice Lists (or updates the feed of) a collateral asset. Owner only.
    function listCollateral(address asset, Collateral calldata collateral) external;

    /// @notice Lists (or updates) a market. Owner only.
    function listMarket(uint256 market, Market calldata config) external;

    /// @notice Sets the risk module, once. Owner only.
    function setRiskModule(IRiskHook riskModule) external;

    /// @notice Attaches the options engine, once. Owner only.
    function setOptionsEngine(IReferenceOptionsEngine optionsEngine) external;

    /// @notice Adds `amount` (WAD USD, signed) to the account's ledger: premiums and payoffs. Options engine only.
    function creditOptions(address account, int256 amount) external;

    /// @notice Reverts with `BelowMaintenance` when the account's equity is below its requirement.
    function checkMaintenance(address account) external view;

    /// @notice Deposits `amount` of a listed collateral from the caller.
    function deposit(address asset, uint256 amount) external;

    /// @notice Withdraws collateral; the account must stay above maintenance and within every cap.
    function withdraw(address asset, uint256 amount) external;

    /// @notice Changes the caller's position in `market` by `sizeDelta` (base units WAD, signed) at the
    /// oracle price. Increases are validated by the risk module after effects; reductions never are.
    function trade(uint256 market, int256 sizeDelta) external;

    /// @notice Liquidates an account below maintenance. Permissionless; never consults the risk module.
    function liquidate(address account) external;

    /// @notice The engine's view of an account's margin at current oracle prices.
    function margin(address account) external view returns (Margin memory);

    /// @notice An account's position in a market.
    function position(address account, uint256 market) external view returns (int256 size, uint256 entryPrice);

    /// @notice The market's execution price (latest positive Chainlink answer), WAD USD.
    function markPrice(uint256 market) external view returns (uint256);

    /// @notice Whether each account is below maintenance (can be liquidated now). For liquidators.
    function liquidatable(address[] calldata accounts) external view returns (bool[] memory);

    /// @notice Total bad debt recorded by liquidations, WAD USD.
    function badDebt() external view returns (uint256);

    /// @notice The risk module (zero until set).
    function riskModule() external view returns (IRiskHook);

    /// @notice The options engine (zero when none is attached).
    function optionsEngine() external view returns (IReferenceOptionsEngine);
}
