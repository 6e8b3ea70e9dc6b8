// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IHedgingEngine} from "../interfaces/IHedgingEngine.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IReferenceMarginEngine} from "../interfaces/IReferenceMarginEngine.sol";
import {IReferenceOptionsEngine} from "../interfaces/IReferenceOptionsEngine.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";
import {ChainlinkReader} from "../libraries/ChainlinkReader.sol";

/// @title ReferenceMarginEngine
/// @notice A REFERENCE cross-margin perpetuals engine integrating Ballast, NOT a production engine. See
/// `IReferenceMarginEngine` for its accounting, its integration with the risk module and its owner's powers.
contract ReferenceMarginEngine is IReferenceMarginEngine, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant _WAD = 1e18;
    /// @dev Bounds the work of snapshots and liquidations.
    uint256 public constant MAX_POSITIONS = 16;
    uint256 public constant MAX_COLLATERALS = 8;

    struct MarketState {
        Market config;
        uint8 feedDecimals;
        bool listed;
        uint128 longSize;
        uint128 shortSize;
    }

    struct CollateralState {
        Collateral config;
        uint8 feedDecimals;
        uint8 tokenDecimals;
        bool listed;
    }

    struct Position {
        int256 size;
        uint256 entryPrice;
    }

    /// @inheritdoc IReferenceMarginEngine
    IRiskHook public riskModule;
    /// @inheritdoc IReferenceMarginEngine
    uint256 public badDebt;
    /// @inheritdoc IReferenceMarginEngine
    IReferenceOptionsEngine public optionsEngine;
    /// @inheritdoc IHedgingEngine
    mapping(address account => mapping(address hedger => bool approved)) public isHedger;

    mapping(uint256 market => MarketState state) private _markets;
    mapping(address asset => CollateralState state) private _collaterals;
    mapping(address account => mapping(uint256 market => Position position)) private _positions;
    mapping(address account => uint256[] markets) private _openMarkets;
    mapping(address account => mapping(address asset => uint256 amount)) private _balances;
    mapping(address account => address[] assets) private _assets;
    mapping(address account => int256 ledger) private _ledgers;

    constructor(address owner_) Ownable(owner_) {}

    modifier onlyRiskModule() {
        if (msg.sender != address(riskModule)) revert NotRiskModule(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- owner

    /// @inheritdoc IReferenceMarginEngine
    function listCollateral(address asset, Collateral calldata collateral) external onlyOwner {
        if (asset == address(0) || address(collateral.feed) == address(0)) revert InvalidListing(0);
        uint8 tokenDecimals = IERC20Metadata(asset).decimals();
        uint8 feedDecimals = collateral.feed.decimals();
        if (tokenDecimals > 18 || feedDecimals > 18) revert InvalidListing(Math.max(tokenDecimals, feedDecimals));
        _collaterals[asset] = CollateralState(collateral, feedDecimals, tokenDecimals, true);
        emit CollateralListed(asset, collateral);
    }

    /// @inheritdoc IReferenceMarginEngine
    function listMarket(uint256 market, Market calldata config) external onlyOwner {
        if (address(config.feed) == address(0)) revert InvalidListing(0);
        if (config.maintenanceMargin == 0 || config.maintenanceMargin > _WAD / 2) {
            revert InvalidListing(config.maintenanceMargin);
        }
        if (config.liquidationBonus > config.maintenanceMargin) revert InvalidListing(config.liquidationBonus);
        uint8 feedDecimals = config.feed.decimals();
        if (feedDecimals > 18) revert InvalidListing(feedDecimals);
        MarketState storage state = _markets[market];
        state.config = config;
        state.feedDecimals = feedDecimals;
        state.listed = true;
        emit MarketListed(market, config);
    }

    /// @inheritdoc IReferenceMarginEngine
    function setRiskModule(IRiskHook riskModule_) external onlyOwner {
        if (address(riskModule) != address(0)) revert RiskModuleAlreadySet(address(riskModule));
        riskModule = riskModule_;
        emit RiskModuleSet(address(riskModule_));
    }

    /// @inheritdoc IReferenceMarginEngine
    function setOptionsEngine(IReferenceOptionsEngine optionsEngine_) external onlyOwner {
        if (address(optionsEngine) != address(0)) revert OptionsEngineAlreadySet(address(optionsEngine));
        optionsEngine = optionsEngine_;
        emit OptionsEngineSet(address(optionsEngine_));
    }

    // ---------------------------------------------------------------- users

    /// @inheritdoc IHedgingEngine
    function approveHedger(address hedger, bool approved) external {
        isHedger[msg.sender][hedger] = approved;
        emit HedgerApproved(msg.sender, hedger, approved);
    }

    /// @inheritdoc IReferenceMarginEngine
    function deposit(address asset, uint256 amount) external nonReentrant {
        if (!_collaterals[asset].listed) revert UnknownCollateral(asset);
        if (amount == 0) revert ZeroAmount();
        if (_balances[msg.sender][asset] == 0) {
            if (_assets[msg.sender].length == MAX_COLLATERALS) revert TooManyPositions(MAX_COLLATERALS);
            _assets[msg.sender].push(asset);
        }
        _balances[msg.sender][asset] += amount;
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, asset, amount);
    }

    /// @inheritdoc IReferenceMarginEngine
    function withdraw(address asset, uint256 amount) external nonReentrant {
        uint256 balance = _balances[msg.sender][asset];
        if (amount == 0) revert ZeroAmount();
        if (amount > balance) revert InsufficientCollateral(asset, balance, amount);
        _setBalance(msg.sender, asset, balance - amount);
        if (_openMarkets[msg.sender].length != 0 || _optionsValue(msg.sender) != 0) {
            riskModule.validateAccount(msg.sender);
            _requireMaintenance(msg.sender);
        }
        IERC20(asset).safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, asset, amount);
    }

    /// @inheritdoc IReferenceMarginEngine
    function trade(uint256 market, int256 sizeDelta) external nonReentrant {
        _trade(msg.sender, market, sizeDelta);
    }

    /// @inheritdoc IHedgingEngine
    function tradeFor(address account, uint256 market, int256 sizeDelta) external nonReentrant {
        if (!isHedger[account][msg.sender]) revert NotHedger(account, msg.sender);
        _trade(account, market, sizeDelta);
    }

    /// @inheritdoc IReferenceMarginEngine
    function liquidate(address account) external nonReentrant {
        Margin memory m = _margin(account);
        if (m.equity >= int256(m.requirement)) revert NotLiquidatable(m.equity, m.requirement);
        uint256 closed;
        uint256 bonus;
        uint256[] memory markets = _openMarkets[account];
        for (uint256 i; i < markets.length; ++i) {
            uint256 market = markets[i];
            uint256 price = _price(market);
            closed += Math.mulDiv(_abs(_positions[account][market].size), price, _WAD);
            bonus += Math.mulDiv(
                Math.mulDiv(_abs(_positions[account][market].size), price, _WAD),
                _markets[market].config.liquidationBonus,
                _WAD
            );
            _applyTrade(account, market, 0, price);
        }
        if (address(optionsEngine) != address(0)) {
            int256 value = optionsEngine.closeBook(account);
            _ledgers[account] += value;
        }
        _ledgers[account] -= int256(bonus);
        _ledgers[msg.sender] += int256(bonus);
        int256 equity = int256(_collateralValue(account)) + _ledgers[account];
        uint256 shortfall;
        if (equity < 0) {
            // Insolvent: seize all collateral and record the shortfall as bad debt.
            shortfall = uint256(-equity);
            badDebt += shortfall;
            _seize(account, type(uint256).max);
            _ledgers[account] = 0;
        } else {
            _settle(account);
        }
        emit Liquidated(account, msg.sender, closed, bonus, shortfall);
    }

    // ---------------------------------------------------------------- risk module

    /// @inheritdoc IMarginEngine
    function reducePosition(
        address account,
        uint256 market,
        uint256 sizeDelta,
        address keeper,
        uint256 keeperFee
    ) external onlyRiskModule nonReentrant {
        int256 size = _positions[account][market].size;
        if (sizeDelta > _abs(size)) revert ReduceTooLarge(_abs(size), sizeDelta);
        int256 next = size > 0 ? size - int256(sizeDelta) : size + int256(sizeDelta);
        _applyTrade(account, market, next, _price(market));
        _ledgers[account] -= int256(keeperFee);
        _ledgers[keeper] += int256(keeperFee);
        _settle(account);
        emit KeeperPaid(account, keeper, keeperFee);
    }

    /// @inheritdoc IReferenceMarginEngine
    function creditOptions(address account, int256 amount) external {
        if (msg.sender != address(optionsEngine)) revert NotOptionsEngine(msg.sender);
        _ledgers[account] += amount;
        _settle(account);
    }

    /// @inheritdoc IReferenceMarginEngine
    function checkMaintenance(address account) external view {
        _requireMaintenance(account);
    }

    /// @inheritdoc IOptionsEngine
    function bookGreeks(address account, uint256 market) external view returns (Greeks memory greeks) {
        if (address(optionsEngine) != address(0)) return optionsEngine.bookGreeks(account, market);
    }

    /// @inheritdoc IOptionsEngine
    function instrumentGreeks(uint256 instrument) external view returns (uint256 market, Greeks memory perUnit) {
        if (address(optionsEngine) == address(0)) revert UnknownMarket(instrument);
        return optionsEngine.instrumentGreeks(instrument);
    }

    /// @inheritdoc IMarginEngine
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot) {
        address[] storage assets = _assets[account];
        snapshot.collateral = new CollateralBalance[](assets.length);
        for (uint256 i; i < assets.length; ++i) {
            snapshot.collateral[i] = CollateralBalance(assets[i], _balances[account][assets[i]]);
        }
        uint256[] storage markets = _openMarkets[account];
        snapshot.positions = new PositionSnapshot[](markets.length);
        for (uint256 i; i < markets.length; ++i) {
            Position storage p = _positions[account][markets[i]];
            snapshot.positions[i] = PositionSnapshot(markets[i], p.size, p.entryPrice);
        }
        snapshot.adjustments = _ledgers[account] + _optionsValue(account);
    }

    /// @inheritdoc IMarginEngine
    function openInterest(uint256 market) external view returns (uint256 longSize, uint256 shortSize) {
        MarketState storage state = _markets[market];
        return (state.longSize, state.shortSize);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IReferenceMarginEngine
    function margin(address account) external view returns (Margin memory) {
        return _margin(account);
    }

    /// @inheritdoc IReferenceMarginEngine
    function markPrice(uint256 market) external view returns (uint256) {
        return _price(market);
    }

    /// @inheritdoc IReferenceMarginEngine
    function liquidatable(address[] calldata accounts) external view returns (bool[] memory result) {
        result = new bool[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            Margin memory m = _margin(accounts[i]);
            result[i] = m.equity < int256(m.requirement);
        }
    }

    /// @inheritdoc IReferenceMarginEngine
    function position(address account, uint256 market) external view returns (int256 size, uint256 entryPrice) {
        Position storage p = _positions[account][market];
        return (p.size, p.entryPrice);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Moves the position to `next` at `price`: realizes PnL on the closed part, averages the entry price
    /// on the opened part, and keeps open interest and the account's market list current.
    function _applyTrade(address account, uint256 market, int256 next, uint256 price) private {
        Position storage p = _positions[account][market];
        int256 before = p.size;
        int256 realized;
        bool flips = before != 0 && next != 0 && (before > 0) != (next > 0);
        if (before != 0 && (flips || _abs(next) < _abs(before))) {
            uint256 closedSize = flips ? _abs(before) : _abs(before) - _abs(next);
            realized = _pnl(before > 0, closedSize, p.entryPrice, price);
            _ledgers[account] += realized;
            if (realized < 0) _settle(account);
        }
        if (next == 0) {
            p.entryPrice = 0;
        } else if (flips || before == 0) {
            p.entryPrice = price;
        } else if (_abs(next) > _abs(before)) {
            p.entryPrice = (_abs(before) * p.entryPrice + (_abs(next) - _abs(before)) * price) / _abs(next);
        }
        p.size = next;
        MarketState storage state = _markets[market];
        if (before > 0) state.longSize -= uint128(uint256(before));
        else state.shortSize -= uint128(_abs(before));
        if (next > 0) state.longSize += uint128(uint256(next));
        else state.shortSize += uint128(_abs(next));
        if (before == 0 && next != 0) {
            if (_openMarkets[account].length == MAX_POSITIONS) revert TooManyPositions(MAX_POSITIONS);
            _openMarkets[account].push(market);
        } else if (before != 0 && next == 0) {
            _remove(_openMarkets[account], market);
        }
        emit PositionChanged(account, market, before, next, price, realized);
    }

    /// @dev Margin at the latest positive prices (freshness is the risk module's check for increases).
    function _margin(address account) private view returns (Margin memory m) {
        m.collateralValue = _collateralValue(account);
        m.ledger = _ledgers[account];
        uint256[] storage markets = _openMarkets[account];
        for (uint256 i; i < markets.length; ++i) {
            uint256 market = markets[i];
            Position storage p = _positions[account][market];
            uint256 price = _price(market);
            m.unrealizedPnl += _pnl(p.size > 0, _abs(p.size), p.entryPrice, price);
            m.requirement += Math.mulDiv(
                Math.mulDiv(_abs(p.size), price, _WAD),
                _markets[market].config.maintenanceMargin,
                _WAD
            );
        }
        if (address(optionsEngine) != address(0)) {
            m.optionsValue = optionsEngine.markValue(account);
            m.requirement += optionsEngine.requirement(account);
        }
        m.equity = int256(m.collateralValue) + m.ledger + m.unrealizedPnl + m.optionsValue;
    }

    function _optionsValue(address account) private view returns (int256) {
        return address(optionsEngine) == address(0) ? int256(0) : optionsEngine.markValue(account);
    }

    /// @dev A perpetual trade of `account`; increases are validated by the risk module after effects.
    function _trade(address account, uint256 market, int256 sizeDelta) private {
        if (!_markets[market].listed) revert UnknownMarket(market);
        if (sizeDelta == 0) revert ZeroAmount();
        int256 before = _positions[account][market].size;
        int256 next = before + sizeDelta;
        bool increase = _abs(next) > _abs(before) || (before != 0 && next != 0 && (before > 0) != (next > 0));
        // Trades execute at any positive price, so reductions are never blocked by a stale feed; an increase
        // is then validated by the risk module, which fails closed on every oracle fault (section 6).
        _applyTrade(account, market, next, _price(market));
        if (increase) {
            riskModule.validateIncrease(account, market);
            _requireMaintenance(account);
        }
    }

    /// @dev Pays a negative ledger (realized losses, fees, a liquidation bonus) out of collateral at oracle
    /// prices, as far as the collateral goes: losses come out of margin, so the ledger is never a USD debt
    /// backed by collateral whose value moves (which no position cap would see).
    function _settle(address account) private {
        int256 ledger = _ledgers[account];
        if (ledger < 0) _ledgers[account] = ledger + int256(_seize(account, uint256(-ledger)));
    }

    /// @dev Moves collateral worth up to `value` (WAD USD, at oracle prices) from the account to the engine's
    /// reserve (the tokens stay in the engine, owned by no account), asset by asset. Returns the value seized.
    function _seize(address account, uint256 value) private returns (uint256 seized) {
        address[] memory assets = _assets[account];
        for (uint256 i; i < assets.length && seized < value; ++i) {
            CollateralState storage c = _collaterals[assets[i]];
            ChainlinkReader.Reading memory r = ChainlinkReader.read(c.config.feed, 0, ChainlinkReader.Level.Positive);
            // Without a price the asset cannot be credited: it is left in the account, never seized for nothing.
            if (!r.ok) continue;
            uint256 price = r.answer * 10 ** (18 - c.feedDecimals);
            uint256 balance = _balances[account][assets[i]];
            uint256 worth = Math.mulDiv(balance * 10 ** (18 - c.tokenDecimals), price, _WAD);
            uint256 amount = balance;
            if (value != type(uint256).max && worth > value - seized) {
                amount = Math.mulDiv(value - seized, _WAD, price * 10 ** (18 - c.tokenDecimals), Math.Rounding.Ceil);
                if (amount > balance) amount = balance;
                worth = Math.mulDiv(amount * 10 ** (18 - c.tokenDecimals), price, _WAD);
            }
            _setBalance(account, assets[i], balance - amount);
            seized += worth;
            emit CollateralSeized(account, assets[i], amount, worth);
        }
    }

    function _requireMaintenance(address account) private view {
        Margin memory m = _margin(account);
        if (m.equity < int256(m.requirement)) revert BelowMaintenance(m.equity, m.requirement);
    }

    function _collateralValue(address account) private view returns (uint256 value) {
        address[] storage assets = _assets[account];
        for (uint256 i; i < assets.length; ++i) {
            CollateralState storage c = _collaterals[assets[i]];
            ChainlinkReader.Reading memory r = ChainlinkReader.read(c.config.feed, 0, ChainlinkReader.Level.Positive);
            if (!r.ok) revert PriceUnavailable(address(c.config.feed));
            value += Math.mulDiv(
                _balances[account][assets[i]] * 10 ** (18 - c.tokenDecimals),
                r.answer * 10 ** (18 - c.feedDecimals),
                _WAD
            );
        }
    }

    /// @dev The market price in WAD, from the latest positive round.
    function _price(uint256 market) private view returns (uint256) {
        MarketState storage state = _markets[market];
        ChainlinkReader.Reading memory r = ChainlinkReader.read(state.config.feed, 0, ChainlinkReader.Level.Positive);
        if (!r.ok) revert PriceUnavailable(address(state.config.feed));
        return r.answer * 10 ** (18 - state.feedDecimals);
    }

    function _setBalance(address account, address asset, uint256 amount) private {
        _balances[account][asset] = amount;
        if (amount == 0) _removeAddress(_assets[account], asset);
    }

    function _pnl(bool isLong, uint256 size, uint256 entry, uint256 price) private pure returns (int256) {
        int256 move = int256(price) - int256(entry);
        int256 pnl = int256(Math.mulDiv(size, _abs(move), _WAD));
        return (move >= 0) == isLong ? pnl : -pnl;
    }

    function _remove(uint256[] storage list, uint256 value) private {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == value) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    function _removeAddress(address[] storage list, address value) private {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == value) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
