// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IAggregatorV3} from "./interfaces/external/IAggregatorV3.sol";

import {IMarginEngine} from "./interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "./interfaces/IOptionsEngine.sol";
import {IRiskAdmin} from "./interfaces/IRiskAdmin.sol";
import {IRiskModule} from "./interfaces/IRiskModule.sol";
import {IVolatilityOracle} from "./interfaces/IVolatilityOracle.sol";
import {RiskMath} from "./libraries/RiskMath.sol";
import {GovernanceLogic} from "./logic/GovernanceLogic.sol";
import {ConfigStore} from "./logic/ConfigStore.sol";
import {CollateralMeta, GREEKS_MARKETS_CAPACITY, MarketMeta, PendingChange, RiskState} from "./logic/RiskState.sol";

/// @title RiskConfig
/// @notice Configuration storage and bounded governance of the risk module (RISK-MODEL.md section 8).
/// @dev Every setter checks every field against the hard bounds below (`InvalidConfig(field, value)`);
/// the risk admin changes a market or asset at most once per `CONFIG_COOLDOWN`; the risk oracle moves one
/// numeric parameter by at most `MAX_ORACLE_CHANGE` per update and once per `ORACLE_COOLDOWN`. See
/// `IRiskModule` for what each role can and cannot do.
abstract contract RiskConfig is IRiskModule, AccessControlDefaultAdminRules {
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    bytes32 public constant RISK_ORACLE_ROLE = keccak256("RISK_ORACLE_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 public constant CONFIG_COOLDOWN = 1 hours;
    uint256 public constant ORACLE_COOLDOWN = 1 hours;
    uint256 public constant MAX_ORACLE_CHANGE = 0.25e18;
    /// @notice How long a tightening change of the risk admin waits, in public, before anyone may execute it.
    uint256 public constant GOVERNANCE_DELAY = 1 days;
    /// @notice Most markets with Greeks sizing (each adds an engine call to every withdrawal check).
    uint256 public constant MAX_GREEKS_MARKETS = GREEKS_MARKETS_CAPACITY;

    uint256 internal constant _WAD = 1e18;

    /// @dev All storage of the module.
    RiskState private _s;

    /// @dev Hard bounds: [min, max] per field.
    uint256 private constant _MAX_PRICE_AGE = 2 days;
    uint256 private constant _MIN_PERIOD = 60;
    uint256 private constant _MIN_MARGIN = 0.001e18;
    uint256 private constant _MAX_MARGIN = 0.5e18;
    uint256 private constant _MIN_Z = 1e18;
    uint256 private constant _MIN_KAPPA = 0.0001e18;
    uint256 private constant _MIN_KAPPA_OI = 0.01e18;
    uint256 private constant _MAX_KAPPA_OI = 10e18;
    uint256 private constant _MIN_SIGMA = 0.01e18;
    uint256 private constant _MIN_DEVIATION = 0.001e18;
    uint256 private constant _MAX_DEVIATION = 0.5e18;
    uint256 private constant _MAX_TAU = 0.5e18;
    uint256 private constant _MAX_DAY = 1 days;
    uint256 private constant _MIN_WALK_STEPS = 8;
    uint256 private constant _MAX_WALK_STEPS = 512;
    uint256 private constant _MIN_SLIPPAGE = 0.001e18;
    uint256 private constant _MAX_SLIPPAGE = 0.2e18;
    uint256 private constant _MIN_RHO = 0.01e18;
    uint256 private constant _MIN_RISE = 0.001e18;
    uint256 private constant _MAX_FEE_RATE = 0.01e18;
    uint256 private constant _MAX_FEE = 10_000e18;
    uint256 private constant _MAX_HAIRCUT = 0.99e18;
    uint256 private constant _MAX_TIER = 7;
    uint256 private constant _MAX_LEVERAGE = 100e18;
    uint256 private constant _MIN_VOL_SHOCK = 0.01e18;
    uint256 private constant _MAX_VOL_SHOCK = 5e18;
    uint256 private constant _MAX_BUFFER = 0.9e18;
    uint256 private constant _MIN_HEDGE_INTERVAL = 12;
    /// @dev A gap floor of 1.0 is a fall of 63 % (a rise of 172 %) within one horizon.
    uint256 private constant _MAX_GAP = 1e18;

    /// @inheritdoc IRiskModule
    IMarginEngine public immutable override engine;
    /// @inheritdoc IRiskModule
    IVolatilityOracle public immutable override volatilityOracle;

    constructor(
        IMarginEngine engine_,
        IVolatilityOracle volatilityOracle_,
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (address(engine_) == address(0)) revert InvalidConfig(ConfigField.Engine, 0);
        if (address(volatilityOracle_) == address(0)) revert InvalidConfig(ConfigField.VolatilityOracle, 0);
        engine = engine_;
        volatilityOracle = volatilityOracle_;
    }

    /// @inheritdoc IRiskAdmin
    function configureMarket(uint256 market, MarketConfig calldata config) external onlyRole(RISK_ADMIN_ROLE) {
        _cooldown(_key("market", market), CONFIG_COOLDOWN);
        MarketMeta memory meta = _checkMarketListing(config);
        if (_state().markets[market].listed && GovernanceLogic.marketTightens(_state(), market, config)) {
            emit MarketConfigProposed(market, config, _propose(_key("market", market), abi.encode(config)));
        } else {
            _applyMarket(market, config, meta);
        }
    }

    /// @inheritdoc IRiskAdmin
    function executeMarketConfig(uint256 market, MarketConfig calldata config) external {
        _takeProposal(_key("market", market), abi.encode(config));
        _applyMarket(market, config, _checkMarketListing(config));
    }

    /// @inheritdoc IRiskAdmin
    function configureCollateral(address asset, CollateralConfig calldata config) external onlyRole(RISK_ADMIN_ROLE) {
        if (asset == address(0)) revert InvalidConfig(ConfigField.Asset, 0);
        bytes32 key = _key("collateral", uint160(asset));
        _cooldown(key, CONFIG_COOLDOWN);
        CollateralMeta memory meta = _checkCollateral(asset, config);
        if (_state().collaterals[asset].listed && GovernanceLogic.collateralTightens(_state(), asset, config)) {
            emit CollateralConfigProposed(asset, config, _propose(key, abi.encode(config)));
        } else {
            _applyCollateral(asset, config, meta);
        }
    }

    /// @inheritdoc IRiskAdmin
    function executeCollateralConfig(address asset, CollateralConfig calldata config) external {
        _takeProposal(_key("collateral", uint160(asset)), abi.encode(config));
        _applyCollateral(asset, config, _checkCollateral(asset, config));
    }

    /// @inheritdoc IRiskAdmin
    function configureGreeks(uint256 market, GreeksConfig calldata config) external onlyRole(RISK_ADMIN_ROLE) {
        _marketConfig(market);
        bytes32 key = _key("greeks", market);
        bool configured = _state().changedAt[key] != 0;
        _cooldown(key, CONFIG_COOLDOWN);
        _checkGreeks(market, config);
        if (GovernanceLogic.greeksTightens(_state(), market, config) && (configured || _hasOpenInterest(market))) {
            emit GreeksConfigProposed(market, config, _propose(key, abi.encode(config)));
        } else {
            _applyGreeks(market, config);
        }
    }

    /// @inheritdoc IRiskAdmin
    function executeGreeksConfig(uint256 market, GreeksConfig calldata config) external {
        _takeProposal(_key("greeks", market), abi.encode(config));
        _checkGreeks(market, config);
        _applyGreeks(market, config);
    }

    /// @inheritdoc IRiskAdmin
    function configureTier(uint8 tier, uint256 maxLeverage) external onlyRole(RISK_ADMIN_ROLE) {
        _range(ConfigField.Tier, tier, 0, _MAX_TIER);
        _range(ConfigField.TierLeverage, maxLeverage, _WAD, _MAX_LEVERAGE);
        _cooldown(_key("tier", tier), CONFIG_COOLDOWN);
        if (maxLeverage < _state().tierLeverage[tier]) {
            emit TierProposed(tier, maxLeverage, _propose(_key("tier", tier), abi.encode(maxLeverage)));
        } else {
            _state().tierLeverage[tier] = maxLeverage;
            emit TierConfigured(tier, maxLeverage);
        }
    }

    /// @inheritdoc IRiskAdmin
    function executeTier(uint8 tier, uint256 maxLeverage) external {
        _takeProposal(_key("tier", tier), abi.encode(maxLeverage));
        _state().tierLeverage[tier] = maxLeverage;
        emit TierConfigured(tier, maxLeverage);
    }

    /// @inheritdoc IRiskAdmin
    function cancelChange(bytes32 key) external {
        if (!hasRole(RISK_ADMIN_ROLE, msg.sender) && !hasRole(GUARDIAN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, RISK_ADMIN_ROLE);
        }
        PendingChange memory pending = _state().pending[key];
        if (pending.executableAt == 0) revert ChangeNotProposed(key, bytes32(0), bytes32(0));
        delete _state().pending[key];
        emit ChangeCancelled(key, pending.hash, msg.sender);
    }

    /// @inheritdoc IRiskAdmin
    function pendingChange(bytes32 key) external view returns (bytes32 hash, uint256 executableAt) {
        PendingChange memory pending = _state().pending[key];
        return (pending.hash, pending.executableAt);
    }

    /// @inheritdoc IRiskAdmin
    function configureSequencer(address feed, uint256 gracePeriod) external onlyRole(RISK_ADMIN_ROLE) {
        _range(ConfigField.SequencerGrace, gracePeriod, 0, _MAX_DAY);
        _state().sequencerFeed = feed;
        _state().sequencerGrace = uint32(gracePeriod);
        emit SequencerConfigured(feed, gracePeriod);
    }

    /// @inheritdoc IRiskAdmin
    function updateRiskParameter(
        uint256 market,
        RiskParameter parameter,
        uint256 value
    ) external onlyRole(RISK_ORACLE_ROLE) {
        MarketConfig memory config = _marketConfig(market);
        _cooldown(keccak256(abi.encode("oracle", market, parameter)), ORACLE_COOLDOWN);
        uint256 current = _parameter(config, parameter);
        uint256 change = value > current ? value - current : current - value;
        if (change * _WAD > current * MAX_ORACLE_CHANGE) revert ParameterChangeTooLarge(parameter, current, value);
        _setParameter(config, parameter, value);
        _checkMarket(config);
        ConfigStore.storeMarket(_state(), market, config);
        emit RiskParameterUpdated(market, parameter, current, value);
    }

    /// @inheritdoc IRiskAdmin
    function pauseIncreases() external onlyRole(GUARDIAN_ROLE) {
        _state().paused = true;
        emit IncreasesPaused(msg.sender);
    }

    /// @inheritdoc IRiskAdmin
    function unpauseIncreases() external onlyRole(RISK_ADMIN_ROLE) {
        _state().paused = false;
        emit IncreasesResumed(msg.sender);
    }

    /// @inheritdoc IRiskAdmin
    function marketConfig(uint256 market) external view returns (MarketConfig memory) {
        return _marketConfig(market);
    }

    /// @inheritdoc IRiskAdmin
    function greeksConfig(uint256 market) external view returns (GreeksConfig memory) {
        return _state().greeks[market];
    }

    /// @inheritdoc IRiskAdmin
    function greeksMarkets() external view returns (uint256[] memory) {
        RiskState storage s = _state();
        uint256[] memory markets = new uint256[](s.greeksMarketCount);
        for (uint256 i; i < markets.length; ++i) markets[i] = s.greeksMarkets[i];
        return markets;
    }

    /// @inheritdoc IRiskAdmin
    function collateralConfig(address asset) external view returns (CollateralConfig memory) {
        if (!_state().collaterals[asset].listed) revert CollateralNotListed(asset);
        return ConfigStore.collateralConfig(_state(), asset);
    }

    /// @inheritdoc IRiskAdmin
    function tierLeverage(uint8 tier) external view returns (uint256) {
        return _state().tierLeverage[tier];
    }

    /// @inheritdoc IRiskAdmin
    function increasesPaused() external view returns (bool) {
        return _state().paused;
    }

    /// @inheritdoc IRiskAdmin
    function sequencer() external view returns (address feed, uint256 gracePeriod) {
        return (_state().sequencerFeed, _state().sequencerGrace);
    }

    /// @dev The module's state (read and written by its linked logic libraries through this pointer).
    function _state() internal view returns (RiskState storage) {
        return _s;
    }

    function _marketConfig(uint256 market) internal view returns (MarketConfig memory) {
        if (!_state().markets[market].listed) revert MarketNotListed(market);
        return ConfigStore.marketConfig(_state(), market);
    }

    /// @dev Every check of a market configuration, and the facts read from its feed and pool.
    function _checkMarketListing(MarketConfig calldata config) private view returns (MarketMeta memory meta) {
        _checkMarket(config);
        // Every evaluation reads the market's volatility (reverts FeedNotConfigured when the oracle lacks it).
        volatilityOracle.getVolatility(address(config.feed));
        address base = config.baseIsToken0 ? config.pool.token0() : config.pool.token1();
        address quote = config.baseIsToken0 ? config.pool.token1() : config.pool.token0();
        uint8 quoteDecimals = IERC20Metadata(quote).decimals();
        if (quoteDecimals > 18) revert InvalidConfig(ConfigField.Pool, quoteDecimals);
        meta = MarketMeta({
            listed: true,
            feedDecimals: _decimals(address(config.feed)),
            baseDecimals: IERC20Metadata(base).decimals(),
            quoteDecimals: quoteDecimals
        });
    }

    function _applyMarket(uint256 market, MarketConfig calldata config, MarketMeta memory meta) private {
        ConfigStore.storeMarket(_state(), market, config, meta);
        emit MarketConfigured(market, config);
    }

    /// @dev Every check of a collateral configuration, and the facts read from its feed and token.
    function _checkCollateral(
        address asset,
        CollateralConfig calldata config
    ) private view returns (CollateralMeta memory meta) {
        if (address(config.feed) == address(0)) revert InvalidConfig(ConfigField.Feed, 0);
        _range(ConfigField.MaxPriceAge, config.maxPriceAge, _MIN_PERIOD, _MAX_PRICE_AGE);
        if (_state().tierLeverage[config.tier] == 0) revert InvalidConfig(ConfigField.Tier, config.tier);
        _range(ConfigField.Haircut, config.baseHaircut, 0, _MAX_HAIRCUT);
        if (config.volZ != 0) {
            _range(ConfigField.Z, config.volZ, _MIN_Z, RiskMath.MAX_Z);
            _range(ConfigField.Horizon, config.volHorizon, _MIN_PERIOD, RiskMath.MAX_HORIZON);
            // The asset's own volatility must be readable (reverts FeedNotConfigured otherwise).
            volatilityOracle.getVolatility(address(config.feed));
        }
        uint8 tokenDecimals = IERC20Metadata(asset).decimals();
        if (tokenDecimals > 18) revert InvalidConfig(ConfigField.Asset, tokenDecimals);
        meta = CollateralMeta({
            listed: true,
            feedDecimals: _decimals(address(config.feed)),
            tokenDecimals: tokenDecimals
        });
    }

    function _applyCollateral(address asset, CollateralConfig calldata config, CollateralMeta memory meta) private {
        ConfigStore.storeCollateral(_state(), asset, config, meta);
        emit CollateralConfigured(asset, config);
    }

    function _checkGreeks(uint256 market, GreeksConfig calldata config) private view {
        if (!config.enabled) return;
        _range(ConfigField.VolShock, config.volShock, _MIN_VOL_SHOCK, _MAX_VOL_SHOCK);
        _range(ConfigField.GreeksBuffer, config.buffer, 0, _MAX_BUFFER);
        _range(ConfigField.HedgeInterval, config.hedgeInterval, _MIN_HEDGE_INTERVAL, _MAX_DAY);
        // The engine must report books (an engine without `IOptionsEngine` reverts here).
        try IOptionsEngine(address(engine)).bookGreeks(address(0), market) returns (IOptionsEngine.Greeks memory) {
            // supported
        } catch {
            revert InvalidConfig(ConfigField.OptionsEngine, uint160(address(engine)));
        }
    }

    function _applyGreeks(uint256 market, GreeksConfig calldata config) private {
        ConfigStore.storeGreeks(_state(), market, config);
        emit GreeksConfigured(market, config);
    }

    /// @dev Whether any position is open in `market` (either side).
    function _hasOpenInterest(uint256 market) private view returns (bool) {
        (uint256 longs, uint256 shorts) = engine.openInterest(market);
        return longs != 0 || shorts != 0;
    }

    /// @dev The key of a configurable item (its cooldown and its pending change): `keccak256(abi.encode(kind, id))`.
    function _key(string memory kind, uint256 id) private pure returns (bytes32) {
        return keccak256(abi.encode(kind, id));
    }

    /// @dev Stores `change` as the pending change of `key` (replacing any other), executable after the delay.
    function _propose(bytes32 key, bytes memory change) private returns (uint256 executableAt) {
        executableAt = block.timestamp + GOVERNANCE_DELAY;
        _state().pending[key] = PendingChange({hash: keccak256(change), executableAt: uint40(executableAt)});
    }

    /// @dev Consumes the pending change of `key`, which must be `change` and past its delay.
    function _takeProposal(bytes32 key, bytes memory change) private {
        PendingChange memory pending = _state().pending[key];
        bytes32 hash = keccak256(change);
        if (pending.executableAt == 0 || pending.hash != hash) revert ChangeNotProposed(key, pending.hash, hash);
        if (block.timestamp < pending.executableAt) revert ChangeNotReady(key, pending.executableAt);
        delete _state().pending[key];
    }

    function _checkMarket(MarketConfig memory c) private pure {
        if (address(c.feed) == address(0)) revert InvalidConfig(ConfigField.Feed, 0);
        if (address(c.pool) == address(0)) revert InvalidConfig(ConfigField.Pool, 0);
        _range(ConfigField.MaxPriceAge, c.maxPriceAge, _MIN_PERIOD, _MAX_PRICE_AGE);
        _range(ConfigField.Horizon, c.horizon, _MIN_PERIOD, RiskMath.MAX_HORIZON);
        _range(ConfigField.MaintenanceMargin, c.maintenanceMargin, _MIN_MARGIN, _MAX_MARGIN);
        _range(ConfigField.Z, c.z, _MIN_Z, RiskMath.MAX_Z);
        _range(ConfigField.Kappa, c.kappa, _MIN_KAPPA, _WAD);
        _range(ConfigField.KappaOI, c.kappaOI, _MIN_KAPPA_OI, _MAX_KAPPA_OI);
        if (c.sigmaTarget != 0) _range(ConfigField.SigmaTarget, c.sigmaTarget, _MIN_SIGMA, RiskMath.MAX_SIGMA);
        _range(ConfigField.MaxDeviation, c.maxDeviation, _MIN_DEVIATION, _MAX_DEVIATION);
        _range(ConfigField.TauTrigger, c.tauTrigger, 0, _MAX_TAU);
        _range(ConfigField.TauTarget, c.tauTarget, 0, _MAX_TAU);
        _range(ConfigField.OiCap, c.oiCapLong, 1, RiskMath.MAX_AMOUNT);
        _range(ConfigField.OiCap, c.oiCapShort, 1, RiskMath.MAX_AMOUNT);
        _range(ConfigField.TwapWindow, c.twapWindow, _MIN_PERIOD, _MAX_DAY);
        _range(ConfigField.MaxWalkSteps, c.maxWalkSteps, _MIN_WALK_STEPS, _MAX_WALK_STEPS);
        _range(ConfigField.MaxSlippage, c.maxSlippage, _MIN_SLIPPAGE, _MAX_SLIPPAGE);
        _range(ConfigField.Rho, c.rho, _MIN_RHO, _WAD);
        _range(ConfigField.DeleverageWindow, c.deleverageWindow, _MIN_PERIOD, _MAX_DAY);
        _range(ConfigField.DepthMaxAge, c.depthMaxAge, _MIN_PERIOD, _MAX_DAY);
        _range(ConfigField.DepthRisePerHour, c.depthRisePerHour, _MIN_RISE, _WAD);
        _range(ConfigField.KeeperFeeRate, c.keeperFeeRate, 0, _MAX_FEE_RATE);
        _range(ConfigField.KeeperFeeMax, c.keeperFeeMax, 0, _MAX_FEE);
        _range(ConfigField.Gap, c.gap, 0, _MAX_GAP);
    }

    function _parameter(MarketConfig memory c, RiskParameter p) private pure returns (uint256) {
        if (p == RiskParameter.Horizon) return c.horizon;
        if (p == RiskParameter.MaintenanceMargin) return c.maintenanceMargin;
        if (p == RiskParameter.Z) return c.z;
        if (p == RiskParameter.Kappa) return c.kappa;
        if (p == RiskParameter.KappaOI) return c.kappaOI;
        if (p == RiskParameter.SigmaTarget) return c.sigmaTarget;
        if (p == RiskParameter.OiCapLong) return c.oiCapLong;
        if (p == RiskParameter.OiCapShort) return c.oiCapShort;
        if (p == RiskParameter.MaxSlippage) return c.maxSlippage;
        if (p == RiskParameter.Gap) return c.gap;
        return c.rho;
    }

    /// @dev Values beyond a field's type are rejected by the bounds check that follows (after truncation
    /// they could pass), so they are rejected here first.
    function _setParameter(MarketConfig memory c, RiskParameter p, uint256 v) private pure {
        uint256 limit =
            p == RiskParameter.Horizon
                ? type(uint32).max
                : p == RiskParameter.OiCapLong || p == RiskParameter.OiCapShort
                    ? type(uint128).max
                    : type(uint64).max;
        if (v > limit) revert ParameterChangeTooLarge(p, _parameter(c, p), v);
        if (p == RiskParameter.Horizon) c.horizon = uint32(v);
        else if (p == RiskParameter.MaintenanceMargin) c.maintenanceMargin = uint64(v);
        else if (p == RiskParameter.Z) c.z = uint64(v);
        else if (p == RiskParameter.Kappa) c.kappa = uint64(v);
        else if (p == RiskParameter.KappaOI) c.kappaOI = uint64(v);
        else if (p == RiskParameter.SigmaTarget) c.sigmaTarget = uint64(v);
        else if (p == RiskParameter.OiCapLong) c.oiCapLong = uint128(v);
        else if (p == RiskParameter.OiCapShort) c.oiCapShort = uint128(v);
        else if (p == RiskParameter.MaxSlippage) c.maxSlippage = uint64(v);
        else if (p == RiskParameter.Gap) c.gap = uint64(v);
        else c.rho = uint64(v);
    }

    function _cooldown(bytes32 key, uint256 period) private {
        uint256 last = _state().changedAt[key];
        if (last != 0 && block.timestamp < last + period) revert ConfigCooldown(last + period);
        _state().changedAt[key] = block.timestamp;
    }

    function _decimals(address feed) private view returns (uint8 decimals) {
        decimals = IAggregatorV3(feed).decimals();
        if (decimals > 18) revert InvalidConfig(ConfigField.Feed, decimals);
    }

    function _range(ConfigField field, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert InvalidConfig(field, value);
    }
}
