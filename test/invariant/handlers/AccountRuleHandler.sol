// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IMarginEngine} from "../../../contracts/interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../../../contracts/interfaces/IOptionsEngine.sol";
import {IRiskErrors} from "../../../contracts/interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../../../contracts/interfaces/IRiskTypes.sol";
import {IAggregatorV3} from "../../../contracts/interfaces/external/IAggregatorV3.sol";
import {IUniswapV3PoolView} from "../../../contracts/interfaces/external/IUniswapV3PoolView.sol";
import {GreeksMath} from "../../../contracts/libraries/GreeksMath.sol";
import {PoolReader} from "../../../contracts/libraries/PoolReader.sol";
import {RiskMath} from "../../../contracts/libraries/RiskMath.sol";
import {DepthProbe} from "./DepthProbe.sol";
import {LpActor} from "./LpActor.sol";
import {Ghosts} from "./Ghosts.sol";
import {IEACAggregatorProxy, ITestAggregator, SystemState} from "../system/RiskSystem.sol";

/// @notice The actors of the invariant suite and the action-level checks. Traders deposit, withdraw, trade
/// perpetuals in three markets and options in one; LPs mint and burn liquidity across blocks; a swapper moves
/// the pools; keepers deleverage, refresh depth and poke the volatility oracle; the risk admin and the risk oracle
/// move parameters within their bounds; faults hit the oracles (moves and jumps, stale rounds, Chainlink phase
/// changes, extreme implied volatility, the L2 sequencer down or in its grace period). Every check that needs
/// the state just before or after an action runs here, recording the first violation in `Ghosts`.
contract AccountRuleHandler is SystemState, Ghosts {
    uint256 internal constant TRADERS = 6;
    uint256 internal constant KEEPERS = 2;
    uint256 internal constant LPS = 2;

    address[TRADERS] internal traders;
    address[KEEPERS] internal keepers;
    LpActor[LPS] internal lps;
    DepthProbe internal probe;
    uint256[MARKETS] internal prices;
    uint256 internal rotation;
    /// @dev The last market configuration the risk admin proposed, per market (index `market - 1`).
    IRiskTypes.MarketConfig[MARKETS] internal proposals;

    /// @param d The deployed system; the deployer then hands the handler its tokens, feeds and roles.
    constructor(Deployment memory d, LpActor[LPS] memory lps_, DepthProbe probe_) {
        _adopt(d);
        (lps, probe) = (lps_, probe_);
        for (uint256 i; i < TRADERS; ++i) traders[i] = address(uint160(0xA11CE0 + i));
        for (uint256 i; i < KEEPERS; ++i) keepers[i] = address(uint160(0xBEEF00 + i));
        for (uint256 i; i < MARKETS; ++i) prices[i] = startPrices[i] * 1e8;
    }

    /// @notice Takes over the Chainlink proxies (their ownership moves in two steps) and records the depth
    /// states (called once by the test's `setUp`; not a target of the fuzzer).
    function takeOver() external {
        for (uint256 i; i < MARKETS; ++i) {
            IEACAggregatorProxy(feeds[i]).acceptOwnership();
            _recordDepth(i + 1);
        }
    }

    // ------------------------------------------------------------------ traders

    function deposit(uint256 actorSeed, uint256 assetSeed, uint256 amountSeed) external {
        address actor = traders[actorSeed % TRADERS];
        bool weth = assetSeed % 3 == 0;
        address asset = weth ? address(bases[0]) : address(usdc);
        uint256 amount = weth ? _bound(amountSeed, 0.05 ether, 20 ether) : _bound(amountSeed, 100e6, 100_000e6);
        if (weth) bases[0].mint(actor, amount);
        else usdc.mint(actor, amount);
        _VM.startPrank(actor);
        (bool approved, ) = asset.call(abi.encodeWithSignature("approve(address,uint256)", address(engine), amount));
        if (approved) _try(address(engine), abi.encodeCall(engine.deposit, (asset, amount)));
        _VM.stopPrank();
        _after(actor);
    }

    /// @dev Deposits `amount` of USDC for `actor`.
    function _fund(address actor, uint256 amount) private {
        usdc.mint(actor, amount);
        _VM.startPrank(actor);
        usdc.approve(address(engine), amount);
        _try(address(engine), abi.encodeCall(engine.deposit, (address(usdc), amount)));
        _VM.stopPrank();
    }

    function withdraw(uint256 actorSeed, uint256 assetSeed, uint256 fractionSeed) external {
        address actor = traders[actorSeed % TRADERS];
        address asset = assetSeed % 2 == 0 ? address(usdc) : address(bases[0]);
        uint256 balance = _balanceIn(actor, asset);
        if (balance == 0) return _after(actor);
        uint256 amount = Math.max(1, Math.mulDiv(balance, _bound(fractionSeed, 1, 100), 100));
        bool checked = _holdsRisk(actor);
        _VM.prank(actor);
        (bool ok, ) = _try(address(engine), abi.encodeCall(engine.withdraw, (asset, amount)));
        if (ok && checked) _expectPasses(actor, 0, "a withdrawal was admitted but the account fails validateAccount");
        _after(actor);
    }

    /// @notice Opens or grows a position to a random share (5 % to 130 %) of its cap, long or short.
    function increase(uint256 actorSeed, uint256 marketSeed, uint256 fractionSeed, uint256 sideSeed) external {
        address actor = traders[actorSeed % TRADERS];
        uint256 market = (marketSeed % MARKETS) + 1;
        if (_balanceIn(actor, address(usdc)) == 0) _fund(actor, _bound(fractionSeed >> 8, 1_000e6, 50_000e6));
        (int256 size, ) = engine.position(actor, market);
        (bool ok, bytes memory data) = address(module).staticcall(abi.encodeCall(module.positionRisk, (actor, market)));
        if (!ok) return _after(actor);
        IRiskTypes.PositionRisk memory risk = abi.decode(data, (IRiskTypes.PositionRisk));
        if (risk.cap == 0 || risk.cap > 1e30 || risk.price == 0) return _after(actor);
        uint256 target = Math.mulDiv(risk.cap, _bound(fractionSeed, 5, 130), 100);
        uint256 units = Math.mulDiv(target, WAD, risk.price);
        bool long = size != 0 ? (sideSeed % 4 != 0) == (size > 0) : sideSeed % 2 == 0;
        int256 next = long ? int256(units) : -int256(units);
        if (_abs(next) <= _abs(size) && (next > 0) == (size > 0)) return _after(actor);
        _increase(actor, market, next - size);
        _after(actor);
    }

    /// @notice Trades the account's perpetual by `-delta` of its options book (a delta hedge).
    function hedge(uint256 actorSeed) external {
        address actor = traders[actorSeed % TRADERS];
        (bool ok, bytes memory data) = address(module).staticcall(abi.encodeCall(module.greeksRisk, (actor, 1)));
        if (!ok) return _after(actor);
        IRiskTypes.GreeksRisk memory risk = abi.decode(data, (IRiskTypes.GreeksRisk));
        if (risk.hedgeDelta == 0) return _after(actor);
        (int256 size, ) = engine.position(actor, 1);
        int256 next = size + risk.hedgeDelta;
        if (_abs(next) > _abs(size) || (size != 0 && next != 0 && (next > 0) != (size > 0)))
            _increase(actor, 1, risk.hedgeDelta);
        else _reduce(actor, 1, risk.hedgeDelta);
        _after(actor);
    }

    /// @notice Reduces or closes a position (invariant 2: never blocked by the module).
    function reduce(uint256 actorSeed, uint256 marketSeed, uint256 fractionSeed) external {
        address actor = traders[actorSeed % TRADERS];
        uint256 market = (marketSeed % MARKETS) + 1;
        (int256 size, ) = engine.position(actor, market);
        if (size == 0) return _after(actor);
        int256 delta = -(size * int256(_bound(fractionSeed, 1, 100))) / 100;
        if (delta == 0) delta = -size;
        _reduce(actor, market, delta);
        _after(actor);
    }

    /// @notice Sells (or buys) options in market 1.
    function tradeOptions(uint256 actorSeed, uint256 seriesSeed, uint256 unitsSeed, uint256 sideSeed) external {
        address actor = traders[actorSeed % TRADERS];
        uint256 id = series[seriesSeed % series.length];
        int256 units = int256(_bound(unitsSeed, 0.01 ether, 8 ether));
        if (sideSeed % 3 != 0) units = -units;
        (bool quoted, bytes memory data) = address(options).staticcall(abi.encodeCall(options.quote, (id)));
        if (!quoted) return _after(actor);
        (, IOptionsEngine.Greeks memory perUnit) = abi.decode(data, (uint256, IOptionsEngine.Greeks));
        IOptionsEngine.Greeks memory tradeGreeks = IOptionsEngine.Greeks(
            (perUnit.delta * units) / int256(WAD),
            (perUnit.gamma * units) / int256(WAD),
            (perUnit.vega * units) / int256(WAD)
        );
        bool passedBefore = _passes(actor);
        int256 lossBefore = _latestWorstLoss(actor, IOptionsEngine.Greeks(0, 0, 0));
        _VM.prank(actor);
        (bool ok, bytes memory reason) = _try(address(options), abi.encodeCall(options.trade, (id, units)));
        if (ok && !_passes(actor)) {
            bool raised = _latestWorstLoss(actor, IOptionsEngine.Greeks(0, 0, 0)) > lossBefore;
            if (raised)
                _violate("an options trade raising the worst loss was admitted but the account fails validateAccount");
            else if (passedBefore) _violate("an options trade took a passing account to a failing one");
        }
        if (!ok && !_raises(lossBefore, actor, tradeGreeks) && _isModuleError(reason)) {
            _violate("an options trade that lowers the worst loss was refused by the module");
        }
        _after(actor);
    }

    function liquidate(uint256 keeperSeed, uint256 actorSeed) external {
        address actor = traders[actorSeed % TRADERS];
        _VM.prank(keepers[keeperSeed % KEEPERS]);
        (bool ok, bytes memory reason) = _try(address(engine), abi.encodeCall(engine.liquidate, (actor)));
        if (!ok && _isModuleError(reason)) _violate("a liquidation reverted with a module error");
        _after(actor);
    }

    // ------------------------------------------------------------------ keepers

    /// @notice Invariants 3 and 5: a deleverage acts only on a position its views call over cap at a fresh
    /// price, never flips it, never takes it below `cap * (1 - tauTarget)`, and the window holds.
    function deleverage(uint256 keeperSeed, uint256 actorSeed, uint256 marketSeed) external {
        // As a keeper does: the first account (from a random start) whose status is OverCap, at its worst
        // position; otherwise a random account and market (the module must then refuse).
        (address actor, uint256 market) = (traders[actorSeed % TRADERS], (marketSeed % MARKETS) + 1);
        for (uint256 k; k < TRADERS; ++k) {
            address candidate = traders[((actorSeed % TRADERS) + k) % TRADERS];
            (bool read, bytes memory status) = address(module).staticcall(
                abi.encodeCall(module.accountStatus, (candidate))
            );
            if (!read) continue;
            IRiskTypes.AccountStatus memory s_ = abi.decode(status, (IRiskTypes.AccountStatus));
            if (s_.status == IRiskTypes.Status.OverCap) {
                (actor, market) = (candidate, s_.worst.market);
                break;
            }
        }
        (int256 before, ) = engine.position(actor, market);
        (bool viewed, bytes memory data) = address(module).staticcall(
            abi.encodeCall(module.positionRisk, (actor, market))
        );
        (, uint256 capacity) = module.deleverageCapacity(market);
        _VM.prank(keepers[keeperSeed % KEEPERS]);
        (bool ok, ) = _try(address(module), abi.encodeCall(module.deleverage, (actor, market)));
        if (ok) {
            count.deleverages++;
            if (!viewed) return _violate("a deleverage went through on an account the views cannot judge");
            IRiskTypes.PositionRisk memory risk = abi.decode(data, (IRiskTypes.PositionRisk));
            (int256 afterwards, ) = engine.position(actor, market);
            if (risk.deleverageNotional == 0) _violate("a deleverage acted on a position within its cap");
            if (afterwards != 0 && (afterwards > 0) != (before > 0)) _violate("a deleverage flipped a position");
            if (_abs(afterwards) >= _abs(before)) _violate("a deleverage did not reduce the position");
            uint256 floorNotional = Math.mulDiv(risk.cap, WAD - module.marketConfig(market).tauTarget, WAD);
            if (Math.mulDiv(_abs(afterwards), risk.price, WAD) + risk.price / 1e15 + 1 < floorNotional) {
                _violate("a deleverage left a position below cap * (1 - tauTarget)");
            }
            if (!_fresh(market, risk.source)) _violate("a deleverage judged a position at a price that is not fresh");
            _recordWindow(market, Math.mulDiv(_abs(before) - _abs(afterwards), risk.price, WAD), capacity);
        }
        _after(actor);
    }

    /// @notice Invariant 6: right after a refresh, each side's depth state is at most what an actual swap from the
    /// TWAP price moves to `maxSlippage`, and the state never rose faster than `depthRisePerHour`.
    function refreshDepth(uint256 marketSeed) external {
        uint256 market = (marketSeed % MARKETS) + 1;
        (bool ok, ) = _try(address(module), abi.encodeCall(module.refreshDepth, (market)));
        if (ok) {
            count.refreshes++;
            _checkDepth(market);
        }
        _after(traders[rotation % TRADERS]);
    }

    function poke(uint256 feedSeed) external {
        uint256 i = feedSeed % (MARKETS + 1);
        _try(address(oracle), abi.encodeCall(oracle.poke, (i == MARKETS ? usdcFeed : feeds[i])));
        _after(traders[rotation % TRADERS]);
    }

    // ------------------------------------------------------------------ markets

    /// @notice A new Chainlink round: a move of up to +-8 %, or a gap of +-20 % one time in ten; the pool
    /// follows three times in four (an arbitrageur), otherwise it lags (Chainlink and the TWAP diverge).
    function movePrice(uint256 marketSeed, uint256 moveSeed, uint256 arbSeed) external {
        uint256 i = marketSeed % MARKETS;
        int256 bps = int256(_bound(moveSeed, 0, 1_600)) - 800;
        if (moveSeed % 10 == 0) bps = moveSeed % 20 == 0 ? int256(2_000) : -2_000;
        uint256 price = Math.mulDiv(prices[i], uint256(10_000 + bps), 10_000);
        price = Math.min(Math.max(price, startPrices[i] * 1e7), startPrices[i] * 1e9 * 10);
        prices[i] = price;
        _publish(aggregators[i], price);
        _publish(usdcAggregator, 1e8);
        if (arbSeed % 4 != 0) _swapTo(i, price / 1e8);
        _after(traders[rotation % TRADERS]);
    }

    function swap(uint256 marketSeed, uint256 amountSeed, uint256 directionSeed) external {
        uint256 i = marketSeed % MARKETS;
        uint256 quote = _bound(amountSeed, 1_000e6, 2_000_000e6);
        bool buyBase = directionSeed % 2 == 0;
        // Buying base pays quote in; selling base pays base in (its quote value at the start price).
        bool quoteIsToken0 = !baseIsToken0[i];
        bool zeroForOne = buyBase == quoteIsToken0;
        int256 amount = buyBase ? int256(quote) : int256(Math.mulDiv(quote * 1e12, 1, startPrices[i]));
        uint160 limit = zeroForOne ? 4_295_128_740 : 1461446703485210103287273052203988822378723970341;
        _try(
            address(swapper),
            abi.encodeCall(swapper.swap, (address(pools[i]), zeroForOne, amount, limit, address(swapper)))
        );
        _after(traders[rotation % TRADERS]);
    }

    function lpMint(uint256 lpSeed, uint256 marketSeed, uint256 widthSeed, uint256 liquiditySeed) external {
        uint256 i = marketSeed % MARKETS;
        (, int24 tick, , , , , ) = pools[i].slot0();
        int24 width = int24(int256(_bound(widthSeed, 1, 60))) * SPACING;
        int24 mid = (tick / SPACING) * SPACING;
        uint256 g = Math.sqrt(startPrices[i] * 1e24);
        uint128 liquidity = uint128(Math.mulDiv(_bound(liquiditySeed, 1e11, 1e13), 1e20, g));
        _try(
            address(lps[lpSeed % LPS]),
            abi.encodeCall(lps[lpSeed % LPS].mint, (pools[i], mid - width, mid + width, liquidity))
        );
        _after(traders[rotation % TRADERS]);
    }

    function lpBurn(uint256 lpSeed, uint256 marketSeed) external {
        _try(address(lps[lpSeed % LPS]), abi.encodeCall(lps[lpSeed % LPS].burn, (pools[marketSeed % MARKETS])));
        _after(traders[rotation % TRADERS]);
    }

    /// @notice Time passes (12 s to 2 hours, a block every 12 s). Seven times in eight the feeds publish their
    /// heartbeat (each market's feed six times in seven, so that some stretches leave one stale), and three times in
    /// four the keepers' upkeep runs (every feed poked, every depth state refreshed, one checked in rotation).
    function warp(uint256 secondsSeed, uint256 modeSeed) external {
        uint256 elapsed = _bound(secondsSeed, 12, 2 hours);
        _VM.warp(block.timestamp + elapsed);
        _VM.roll(block.number + elapsed / 12 + 1);
        if (modeSeed % 8 != 0) {
            for (uint256 i; i < MARKETS; ++i) {
                if ((modeSeed >> (i + 3)) % 7 != 0) _publish(aggregators[i], prices[i]);
            }
            _publish(usdcAggregator, 1e8);
            _publish(impliedFeed, _latestImplied());
        }
        if ((modeSeed >> 8) % 4 != 0) {
            for (uint256 i; i < MARKETS; ++i) _try(address(oracle), abi.encodeCall(oracle.poke, (feeds[i])));
            _try(address(oracle), abi.encodeCall(oracle.poke, (usdcFeed)));
            // Depth upkeep: every market refreshed (the first two checked against an actual swap in rotation).
            for (uint256 i; i < MARKETS; ++i) {
                (bool refreshed, ) = _try(address(module), abi.encodeCall(module.refreshDepth, (i + 1)));
                if (!refreshed) continue;
                count.refreshes++;
                if (i == rotation % MARKETS) _checkDepth(i + 1);
                else _recordDepth(i + 1);
            }
        }
        _after(traders[rotation % TRADERS]);
    }

    // ------------------------------------------------------------------ governance and faults

    /// @notice Governance: the risk admin reconfigures a market (a loosening applies at once, a tightening is
    /// proposed), anyone executes a proposal (only once its delay has passed), the risk oracle moves a parameter,
    /// or the guardian pauses (or the admin resumes) increases.
    function govern(uint256 kindSeed, uint256 marketSeed, uint256 fieldSeed, uint256 valueSeed) external {
        uint256 kind = kindSeed % 4;
        if (kind == 0) _adminConfigure(marketSeed, fieldSeed, valueSeed);
        else if (kind == 1) _riskOracleUpdate(marketSeed, fieldSeed, valueSeed);
        else if (kind == 2) _executeProposal(marketSeed);
        else _pauseToggle(valueSeed);
        _after(traders[rotation % TRADERS]);
    }

    /// @dev The risk admin reconfigures a market with one field moved within a sensible part of its bounds. A
    /// change applied at once must not lower any trader's cap in that market (the governance rule: only
    /// loosenings apply at once); a tightening is only proposed.
    function _adminConfigure(uint256 marketSeed, uint256 fieldSeed, uint256 valueSeed) private {
        uint256 i = marketSeed % MARKETS;
        IRiskTypes.MarketConfig memory c = module.marketConfig(i + 1);
        uint256 field = fieldSeed % 6;
        if (field == 0) c.z = uint64(_bound(valueSeed, 1e18, 6e18));
        else if (field == 1) c.horizon = uint32(_bound(valueSeed, 10 minutes, 1 days));
        else if (field == 2) c.kappa = uint64(_bound(valueSeed, 0.005e18, 0.2e18));
        else if (field == 3) c.maintenanceMargin = uint64(_bound(valueSeed, 0.02e18, 0.2e18));
        else if (field == 4) c.keeperFeeRate = uint64(_bound(valueSeed, 0, 0.01e18));
        else c.oiCapLong = uint128(_bound(valueSeed, 1e24, 1e27));
        uint256[TRADERS] memory capsBefore = _caps(i + 1);
        (bool ok, ) = _try(address(module), abi.encodeCall(module.configureMarket, (i + 1, c)));
        if (!ok) return;
        count.governance++;
        (bytes32 hash, ) = module.pendingChange(keccak256(abi.encode("market", i + 1)));
        if (hash == keccak256(abi.encode(c))) {
            proposals[i] = c;
            return;
        }
        uint256[TRADERS] memory capsAfter = _caps(i + 1);
        for (uint256 t; t < TRADERS; ++t) {
            if (capsAfter[t] < capsBefore[t]) _violate("a risk-admin change applied at once lowered a cap");
        }
    }

    /// @dev Anyone executes the market's last proposal: it must fail before its delay and pass after it.
    function _executeProposal(uint256 marketSeed) private {
        uint256 i = marketSeed % MARKETS;
        (bytes32 hash, uint256 executableAt) = module.pendingChange(keccak256(abi.encode("market", i + 1)));
        if (executableAt == 0 || hash != keccak256(abi.encode(proposals[i]))) return;
        _VM.prank(keepers[0]);
        (bool ok, bytes memory reason) = _try(
            address(module),
            abi.encodeCall(module.executeMarketConfig, (i + 1, proposals[i]))
        );
        if (ok && block.timestamp < executableAt) _violate("a proposal was executed before its delay");
        if (!ok && block.timestamp >= executableAt) {
            _violate(string.concat("a ready proposal could not be executed: ", _hex(reason)));
        }
        if (ok) count.governance++;
    }

    /// @dev Every trader's cap in `market` (zero where the views cannot price it).
    function _caps(uint256 market) private view returns (uint256[TRADERS] memory caps) {
        for (uint256 t; t < TRADERS; ++t) {
            (bool ok, bytes memory data) = address(module).staticcall(
                abi.encodeCall(module.positionRisk, (traders[t], market))
            );
            if (ok) caps[t] = abi.decode(data, (IRiskTypes.PositionRisk)).cap;
        }
    }

    /// @dev The risk oracle moves one parameter by up to its bound (25 %) in either direction.
    function _riskOracleUpdate(uint256 marketSeed, uint256 parameterSeed, uint256 changeSeed) private {
        uint256 market = (marketSeed % MARKETS) + 1;
        IRiskTypes.RiskParameter parameter = IRiskTypes.RiskParameter(parameterSeed % 10);
        uint256 current = _parameter(module.marketConfig(market), parameter);
        uint256 value = Math.mulDiv(current, _bound(changeSeed, 7_500, 12_500), 10_000);
        (bool ok, ) = _try(address(module), abi.encodeCall(module.updateRiskParameter, (market, parameter, value)));
        if (ok) count.governance++;
    }

    /// @dev The guardian pauses increases one time in four; otherwise the risk admin resumes them.
    function _pauseToggle(uint256 seed) private {
        if (seed % 4 == 0) _try(address(module), abi.encodeCall(module.pauseIncreases, ()));
        else _try(address(module), abi.encodeCall(module.unpauseIncreases, ()));
    }

    /// @notice An oracle fault: a Chainlink phase change, an extreme implied volatility, or the L2 sequencer.
    function oracleFault(uint256 kindSeed, uint256 seed) external {
        uint256 kind = kindSeed % 3;
        if (kind == 0) _phaseChange(seed);
        else if (kind == 1) _publish(impliedFeed, _bound(seed, 0, 25e8));
        else _sequencer(seed);
        count.faults++;
        _after(traders[rotation % TRADERS]);
    }

    /// @dev A Chainlink phase change: the proxy moves to a new aggregator whose first round is the price.
    function _phaseChange(uint256 marketSeed) private {
        uint256 i = marketSeed % MARKETS;
        ITestAggregator next = _aggregator(8, "phase");
        _publish(next, prices[i]);
        IEACAggregatorProxy(feeds[i]).proposeAggregator(address(next));
        IEACAggregatorProxy(feeds[i]).confirmAggregator(address(next));
        aggregators[i] = next;
    }

    /// @dev The L2 sequencer goes down (one time in six), comes back inside its grace period (one in six), or
    /// has been up for a day.
    function _sequencer(uint256 seed) private {
        uint32 now_ = uint32(block.timestamp);
        uint32 round = uint32(sequencerFeed.latestRound()) + 1;
        if (seed % 6 == 0) sequencerFeed.setRound(round, 1, now_, now_, round);
        else if (seed % 6 == 1) sequencerFeed.setRound(round, 0, now_, now_, round);
        else sequencerFeed.setRound(round, 0, now_ - 1 days, now_, round);
    }

    // ------------------------------------------------------------------ checks

    function _increase(address actor, uint256 market, int256 delta) private {
        _VM.prank(actor);
        (bool ok, ) = _try(address(engine), abi.encodeCall(engine.trade, (market, delta)));
        if (!ok) return;
        count.increases++;
        _expectPasses(actor, market, "an increase was admitted but the account fails validateAccount");
    }

    function _reduce(address actor, uint256 market, int256 delta) private {
        _VM.prank(actor);
        (bool ok, bytes memory reason) = _try(address(engine), abi.encodeCall(engine.trade, (market, delta)));
        if (ok) count.reductions++;
        else if (_isModuleError(reason)) _violate("a user reduction reverted with a module error");
    }

    /// @dev Invariant 1: the account passes `validateAccount` after an admitted risk-increasing action, except a
    /// hedge (its market's requirement no larger than the options' alone), which only needs its own cap.
    function _expectPasses(address actor, uint256 market, string memory what) private {
        if (_passes(actor)) return;
        if (market == 1) {
            (bool ok, bytes memory data) = address(module).staticcall(abi.encodeCall(module.greeksRisk, (actor, 1)));
            if (ok) {
                IRiskTypes.GreeksRisk memory risk = abi.decode(data, (IRiskTypes.GreeksRisk));
                int256 requirement = int256(risk.maintenance) + (risk.worstLoss > 0 ? risk.worstLoss : int256(0));
                if (risk.optionsLoss > 0 && requirement <= risk.optionsLoss) return;
            }
        }
        _violate(what);
    }

    function _passes(address actor) private view returns (bool ok) {
        (ok, ) = address(module).staticcall(abi.encodeCall(module.validateAccount, (actor)));
    }

    /// @dev Invariant 4 after every action: the keepers' views never revert for the account the action touched
    /// (actions that touch no account check one in rotation).
    function _after(address actor) internal {
        count.calls++;
        rotation++;
        _checkViews(actor);
    }

    function _checkViews(address actor) private {
        (bool ok, bytes memory reason) = address(module).staticcall(abi.encodeCall(module.accountStatus, (actor)));
        if (!ok) _violate(string.concat("accountStatus reverted: ", _hex(reason)));
        for (uint256 market = 1; market <= MARKETS; ++market) {
            (ok, reason) = address(module).staticcall(abi.encodeCall(module.deleverageQuote, (actor, market)));
            if (!ok) _violate(string.concat("deleverageQuote reverted: ", _hex(reason)));
        }
        uint256 m = (rotation % MARKETS) + 1;
        (ok, reason) = address(module).staticcall(abi.encodeCall(module.positionRisk, (actor, m)));
        if (!ok && !_is(reason, IRiskErrors.MarketUnpriced.selector)) {
            _violate(string.concat("positionRisk reverted on a priced market: ", _hex(reason)));
        }
        (ok, reason) = address(module).staticcall(abi.encodeCall(module.greeksRisk, (actor, 1)));
        if (!ok && !_is(reason, IRiskErrors.MarketUnpriced.selector)) {
            _violate(string.concat("greeksRisk reverted on a priced market: ", _hex(reason)));
        }
        count.viewChecks++;
    }

    function _checkDepth(uint256 market) private {
        IRiskTypes.DepthState memory state = module.depthState(market);
        IRiskTypes.MarketConfig memory c = module.marketConfig(market);
        (bool served, int24 twapTick, ) = PoolReader.twap(IUniswapV3PoolView(address(pools[market - 1])), c.twapWindow);
        if (served) {
            uint256 g = _sqrtQuotePerBase(twapTick, c.baseIsToken0);
            uint256 down = _measure(market - 1, g, Math.mulDiv(g, Math.sqrt(WAD * (WAD - c.maxSlippage)), WAD));
            uint256 up = _measure(market - 1, g, Math.mulDiv(g, Math.sqrt(WAD * (WAD + c.maxSlippage)), WAD));
            // Within 1e-6 of the exact figure: the probe's start and target prices are rounded.
            if (state.down > down + down / 1e6 + 1e18)
                _violate(
                    string.concat(
                        "the depth state (down) exceeds what an actual swap achieves: ",
                        Strings.toString(state.down),
                        " > ",
                        Strings.toString(down),
                        " walk ",
                        Strings.toString(state.walkDown),
                        " read ",
                        Strings.toString(state.readDown)
                    )
                );
            if (state.up > up + up / 1e6 + 1e18)
                _violate(
                    string.concat(
                        "the depth state (up) exceeds what an actual swap achieves: ",
                        Strings.toString(state.up),
                        " > ",
                        Strings.toString(up),
                        " walk ",
                        Strings.toString(state.walkUp),
                        " read ",
                        Strings.toString(state.readUp)
                    )
                );
        }
        // A side that was zero takes its first reading at once, at most the constant-L estimate (documented). Every
        // other rise waits for a whole confirmation period (at least `twapWindow` since the period's start) and is
        // at most `depthRisePerHour` per hour of that period (the walk cannot rise within a period).
        DepthRecord memory last = depthRecords[market];
        if (state.updatedAt > last.updatedAt) {
            uint256 period = state.updatedAt - last.readSince;
            uint256 rate = c.depthRisePerHour * period;
            _checkRise(last.walkDown, state.walkDown, rate, period, c.twapWindow, "down");
            _checkRise(last.walkUp, state.walkUp, rate, period, c.twapWindow, "up");
        }
        _recordDepth(market);
    }

    function _checkRise(
        uint256 before,
        uint256 walk,
        uint256 rate,
        uint256 period,
        uint256 twapWindow,
        string memory side
    ) private {
        if (before == 0 || walk <= before) return;
        if (period < twapWindow) _violate(string.concat("depth (", side, ") rose within a confirmation period"));
        if (walk > before + Math.mulDiv(before, rate, WAD * 1 hours) + 1) {
            _violate(string.concat("depth (", side, ") rose faster than depthRisePerHour"));
        }
    }

    function _recordDepth(uint256 market) private {
        IRiskTypes.DepthState memory state = module.depthState(market);
        depthRecords[market] = DepthRecord(state.walkDown, state.walkUp, state.updatedAt, state.readSince);
    }

    /// @dev The quote an actual swap moves from the price at `g` to the price at `target` (both as `g`, WAD).
    function _measure(uint256 i, uint256 g, uint256 target) private returns (uint256) {
        try probe.measure(pools[i], !baseIsToken0[i], _sqrtPriceX96(i, g), _sqrtPriceX96(i, target)) {
            return 0;
        } catch (bytes memory reason) {
            if (!_is(reason, DepthProbe.Measured.selector)) return type(uint256).max;
            uint256 raw = abi.decode(_args(reason), (uint256));
            return raw * 1e12; // USDC has 6 decimals
        }
    }

    function _sqrtPriceX96(uint256 i, uint256 g) private view returns (uint160) {
        // g = sqrt(raw quote per raw base), WAD; sqrtPriceX96 = sqrt(token1 per token0) * 2^96.
        if (baseIsToken0[i]) return uint160(Math.mulDiv(g, 1 << 96, WAD));
        return uint160(Math.mulDiv(WAD, 1 << 96, g));
    }

    function _sqrtQuotePerBase(int24 tick, bool token0IsBase) private pure returns (uint256) {
        // g = 1.0001^(tick/2) for a token0 base, 1.0001^(-tick/2) otherwise; via the pool's sqrt price formula.
        int256 t = token0IsBase ? int256(tick) : -int256(tick);
        uint256 g = WAD;
        uint256 base = t >= 0 ? 1_000_049_998_750_062_496 : 999_950_003_749_687_527; // sqrt(1.0001)^(+-1), WAD
        uint256 n = uint256(t >= 0 ? t : -t);
        while (n != 0) {
            if (n & 1 != 0) g = Math.mulDiv(g, base, WAD);
            base = Math.mulDiv(base, base, WAD);
            n >>= 1;
        }
        return g;
    }

    function _fresh(uint256 market, IRiskTypes.PriceSource source) private view returns (bool) {
        IRiskTypes.MarketConfig memory c = module.marketConfig(market);
        if (source == IRiskTypes.PriceSource.Chainlink) {
            (, int256 answer, , uint256 updatedAt, ) = IAggregatorV3(feeds[market - 1]).latestRoundData();
            return answer > 0 && updatedAt <= block.timestamp && block.timestamp - updatedAt <= c.maxPriceAge;
        }
        if (source == IRiskTypes.PriceSource.StoredTwap) {
            uint256 updatedAt = module.depthState(market).updatedAt;
            return updatedAt != 0 && block.timestamp - updatedAt <= c.depthMaxAge;
        }
        return true; // the live TWAP is read in the same transaction
    }

    /// @dev The worst loss of the account's book in market 1 (perpetual included) plus `extra`, at the latest
    /// price and volatility whatever their age (`BookLogic.raisesWorstLoss`).
    function _latestWorstLoss(address actor, IOptionsEngine.Greeks memory extra) private view returns (int256) {
        IOptionsEngine.Greeks memory g = engine.bookGreeks(actor, 1);
        (int256 size, ) = engine.position(actor, 1);
        g.delta += size + extra.delta;
        g.gamma += extra.gamma;
        g.vega += extra.vega;
        (, int256 answer, , , ) = IAggregatorV3(feeds[0]).latestRoundData();
        (uint256 sigma, ) = oracle.getVolatility(feeds[0]);
        IRiskTypes.MarketConfig memory c = module.marketConfig(1);
        uint256 xMax = RiskMath.adverseMoveShortUp(
            RiskMath.stressedMoveUp(Math.min(sigma, RiskMath.MAX_SIGMA), c.horizon, c.z, c.gap)
        );
        return GreeksMath.worstLossUp(g, uint256(answer) * 1e10, xMax, module.greeksConfig(1).volShock).loss;
    }

    function _raises(
        int256 lossBefore,
        address actor,
        IOptionsEngine.Greeks memory tradeGreeks
    ) private view returns (bool) {
        return _latestWorstLoss(actor, tradeGreeks) > lossBefore;
    }

    function _recordWindow(uint256 market, uint256 notional, uint256 capacity) private {
        uint256 window = module.marketConfig(market).deleverageWindow;
        WindowEntry[] storage entries = windows[market];
        entries.push(WindowEntry(block.timestamp, notional, capacity));
        uint256 sum;
        uint256 maxCapacity;
        for (uint256 k = entries.length; k > 0; --k) {
            WindowEntry memory e = entries[k - 1];
            if (e.time + window <= block.timestamp) break;
            sum += e.notional;
            maxCapacity = Math.max(maxCapacity, e.capacity);
        }
        // Rounding: each entry's notional is re-read from sizes (1 wei of size per deleverage).
        if (sum > maxCapacity + maxCapacity / 1e9 + entries.length * 1e6)
            _violate("a rolling deleverage window saw more than its capacity");
    }

    function _latestImplied() private view returns (uint256) {
        (, int256 answer, , , ) = impliedFeed.latestRoundData();
        return answer > 0 ? uint256(answer) : 0;
    }

    function _swapTo(uint256 i, uint256 price) private {
        uint160 target = sqrtPriceX96(i, price);
        (uint160 current, , , , , , ) = pools[i].slot0();
        if (target == current) return;
        _try(
            address(swapper),
            abi.encodeCall(
                swapper.swap,
                (address(pools[i]), target < current, type(int128).max, target, address(swapper))
            )
        );
    }

    function _balanceIn(address actor, address asset) private view returns (uint256) {
        IMarginEngine.CollateralBalance[] memory collateral = engine.accountSnapshot(actor).collateral;
        for (uint256 k; k < collateral.length; ++k) if (collateral[k].asset == asset) return collateral[k].amount;
        return 0;
    }

    function _holdsRisk(address actor) private view returns (bool) {
        for (uint256 m = 1; m <= MARKETS; ++m) {
            (int256 size, ) = engine.position(actor, m);
            if (size != 0) return true;
        }
        return options.markValue(actor) != 0;
    }

    function _parameter(IRiskTypes.MarketConfig memory c, IRiskTypes.RiskParameter p) private pure returns (uint256) {
        if (p == IRiskTypes.RiskParameter.Horizon) return c.horizon;
        if (p == IRiskTypes.RiskParameter.MaintenanceMargin) return c.maintenanceMargin;
        if (p == IRiskTypes.RiskParameter.Z) return c.z;
        if (p == IRiskTypes.RiskParameter.Kappa) return c.kappa;
        if (p == IRiskTypes.RiskParameter.KappaOI) return c.kappaOI;
        if (p == IRiskTypes.RiskParameter.SigmaTarget) return c.sigmaTarget;
        if (p == IRiskTypes.RiskParameter.OiCapLong) return c.oiCapLong;
        if (p == IRiskTypes.RiskParameter.OiCapShort) return c.oiCapShort;
        if (p == IRiskTypes.RiskParameter.MaxSlippage) return c.maxSlippage;
        return c.rho;
    }

    function _try(address target, bytes memory data) private returns (bool ok, bytes memory reason) {
        // solhint-disable-next-line avoid-low-level-calls
        (ok, reason) = target.call(data);
    }

    function _abs(int256 v) private pure returns (uint256) {
        return v >= 0 ? uint256(v) : uint256(-v);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
