// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";
import {IExampleMarginEngine} from "./IExampleMarginEngine.sol";

/// @title ExampleMarginEngine
/// @notice The minimal Ballast integration (see `IExampleMarginEngine`). AN EXAMPLE, NOT A PRODUCTION ENGINE.
contract ExampleMarginEngine is IExampleMarginEngine {
    using SafeERC20 for IERC20;

    struct Position {
        int256 size;
        uint256 entryPrice;
    }

    /// @notice Most markets the engine lists (bounds the work of a snapshot).
    uint256 public constant MAX_MARKETS = 8;
    address private immutable _owner;
    uint256 private immutable _scale; // 10 ** (18 - collateral decimals)
    /// @inheritdoc IExampleMarginEngine
    address public immutable collateral;
    /// @inheritdoc IExampleMarginEngine
    IRiskHook public riskModule;

    uint256[] private _marketIds;
    mapping(uint256 market => Market config) private _markets;
    mapping(uint256 market => uint256[2] longShort) private _openInterest;
    mapping(address account => uint256 amount) private _collateral;
    mapping(address account => int256 ledger) private _ledger;
    mapping(address account => uint256 count) private _openPositions;
    mapping(address account => mapping(uint256 market => Position position)) private _positions;

    constructor(address owner_, address collateral_) {
        _owner = owner_;
        collateral = collateral_;
        _scale = 10 ** (18 - IERC20Metadata(collateral_).decimals());
    }

    /// @inheritdoc IExampleMarginEngine
    function listMarket(uint256 market, IAggregatorV3 feed, uint64 maintenanceMargin) external {
        if (msg.sender != _owner) revert NotOwner(msg.sender);
        bool invalid = address(_markets[market].feed) != address(0) || _marketIds.length == MAX_MARKETS;
        if (invalid || maintenanceMargin == 0 || maintenanceMargin > 0.5e18) revert InvalidMarket(market);
        _markets[market] = Market(feed, feed.decimals(), maintenanceMargin);
        _marketIds.push(market);
        emit MarketListed(market, feed, maintenanceMargin);
    }

    /// @inheritdoc IExampleMarginEngine
    function setRiskModule(IRiskHook riskModule_) external {
        if (msg.sender != _owner) revert NotOwner(msg.sender);
        if (address(riskModule) != address(0)) revert RiskModuleAlreadySet(address(riskModule));
        riskModule = riskModule_;
        emit RiskModuleSet(address(riskModule_));
    }

    /// @inheritdoc IExampleMarginEngine
    function deposit(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _collateral[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
        IERC20(collateral).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IExampleMarginEngine
    function withdraw(uint256 amount) external {
        uint256 balance = _collateral[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > balance) revert InsufficientCollateral(balance, amount);
        _collateral[msg.sender] = balance - amount;
        // Hook 2: an action that lowers equity without a trade, validated after its effect.
        if (_openPositions[msg.sender] != 0) {
            riskModule.validateAccount(msg.sender);
            _requireMaintenance(msg.sender);
        }
        emit Withdrawn(msg.sender, amount);
        IERC20(collateral).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IExampleMarginEngine
    function trade(uint256 market, int256 sizeDelta) external {
        if (sizeDelta == 0) revert ZeroAmount();
        int256 before = _positions[msg.sender][market].size;
        int256 next = before + sizeDelta;
        _move(msg.sender, market, next);
        // Hook 1: an increase or a flip, validated after every effect; a reduction never calls the module.
        if (_abs(next) > _abs(before) || (before > 0 && next < 0) || (before < 0 && next > 0)) {
            riskModule.validateIncrease(msg.sender, market);
            _requireMaintenance(msg.sender);
        }
    }

    /// @inheritdoc IExampleMarginEngine
    function liquidate(address account) external {
        (int256 equity, uint256 requirement) = margin(account);
        if (equity >= int256(requirement)) revert NotLiquidatable(equity, requirement);
        for (uint256 i; i < _marketIds.length; ++i) {
            if (_positions[account][_marketIds[i]].size != 0) _move(account, _marketIds[i], 0);
        }
        emit Liquidated(account, msg.sender, equity, requirement);
    }

    /// @inheritdoc IMarginEngine
    function reducePosition(
        address account,
        uint256 market,
        uint256 sizeDelta,
        address keeper,
        uint256 keeperFee
    ) external {
        if (msg.sender != address(riskModule)) revert NotRiskModule(msg.sender);
        int256 size = _positions[account][market].size;
        if (sizeDelta > _abs(size)) revert ReduceTooLarge(_abs(size), sizeDelta);
        _move(account, market, size > 0 ? size - int256(sizeDelta) : size + int256(sizeDelta));
        _ledger[account] -= int256(keeperFee);
        _ledger[keeper] += int256(keeperFee);
        emit KeeperPaid(account, keeper, keeperFee);
    }

    /// @inheritdoc IMarginEngine
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot) {
        uint256 amount = _collateral[account];
        snapshot.collateral = new CollateralBalance[](amount == 0 ? 0 : 1);
        if (amount != 0) snapshot.collateral[0] = CollateralBalance(collateral, amount);
        snapshot.positions = new PositionSnapshot[](_openPositions[account]);
        uint256 count;
        for (uint256 i; i < _marketIds.length; ++i) {
            Position storage p = _positions[account][_marketIds[i]];
            if (p.size != 0) snapshot.positions[count++] = PositionSnapshot(_marketIds[i], p.size, p.entryPrice);
        }
        snapshot.adjustments = _ledger[account];
    }

    /// @inheritdoc IMarginEngine
    function openInterest(uint256 market) external view returns (uint256 longSize, uint256 shortSize) {
        return (_openInterest[market][0], _openInterest[market][1]);
    }

    /// @inheritdoc IExampleMarginEngine
    function position(address account, uint256 market) external view returns (int256 size, uint256 entryPrice) {
        return (_positions[account][market].size, _positions[account][market].entryPrice);
    }

    /// @inheritdoc IExampleMarginEngine
    function margin(address account) public view returns (int256 equity, uint256 requirement) {
        equity = int256(_collateral[account] * _scale) + _ledger[account];
        for (uint256 i; i < _marketIds.length; ++i) {
            Position storage p = _positions[account][_marketIds[i]];
            if (p.size == 0) continue;
            uint256 price = _price(_marketIds[i]);
            equity += ((int256(price) - int256(p.entryPrice)) * p.size) / 1e18;
            requirement += (((_abs(p.size) * price) / 1e18) * _markets[_marketIds[i]].maintenanceMargin) / 1e18;
        }
    }

    /// @dev Moves the position to `next` at the oracle price: realizes PnL on the closed part into the ledger,
    /// averages the entry price on the opened part, keeps open interest, and emits `PositionChanged`.
    function _move(address account, uint256 market, int256 next) private {
        uint256 price = _price(market);
        Position storage p = _positions[account][market];
        int256 before = p.size;
        bool flips = (before > 0 && next < 0) || (before < 0 && next > 0);
        int256 closed = flips || next == 0 ? before : (_abs(next) < _abs(before) ? before - next : int256(0));
        int256 realized = ((int256(price) - int256(p.entryPrice)) * closed) / 1e18;
        _ledger[account] += realized;
        if (next == 0) p.entryPrice = 0;
        else if (flips || before == 0) p.entryPrice = price;
        else if (_abs(next) > _abs(before)) {
            p.entryPrice = (_abs(before) * p.entryPrice + (_abs(next) - _abs(before)) * price) / _abs(next);
        }
        p.size = next;
        if (before == 0) ++_openPositions[account];
        if (next == 0) --_openPositions[account];
        _openInterest[market][before > 0 ? 0 : 1] -= _abs(before);
        _openInterest[market][next > 0 ? 0 : 1] += _abs(next);
        emit PositionChanged(account, market, before, next, price, realized);
    }

    function _requireMaintenance(address account) private view {
        (int256 equity, uint256 requirement) = margin(account);
        if (equity < int256(requirement)) revert BelowMaintenance(equity, requirement);
    }

    /// @dev The market's latest positive Chainlink answer in WAD (freshness is the module's check for increases).
    function _price(uint256 market) private view returns (uint256) {
        Market storage m = _markets[market];
        if (address(m.feed) == address(0)) revert UnknownMarket(market);
        (, int256 answer, , , ) = m.feed.latestRoundData();
        if (answer <= 0) revert PriceUnavailable(address(m.feed));
        return uint256(answer) * 10 ** (18 - m.feedDecimals);
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
