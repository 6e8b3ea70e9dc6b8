// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ILeverageCap} from "../interfaces/ILeverageCap.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IReferenceMarginEngine} from "../interfaces/IReferenceMarginEngine.sol";
import {IOptionsRiskHook} from "../interfaces/IOptionsRiskHook.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";

/// @title LeverageCap
/// @notice A BASELINE policy (static or tiered leverage caps) for the reference engine. See `ILeverageCap`.
contract LeverageCap is ILeverageCap {
    uint256 private constant _WAD = 1e18;

    /// @inheritdoc ILeverageCap
    IReferenceMarginEngine public immutable engine;
    Tier[] private _tiers;

    /// @param engine_ The engine whose accounts are checked.
    /// @param tiers_ Margin tiers by increasing notional ceiling; the last should have the largest ceiling.
    constructor(IReferenceMarginEngine engine_, Tier[] memory tiers_) {
        engine = engine_;
        for (uint256 i; i < tiers_.length; ++i) {
            bool ordered =
                i == 0 ||
                    (tiers_[i].maxNotional > tiers_[i - 1].maxNotional &&
                        tiers_[i].maxLeverage <= tiers_[i - 1].maxLeverage);
            if (!ordered || tiers_[i].maxLeverage < _WAD) revert InvalidTiers(i);
            _tiers.push(tiers_[i]);
        }
        if (tiers_.length == 0) revert InvalidTiers(0);
    }

    /// @inheritdoc IRiskHook
    function validateIncrease(address account, uint256 market) external view {
        (uint256 initialMargin, int256 equity) = _margin(account, type(uint256).max);
        if (equity < 0 || initialMargin > uint256(equity)) revert LeverageExceeded(market, initialMargin, equity);
    }

    /// @inheritdoc IRiskHook
    function validateAccount(address account) external view {
        (uint256 initialMargin, int256 equity) = _margin(account, type(uint256).max);
        if (equity < 0 || initialMargin > uint256(equity)) revert LeverageExceeded(0, initialMargin, equity);
    }

    /// @inheritdoc IOptionsRiskHook
    /// @dev A leverage cap does not size options: an options trade passes when the account's perpetuals still
    /// fit their tiers (the engine's own maintenance margin is the only limit on the options, as on venues that
    /// margin options by premium and a fixed short-option requirement).
    function validateOptionsTrade(address account, uint256 market, IOptionsEngine.Greeks calldata) external view {
        (uint256 initialMargin, int256 equity) = _margin(account, type(uint256).max);
        if (equity < 0 || initialMargin > uint256(equity)) revert LeverageExceeded(market, initialMargin, equity);
    }

    /// @inheritdoc ILeverageCap
    function tiers() external view returns (Tier[] memory) {
        return _tiers;
    }

    /// @inheritdoc ILeverageCap
    function maxNotional(address account, uint256 market) external view returns (uint256 best) {
        (uint256 others, int256 equity) = _margin(account, market);
        if (equity <= 0 || others >= uint256(equity)) return 0;
        uint256 room = uint256(equity) - others;
        // N / L(N) is increasing in N: the answer is the largest N that fits in some tier.
        uint256 floor;
        for (uint256 i; i < _tiers.length; ++i) {
            uint256 candidate = Math.min(Math.mulDiv(room, _tiers[i].maxLeverage, _WAD), _tiers[i].maxNotional);
            if (candidate > floor) best = candidate;
            floor = _tiers[i].maxNotional;
        }
    }

    /// @dev Total initial margin of the account's positions (skipping `skipMarket`) and its equity.
    function _margin(address account, uint256 skipMarket) private view returns (uint256 initialMargin, int256 equity) {
        IMarginEngine.AccountSnapshot memory snapshot = engine.accountSnapshot(account);
        for (uint256 i; i < snapshot.positions.length; ++i) {
            IMarginEngine.PositionSnapshot memory p = snapshot.positions[i];
            if (p.market == skipMarket) continue;
            uint256 size = p.size >= 0 ? uint256(p.size) : uint256(-p.size);
            uint256 notional = Math.mulDiv(size, engine.markPrice(p.market), _WAD);
            initialMargin += Math.mulDiv(notional, _WAD, _leverage(notional), Math.Rounding.Ceil);
        }
        equity = engine.margin(account).equity;
    }

    function _leverage(uint256 notional) private view returns (uint256) {
        for (uint256 i; i < _tiers.length; ++i) {
            if (notional <= _tiers[i].maxNotional) return _tiers[i].maxLeverage;
        }
        return _tiers[_tiers.length - 1].maxLeverage;
    }
}
