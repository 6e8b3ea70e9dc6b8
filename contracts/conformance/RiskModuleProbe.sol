// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";

/// @title RiskModuleProbe
/// @notice CONFORMANCE TEST DOUBLE standing in for Ballast's risk module: the engine under test is wired to it as
/// its risk module. Its hooks accept, reject on demand, and check that the engine calls them after the action's
/// effects (they read the engine's snapshot and compare it with what the test expects); `reduce` calls the
/// engine's `reducePosition` as the module does from `deleverage`. Holds nothing; no admin (tests only).
contract RiskModuleProbe is IRiskHook {
    /// @notice The hook was told to reject (the engine must undo the action).
    error ProbeRejected(address account);

    /// @notice The hook saw a position other than the one the action leads to: it was called before the action's
    /// effects, or the snapshot misreports the position.
    error HookSawWrongPosition(uint256 market, int256 expected, int256 actual);

    /// @notice The hook was called for another account or market than the action's.
    error HookSawWrongArguments(address expectedAccount, address account, uint256 expectedMarket, uint256 market);

    /// @notice The hook saw a collateral balance other than the one the withdrawal leads to.
    error HookSawWrongCollateral(address asset, uint256 expected, uint256 actual);

    /// @notice The engine under test.
    IMarginEngine public engine;
    /// @notice Whether the hooks revert with `ProbeRejected`.
    bool public rejecting;

    address private _account;
    bool private _checkPosition;
    uint256 private _market;
    int256 private _size;
    bool private _checkCollateral;
    address private _asset;
    uint256 private _amount;

    /// @notice Binds the engine whose snapshots the hooks read.
    function bind(IMarginEngine engine_) external {
        engine = engine_;
    }

    /// @notice Makes both hooks revert (or accept again).
    function setRejecting(bool rejecting_) external {
        rejecting = rejecting_;
    }

    /// @notice The next hooks check that they are called for `account` (and `validateIncrease` for `market`) and
    /// that the account's position in `market` is `size` when they are.
    function expectPosition(address account, uint256 market, int256 size) external {
        (_account, _checkPosition, _market, _size) = (account, true, market, size);
    }

    /// @notice The next hooks check that they are called for `account` and that its balance of `asset` is `amount`.
    function expectCollateral(address account, address asset, uint256 amount) external {
        (_account, _checkCollateral, _asset, _amount) = (account, true, asset, amount);
    }

    /// @notice Stops checking.
    function clearExpectations() external {
        (_checkPosition, _checkCollateral) = (false, false);
    }

    /// @notice Calls `reducePosition` on the engine, as the module does from `deleverage`.
    function reduce(address account, uint256 market, uint256 sizeDelta, address keeper, uint256 keeperFee) external {
        engine.reducePosition(account, market, sizeDelta, keeper, keeperFee);
    }

    /// @inheritdoc IRiskHook
    function validateIncrease(address account, uint256 market) external view {
        _check(account);
        if (_checkPosition && market != _market) revert HookSawWrongArguments(_account, account, _market, market);
    }

    /// @inheritdoc IRiskHook
    function validateAccount(address account) external view {
        _check(account);
    }

    function _check(address account) private view {
        if (rejecting) revert ProbeRejected(account);
        if (!_checkPosition && !_checkCollateral) return;
        if (account != _account) revert HookSawWrongArguments(_account, account, _market, 0);
        IMarginEngine.AccountSnapshot memory s = engine.accountSnapshot(account);
        if (_checkPosition) {
            int256 size;
            for (uint256 i; i < s.positions.length; ++i)
                if (s.positions[i].market == _market) size = s.positions[i].size;
            if (size != _size) revert HookSawWrongPosition(_market, _size, size);
        }
        if (_checkCollateral) {
            uint256 amount;
            for (uint256 i; i < s.collateral.length; ++i)
                if (s.collateral[i].asset == _asset) amount = s.collateral[i].amount;
            if (amount != _amount) revert HookSawWrongCollateral(_asset, _amount, amount);
        }
    }
}
