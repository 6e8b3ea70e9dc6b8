// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAggregatorV3} from "../interfaces/external/IAggregatorV3.sol";

import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IOptionsRiskHook} from "../interfaces/IOptionsRiskHook.sol";
import {IReferenceMarginEngine} from "../interfaces/IReferenceMarginEngine.sol";
import {IReferenceOptionsEngine} from "../interfaces/IReferenceOptionsEngine.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {BlackScholes} from "../libraries/BlackScholes.sol";

/// @title ReferenceOptionsEngine
/// @notice A REFERENCE European options engine on one market of the reference margin engine, NOT a production
/// engine. See `IReferenceOptionsEngine` for its pricing, accounting, integration with Ballast and owner's powers.
contract ReferenceOptionsEngine is IReferenceOptionsEngine, Ownable2Step, ReentrancyGuardTransient {
    uint256 private constant _WAD = 1e18;
    /// @notice Most series one account may hold (bounds the work of marks, Greeks and liquidations).
    uint256 public constant MAX_HOLDINGS = 8;

    /// @inheritdoc IReferenceOptionsEngine
    IReferenceMarginEngine public immutable marginEngine;
    /// @inheritdoc IReferenceOptionsEngine
    uint256 public immutable market;
    /// @inheritdoc IReferenceOptionsEngine
    IAggregatorV3 public immutable feed;
    /// @inheritdoc IReferenceOptionsEngine
    IVolatilityOracle public immutable volatilityOracle;
    /// @inheritdoc IReferenceOptionsEngine
    uint256 public immutable shortMargin;

    Series[] private _series;
    mapping(address account => uint256[] series) private _held;
    mapping(address account => mapping(uint256 series => int256 units)) private _units;

    /// @param owner_ Lists series.
    /// @param marginEngine_ The engine whose accounts hold the books.
    /// @param market_ The engine market of the underlying.
    /// @param feed_ Chainlink feed of the underlying (the volatility oracle's key).
    /// @param volatilityOracle_ Ballast's volatility oracle.
    /// @param shortMargin_ Requirement per unit of short underlying notional, WAD in (0, 1].
    constructor(
        address owner_,
        IReferenceMarginEngine marginEngine_,
        uint256 market_,
        IAggregatorV3 feed_,
        IVolatilityOracle volatilityOracle_,
        uint256 shortMargin_
    ) Ownable(owner_) {
        if (shortMargin_ == 0 || shortMargin_ > _WAD) revert InvalidSeries(shortMargin_, 0);
        marginEngine = marginEngine_;
        market = market_;
        feed = feed_;
        volatilityOracle = volatilityOracle_;
        shortMargin = shortMargin_;
    }

    modifier onlyMarginEngine() {
        if (msg.sender != address(marginEngine)) revert NotMarginEngine(msg.sender);
        _;
    }

    /// @inheritdoc IReferenceOptionsEngine
    function listSeries(Series calldata config) external onlyOwner returns (uint256 id) {
        if (config.strike == 0 || config.expiry <= block.timestamp) revert InvalidSeries(config.strike, config.expiry);
        _series.push(config);
        id = _series.length;
        emit SeriesListed(id, config);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function trade(uint256 id, int256 units) external nonReentrant {
        Series memory s = _get(id);
        if (units == 0) revert ZeroUnits();
        if (block.timestamp >= s.expiry) revert SeriesExpired(id, s.expiry);
        BlackScholes.Quote memory q = BlackScholes.quote(_option(s, _spot()));
        int256 before = _units[msg.sender][id];
        int256 next = before + units;
        _setUnits(msg.sender, id, next);
        // The buyer pays the premium (rounded up; a seller receives it rounded down) out of its ledger.
        int256 premium = -_signedMul(-units, q.price);
        marginEngine.creditOptions(msg.sender, -premium);
        emit OptionTraded(msg.sender, id, before, next, q.price, premium);
        IOptionsRiskHook(address(marginEngine.riskModule())).validateOptionsTrade(
            msg.sender,
            market,
            _scale(_greeks(q), units)
        );
        if (_abs(next) > _abs(before) || (before != 0 && (before > 0) != (next > 0))) {
            marginEngine.checkMaintenance(msg.sender);
        }
    }

    /// @inheritdoc IReferenceOptionsEngine
    function settleExpired(address account, uint256 id) external nonReentrant {
        Series memory s = _get(id);
        if (block.timestamp < s.expiry) revert SeriesNotExpired(id, s.expiry);
        int256 units = _units[account][id];
        if (units == 0) revert ZeroUnits();
        uint256 spot = _spot();
        int256 payoff = _signedMul(units, _intrinsic(s, spot));
        _setUnits(account, id, 0);
        marginEngine.creditOptions(account, payoff);
        emit OptionSettled(account, id, units, spot, payoff);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function closeBook(address account) external onlyMarginEngine returns (int256 value) {
        value = _markValue(account);
        uint256[] memory held = _held[account];
        for (uint256 i; i < held.length; ++i) _setUnits(account, held[i], 0);
        emit BookClosed(account, value);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function markValue(address account) external view returns (int256) {
        return _markValue(account);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function requirement(address account) external view returns (uint256 total) {
        uint256[] storage held = _held[account];
        if (held.length == 0) return 0;
        uint256 spot = _spot();
        for (uint256 i; i < held.length; ++i) {
            int256 units = _units[account][held[i]];
            if (units < 0) total += Math.mulDiv(Math.mulDiv(_abs(units), spot, _WAD), shortMargin, _WAD);
        }
    }

    /// @inheritdoc IOptionsEngine
    function bookGreeks(address account, uint256 market_) external view returns (Greeks memory book) {
        uint256[] storage held = _held[account];
        if (market_ != market || held.length == 0) return book;
        uint256 spot = _spot();
        uint256 sigma = _sigma();
        for (uint256 i; i < held.length; ++i) {
            Series memory s = _series[held[i] - 1];
            if (block.timestamp >= s.expiry) continue;
            Greeks memory g = _scale(_greeks(BlackScholes.quote(_option(s, spot, sigma))), _units[account][held[i]]);
            book.delta += g.delta;
            book.gamma += g.gamma;
            book.vega += g.vega;
        }
    }

    /// @inheritdoc IOptionsEngine
    function instrumentGreeks(uint256 id) external view returns (uint256, Greeks memory) {
        (, Greeks memory perUnit) = _quote(id);
        return (market, perUnit);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function quote(uint256 id) external view returns (uint256 price, Greeks memory perUnit) {
        return _quote(id);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function holdings(address account) external view returns (Holding[] memory result) {
        uint256[] storage held = _held[account];
        result = new Holding[](held.length);
        for (uint256 i; i < held.length; ++i) result[i] = Holding(held[i], _units[account][held[i]]);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function series(uint256 id) external view returns (Series memory) {
        return _get(id);
    }

    /// @inheritdoc IReferenceOptionsEngine
    function seriesCount() external view returns (uint256) {
        return _series.length;
    }

    // ---------------------------------------------------------------- internals

    function _quote(uint256 id) private view returns (uint256 price, Greeks memory perUnit) {
        Series memory s = _get(id);
        uint256 spot = _spot();
        if (block.timestamp >= s.expiry) return (_intrinsic(s, spot), perUnit);
        BlackScholes.Quote memory q = BlackScholes.quote(_option(s, spot));
        return (q.price, _greeks(q));
    }

    /// @dev Units times model price (expired series at intrinsic value), summed over the book.
    function _markValue(address account) private view returns (int256 value) {
        uint256[] storage held = _held[account];
        if (held.length == 0) return 0;
        uint256 spot = _spot();
        uint256 sigma = _sigma();
        for (uint256 i; i < held.length; ++i) {
            Series memory s = _series[held[i] - 1];
            uint256 price =
                block.timestamp >= s.expiry ? _intrinsic(s, spot) : BlackScholes.price(_option(s, spot, sigma));
            value += _signedMul(_units[account][held[i]], price);
        }
    }

    function _setUnits(address account, uint256 id, int256 units) private {
        int256 before = _units[account][id];
        _units[account][id] = units;
        uint256[] storage held = _held[account];
        if (before == 0 && units != 0) {
            if (held.length == MAX_HOLDINGS) revert TooManySeries(MAX_HOLDINGS);
            held.push(id);
        } else if (before != 0 && units == 0) {
            for (uint256 i; i < held.length; ++i) {
                if (held[i] == id) {
                    held[i] = held[held.length - 1];
                    held.pop();
                    break;
                }
            }
        }
    }

    function _option(Series memory s, uint256 spot) private view returns (BlackScholes.Option memory) {
        return _option(s, spot, _sigma());
    }

    function _option(Series memory s, uint256 spot, uint256 sigma) private view returns (BlackScholes.Option memory) {
        return
            BlackScholes.Option({
                spot: spot,
                strike: s.strike,
                sigma: sigma,
                tau: s.expiry > block.timestamp ? s.expiry - block.timestamp : 0,
                rate: 0,
                isCall: s.isCall
            });
    }

    function _get(uint256 id) private view returns (Series memory) {
        if (id == 0 || id > _series.length) revert UnknownSeries(id);
        return _series[id - 1];
    }

    function _spot() private view returns (uint256) {
        return marginEngine.markPrice(market);
    }

    /// @dev The market's annualized volatility (the last one computed, even when stale: the risk module fails
    /// risk-raising trades on a stale volatility; reductions and marks go on).
    function _sigma() private view returns (uint256 sigma) {
        (sigma, ) = volatilityOracle.getVolatility(address(feed));
    }

    function _intrinsic(Series memory s, uint256 spot) private pure returns (uint256) {
        if (s.isCall) return spot > s.strike ? spot - s.strike : 0;
        return s.strike > spot ? s.strike - spot : 0;
    }

    function _greeks(BlackScholes.Quote memory q) private pure returns (Greeks memory) {
        return Greeks({delta: q.delta, gamma: int256(q.gamma), vega: int256(q.vega)});
    }

    function _scale(Greeks memory g, int256 units) private pure returns (Greeks memory) {
        return Greeks({delta: _mulWad(g.delta, units), gamma: _mulWad(g.gamma, units), vega: _mulWad(g.vega, units)});
    }

    function _mulWad(int256 a, int256 b) private pure returns (int256) {
        uint256 magnitude = Math.mulDiv(_abs(a), _abs(b), _WAD);
        return (a < 0) != (b < 0) ? -int256(magnitude) : int256(magnitude);
    }

    /// @dev `units * price` rounded towards negative infinity: a buyer pays and a short holding weighs (and
    /// settles) the rounded-up amount, a seller receives and a long holding is worth the rounded-down one.
    function _signedMul(int256 units, uint256 price) private pure returns (int256) {
        uint256 magnitude = Math.mulDiv(_abs(units), price, _WAD, units < 0 ? Math.Rounding.Ceil : Math.Rounding.Floor);
        return units < 0 ? -int256(magnitude) : int256(magnitude);
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
