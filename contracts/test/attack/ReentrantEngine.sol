// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IMarginEngine} from "../../interfaces/IMarginEngine.sol";
import {IRiskModule} from "../../interfaces/IRiskModule.sol";

/// @title ReentrantEngine
/// @notice TEST ATTACKER. A malicious margin engine: reports whatever account its owner sets, and when the
/// module calls `reducePosition` it re-enters the module (`deleverage` again, or `refreshDepth`).
contract ReentrantEngine is IMarginEngine {
    enum Reentry {
        None,
        Deleverage,
        RefreshDepth
    }

    IRiskModule public module;
    Reentry public reentry;
    AccountSnapshot private _snapshot;
    uint256 public longSize;
    uint256 public shortSize;

    function setModule(IRiskModule module_, Reentry reentry_) external {
        module = module_;
        reentry = reentry_;
    }

    function setAccount(CollateralBalance calldata collateral, PositionSnapshot calldata position) external {
        delete _snapshot;
        _snapshot.collateral.push(collateral);
        _snapshot.positions.push(position);
        longSize = position.size > 0 ? uint256(position.size) : 0;
        shortSize = position.size < 0 ? uint256(-position.size) : 0;
    }

    /// @inheritdoc IMarginEngine
    function accountSnapshot(address) external view returns (AccountSnapshot memory) {
        return _snapshot;
    }

    /// @inheritdoc IMarginEngine
    function openInterest(uint256) external view returns (uint256, uint256) {
        return (longSize, shortSize);
    }

    /// @inheritdoc IMarginEngine
    function reducePosition(address account, uint256 market, uint256, address, uint256) external {
        if (reentry == Reentry.Deleverage) module.deleverage(account, market);
        if (reentry == Reentry.RefreshDepth) module.refreshDepth(market);
    }
}
