// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IMarginEngine
/// @notice What a margin engine implements to integrate Ballast's risk module: the whole integration contract of
/// a perpetuals engine (docs/INTEGRATION.md walks through it; `IHedgingEngine` and `IOptionsEngine` are optional
/// extensions). The conformance kit (`contracts/conformance/MarginEngineConformance.sol`) checks every rule below
/// against a deployed engine.
/// @dev Who calls what, and when:
/// 1. Traders call the engine. After the engine has applied every effect of an action that raises an account's
///    risk, in the same transaction, it calls the module and lets a revert undo the action:
///    - `IRiskHook.validateIncrease(account, market)` after a trade that opens, grows or flips the account's
///      position in `market`;
///    - `IRiskHook.validateAccount(account)` after an action that lowers the account's equity without a trade
///      (a collateral withdrawal, a transfer of margin out).
///    It never calls the module for a reduction, a close or a liquidation: those must not depend on the module.
/// 2. The module and keepers read the engine: `accountSnapshot` and `openInterest` report the state as it is at
///    the moment of the call (after the trade being validated), in the units below.
/// 3. Keepers call `IRiskKeeper.deleverage` on the module; the module, and only the module, calls
///    `reducePosition`, which reduces the position towards zero (never grows or flips it) at the engine's own
///    execution price and pays the keeper fee out of the account.
/// 4. The engine emits `PositionChanged` on every change of a position's size (trades, `reducePosition`,
///    liquidations): keepers discover the accounts to watch from it, so an account whose position changed
///    without it is invisible to them. It emits `KeeperPaid` when `reducePosition` pays a keeper.
///
/// Units: collateral amounts in the token's own decimals; position sizes in base units scaled by 1e18 (WAD),
/// signed (positive long, negative short); prices and quote amounts in WAD quote (USD).
///
/// The engine must never: let anyone but the module call `reducePosition`; grow or flip a position in
/// `reducePosition`; call the module on a reduction; validate before applying the trade (the module judges the
/// state it reads); report a snapshot other than the account's state; block a reduction on the module's answer.
interface IMarginEngine {
    /// @notice A collateral balance of an account.
    /// @param asset The ERC20 token.
    /// @param amount The balance in the token's own decimals.
    struct CollateralBalance {
        address asset;
        uint256 amount;
    }

    /// @notice An open position of an account.
    /// @param market The market id, as configured in the risk module.
    /// @param size Signed size in base units, WAD (positive long, negative short).
    /// @param entryPrice Average entry price, WAD quote per base unit.
    struct PositionSnapshot {
        uint256 market;
        int256 size;
        uint256 entryPrice;
    }

    /// @notice Everything the module needs to compute an account's caps.
    /// @param collateral Non-zero collateral balances.
    /// @param positions Open (non-zero) positions, at most one per market.
    /// @param adjustments Signed quote amount the engine owes the account (+) or the account owes (-) beyond
    /// collateral and unrealized PnL: realized PnL, funding, fees. WAD quote.
    struct AccountSnapshot {
        CollateralBalance[] collateral;
        PositionSnapshot[] positions;
        int256 adjustments;
    }

    /// @notice An account's position in `market` changed from `sizeBefore` to `sizeAfter` (base units WAD,
    /// signed) at `price` (WAD quote), realizing `realizedPnl` (WAD quote, signed) on the closed part. Emitted
    /// for every trade, every `reducePosition` and every liquidation. Keepers discover accounts from it.
    event PositionChanged(
        address indexed account,
        uint256 indexed market,
        int256 sizeBefore,
        int256 sizeAfter,
        uint256 price,
        int256 realizedPnl
    );

    /// @notice `reducePosition` paid `fee` (WAD quote) from `account` to `keeper`.
    event KeeperPaid(address indexed account, address indexed keeper, uint256 fee);

    /// @notice The account as the module must see it, after the trade being validated. Called by the module on
    /// every validation, deleverage and view, and by keepers.
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot);

    /// @notice Open interest of a market per side, in base units (WAD): the sums of the long sizes and of the
    /// absolute short sizes. Called by the module for the open-interest bound.
    function openInterest(uint256 market) external view returns (uint256 longSize, uint256 shortSize);

    /// @notice Reduces a position towards zero by `sizeDelta` (base units, WAD, never more than its size)
    /// at the engine's execution price, and pays `keeperFee` (WAD quote) from the account to `keeper`.
    /// @dev Called only by the risk module, from `deleverage`, after it has judged the position over its cap;
    /// the engine must revert for any other caller. Must never increase the position or flip it, must not call
    /// the module back, and emits `PositionChanged` and `KeeperPaid`.
    function reducePosition(
        address account,
        uint256 market,
        uint256 sizeDelta,
        address keeper,
        uint256 keeperFee
    ) external;
}
