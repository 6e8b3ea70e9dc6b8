// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IMarginEngine} from "../../interfaces/IMarginEngine.sol";
import {IRiskHook} from "../../interfaces/IRiskHook.sol";

/// @title MutantMarginEngine
/// @notice TEST DOUBLE, NOT AN ENGINE: a one-market engine at a fixed price that breaks one rule of the integration
/// contract on purpose (its `mutation`), so that the conformance kit's own tests prove each check can fail.
/// `Mutation.None` follows every rule.
contract MutantMarginEngine is IMarginEngine {
    /// @notice The rule this engine breaks.
    enum Mutation {
        None,
        ShortReportedAsPositive,
        ValidatesBeforeEffects,
        ValidatesReductions,
        FlipUnvalidated,
        WithdrawalUnvalidated,
        SwallowsRejection,
        WrongMarketValidated,
        AnyoneMayReduce,
        ReduceMayFlip,
        KeeperUnpaid,
        NoPositionEvent,
        OpenInterestUnsigned
    }

    error NotRiskModule(address caller);
    error ReduceTooLarge(uint256 size, uint256 sizeDelta);

    Mutation public immutable mutation;
    IRiskHook public immutable riskModule;
    address public immutable collateral;
    uint256 public immutable price;

    mapping(address account => uint256 amount) private _collateral;
    mapping(address account => int256 size) private _size;
    mapping(address account => int256 ledger) private _ledger;
    uint256 private _long;
    uint256 private _short;

    constructor(Mutation mutation_, IRiskHook riskModule_, address collateral_, uint256 price_) {
        (mutation, riskModule, collateral, price) = (mutation_, riskModule_, collateral_, price_);
    }

    function deposit(uint256 amount) external {
        _collateral[msg.sender] += amount;
        IERC20(collateral).transferFrom(msg.sender, address(this), amount);
    }

    function withdraw(uint256 amount) external {
        _collateral[msg.sender] -= amount;
        if (_size[msg.sender] != 0 && mutation != Mutation.WithdrawalUnvalidated)
            riskModule.validateAccount(msg.sender);
        IERC20(collateral).transfer(msg.sender, amount);
    }

    function trade(uint256 market, int256 sizeDelta) external {
        int256 before = _size[msg.sender];
        int256 next = before + sizeDelta;
        bool flip = (before > 0 && next < 0) || (before < 0 && next > 0);
        bool increase = _abs(next) > _abs(before) || (flip && mutation != Mutation.FlipUnvalidated);
        if (mutation == Mutation.ValidatesReductions) increase = true;
        if (increase && mutation == Mutation.ValidatesBeforeEffects) riskModule.validateIncrease(msg.sender, market);
        _move(msg.sender, next);
        if (!increase || mutation == Mutation.ValidatesBeforeEffects) return;
        if (mutation == Mutation.SwallowsRejection) {
            try riskModule.validateIncrease(msg.sender, market) {} catch {} // solhint-disable-line no-empty-blocks
        } else {
            riskModule.validateIncrease(msg.sender, mutation == Mutation.WrongMarketValidated ? market + 1 : market);
        }
    }

    /// @inheritdoc IMarginEngine
    function reducePosition(address account, uint256, uint256 sizeDelta, address keeper, uint256 keeperFee) external {
        if (mutation != Mutation.AnyoneMayReduce && msg.sender != address(riskModule)) revert NotRiskModule(msg.sender);
        int256 size = _size[account];
        if (mutation != Mutation.ReduceMayFlip && sizeDelta > _abs(size)) revert ReduceTooLarge(_abs(size), sizeDelta);
        _move(account, size > 0 ? size - int256(sizeDelta) : size + int256(sizeDelta));
        if (mutation == Mutation.KeeperUnpaid) return;
        _ledger[account] -= int256(keeperFee);
        _ledger[keeper] += int256(keeperFee);
        emit KeeperPaid(account, keeper, keeperFee);
    }

    /// @inheritdoc IMarginEngine
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot) {
        snapshot.collateral = new CollateralBalance[](1);
        snapshot.collateral[0] = CollateralBalance(collateral, _collateral[account]);
        int256 size = _size[account];
        if (size < 0 && mutation == Mutation.ShortReportedAsPositive) size = -size;
        snapshot.positions = new PositionSnapshot[](size == 0 ? 0 : 1);
        if (size != 0) snapshot.positions[0] = PositionSnapshot(1, size, price);
        snapshot.adjustments = _ledger[account];
    }

    /// @inheritdoc IMarginEngine
    function openInterest(uint256) external view returns (uint256 longSize, uint256 shortSize) {
        return mutation == Mutation.OpenInterestUnsigned ? (_long + _short, 0) : (_long, _short);
    }

    function _move(address account, int256 next) private {
        int256 before = _size[account];
        _size[account] = next;
        if (before > 0) _long -= uint256(before);
        else _short -= uint256(-before);
        if (next > 0) _long += uint256(next);
        else _short += uint256(-next);
        if (mutation != Mutation.NoPositionEvent) emit PositionChanged(account, 1, before, next, price, 0);
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
