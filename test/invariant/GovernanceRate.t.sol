// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAggregatorV3} from "../../contracts/interfaces/external/IAggregatorV3.sol";

import {IRiskTypes} from "../../contracts/interfaces/IRiskTypes.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {SystemActors} from "./system/SystemActors.sol";
import {Test} from "../utils/Test.sol";

/// @notice The governance rule (issue 15, RISK-MODEL.md section 8) as a property: whatever sequence of calls the
/// risk admin and the volatility oracle's admin make (any field of a market, a collateral, a tier, Greeks sizing
/// or a volatility feed set to any value within its hard bounds, proposals, cancellations, attempts to execute),
/// with time passing (up to 12 hours in steps of up to 61 minutes, the keeper's upkeep at unchanged prices), no
/// position's cap falls and no fee or haircut rises before `GOVERNANCE_DELAY` (1 day) has passed since a
/// proposal: the stated rate of the admins' tightening is zero within the delay (the risk oracle's bounded
/// steps are the only other way down, `governance.test.ts`). Every execution inside the delay fails. Fuzz runs:
/// `FUZZ_RUNS` (1,000), 12 calls each, on the full system of the invariant suite (three markets, real Uniswap V3
/// pools, Chainlink proxies) with four positions at 60 % to 90 % of their caps.
contract GovernanceRateTest is SystemActors, Test {
    uint256 private constant TRADERS = 4;
    uint256 private constant STEPS = 12;

    address[TRADERS] private traders;
    uint256[TRADERS] private marketOf;
    uint256[TRADERS] private capBefore;
    IRiskTypes.MarketConfig[MARKETS] private configBefore;
    uint256 private usdcHaircutBefore;
    uint256 private wethHaircutBefore;
    /// @dev The last market configuration and feed configuration proposed in the current run, to execute.
    mapping(uint256 market => IRiskTypes.MarketConfig config) private proposedMarket;
    mapping(address feed => IVolatilityOracle.FeedConfig config) private proposedFeed;
    uint256 private accepted;

    function setUp() external {
        _deploySystem();
        for (uint256 t; t < TRADERS; ++t) {
            traders[t] = address(uint160(0x7A0000 + t));
            marketOf[t] = (t % MARKETS) + 1;
            _fund(traders[t], 50_000e6);
            _open(traders[t], marketOf[t], 6_000 + 1_000 * t, t % 2 == 0);
        }
        // Past every cooldown of the setup, with the keeper's upkeep done.
        _passTime(1 hours + 1);
        for (uint256 t; t < TRADERS; ++t) capBefore[t] = module.positionRisk(traders[t], marketOf[t]).cap;
        for (uint256 i; i < MARKETS; ++i) configBefore[i] = module.marketConfig(i + 1);
        usdcHaircutBefore = module.collateralConfig(address(usdc)).baseHaircut;
        wethHaircutBefore = module.collateralConfig(address(bases[0])).baseHaircut;
    }

    function testFuzz_noAdminSequenceShrinksACapOrRaisesAFeeBeforeTheDelay(uint256 seed) external {
        for (uint256 step; step < STEPS; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 kind = r % 8;
            if (kind == 0) _configureMarket(r >> 8);
            else if (kind == 1) _configureCollateral(r >> 8);
            else if (kind == 2)
                _call(
                    address(module),
                    abi.encodeCall(module.configureTier, (uint8((r >> 8) % 2), bound(r >> 16, 1e18, 100e18)))
                );
            else if (kind == 3) _configureGreeks(r >> 8);
            else if (kind == 4) _configureFeed(r >> 8);
            else if (kind == 5) _executeAll();
            else if (kind == 6) _cancel(r >> 8);
            else _passTime(bound(r >> 8, 12, 61 minutes));
            _check(step);
        }
    }

    /// @dev One to three fields of a market set to any value within their hard bounds.
    function _configureMarket(uint256 r) private {
        uint256 market = (r % MARKETS) + 1;
        IRiskTypes.MarketConfig memory c = module.marketConfig(market);
        uint256 fields = 1 + ((r >> 4) % 3);
        for (uint256 k; k < fields; ++k) _setField(c, uint256(keccak256(abi.encode(r, k))));
        _call(address(module), abi.encodeCall(module.configureMarket, (market, c)));
        (bytes32 hash, ) = module.pendingChange(keccak256(abi.encode("market", market)));
        if (hash == keccak256(abi.encode(c))) proposedMarket[market] = c;
    }

    function _setField(IRiskTypes.MarketConfig memory c, uint256 r) private pure {
        uint256 field = r % 21;
        uint256 v = r >> 8;
        if (field == 0) c.horizon = uint32(bound(v, 60, 7 days));
        else if (field == 1) c.maintenanceMargin = uint64(bound(v, 0.001e18, 0.5e18));
        else if (field == 2) c.z = uint64(bound(v, 1e18, 10e18));
        else if (field == 3) c.kappa = uint64(bound(v, 0.0001e18, 1e18));
        else if (field == 4) c.kappaOI = uint64(bound(v, 0.01e18, 10e18));
        else if (field == 5) c.sigmaTarget = v % 3 == 0 ? 0 : uint64(bound(v, 0.01e18, 10e18));
        else if (field == 6) c.maxDeviation = uint64(bound(v, 0.001e18, 0.5e18));
        else if (field == 7) c.tauTrigger = uint64(bound(v, 0, 0.5e18));
        else if (field == 8) c.tauTarget = uint64(bound(v, 0, 0.5e18));
        else if (field == 9) c.oiCapLong = uint128(v % 4 == 0 ? 1 : bound(v, 1, 1e38));
        else if (field == 10) c.oiCapShort = uint128(v % 4 == 0 ? 1 : bound(v, 1, 1e38));
        else if (field == 11) c.twapWindow = uint32(bound(v, 60, 1 days));
        else if (field == 12) c.maxWalkSteps = uint16(bound(v, 8, 512));
        else if (field == 13) c.maxSlippage = uint64(bound(v, 0.001e18, 0.2e18));
        else if (field == 14) c.rho = uint64(bound(v, 0.01e18, 1e18));
        else if (field == 15) c.deleverageWindow = uint32(bound(v, 60, 1 days));
        else if (field == 16) c.depthMaxAge = uint32(bound(v, 60, 1 days));
        else if (field == 17) c.depthRisePerHour = uint64(bound(v, 0.001e18, 1e18));
        else if (field == 18) c.keeperFeeRate = uint64(bound(v, 0, 0.01e18));
        else if (field == 19) c.keeperFeeMax = uint96(bound(v, 0, 10_000e18));
        else c.gap = uint64(bound(v, 0, 1e18));
    }

    function _configureCollateral(uint256 r) private {
        address asset = r % 2 == 0 ? address(usdc) : address(bases[0]);
        IRiskTypes.CollateralConfig memory c = module.collateralConfig(asset);
        uint256 field = (r >> 4) % 5;
        uint256 v = r >> 8;
        if (field == 0) c.baseHaircut = uint64(bound(v, 0, 0.99e18));
        else if (field == 1) c.maxPriceAge = uint32(bound(v, 60, 2 days));
        else if (field == 2) c.volZ = v % 3 == 0 ? 0 : uint64(bound(v, 1e18, 10e18));
        else if (field == 3) c.volHorizon = uint32(bound(v, 60, 7 days));
        else c.tier = uint8(v % 2);
        _call(address(module), abi.encodeCall(module.configureCollateral, (asset, c)));
    }

    function _configureGreeks(uint256 r) private {
        IRiskTypes.GreeksConfig memory g = IRiskTypes.GreeksConfig({
            enabled: r % 4 != 0,
            volShock: uint64(bound(r >> 4, 0.01e18, 5e18)),
            buffer: uint64(bound(r >> 72, 0, 0.9e18)),
            hedgeInterval: uint32(bound(r >> 140, 12, 1 days))
        });
        _call(address(module), abi.encodeCall(module.configureGreeks, (((r >> 200) % MARKETS) + 1, g)));
    }

    /// @dev A volatility feed reconfigured anywhere within its hard bounds (the implied feed swapped in or out).
    function _configureFeed(uint256 r) private {
        address feed = r % 4 == 3 ? usdcFeed : feeds[r % 3];
        IVolatilityOracle.FeedConfig memory c = oracle.feedConfig(feed);
        uint256 v = r >> 8;
        uint256 field = (r >> 4) % 6;
        if (field == 0) c.sigmaMin = uint64(bound(v, 0.01e18, c.sigmaMax));
        else if (field == 1) c.sigmaMax = uint64(bound(v, c.sigmaMin, 10e18));
        else if (field == 2) c.maxAge = uint32(bound(v, 60, 7 days));
        else if (field == 3) {
            c.tauUp = uint32(bound(v, 60, 30 days));
            c.tauDown = uint32(bound(v >> 64, c.tauUp, 365 days));
        } else if (field == 4) {
            bool on = v % 2 == 0;
            c.impliedFeed = IAggregatorV3(on ? address(impliedFeed) : address(0));
            c.impliedWeight = on ? uint64(bound(v >> 8, 1, 2e18)) : 0;
        } else c.maxRoundsPerPoke = uint16(bound(v, 1, 1000));
        _call(address(oracle), abi.encodeCall(oracle.configureFeed, (feed, c)));
        (bytes32 hash, ) = oracle.pendingFeedConfig(feed);
        if (hash == keccak256(abi.encode(c))) proposedFeed[feed] = c;
    }

    /// @dev Every pending change executed with its proposed contents, by anyone: within the delay, each fails.
    function _executeAll() private {
        for (uint256 i; i < MARKETS; ++i) {
            (, uint256 executableAt) = module.pendingChange(keccak256(abi.encode("market", i + 1)));
            if (executableAt != 0) {
                assertLt(
                    block.timestamp,
                    executableAt,
                    "a pending market change became executable within the sequence"
                );
                _expectRefused(
                    address(module),
                    abi.encodeCall(module.executeMarketConfig, (i + 1, proposedMarket[i + 1]))
                );
            }
            (, executableAt) = oracle.pendingFeedConfig(feeds[i]);
            if (executableAt != 0) {
                assertLt(block.timestamp, executableAt, "a pending feed change became executable within the sequence");
                _expectRefused(
                    address(oracle),
                    abi.encodeCall(oracle.executeFeedConfig, (feeds[i], proposedFeed[feeds[i]]))
                );
            }
        }
    }

    function _expectRefused(address target, bytes memory data) private {
        _VM.prank(address(0xA11));
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call(data);
        assertTrue(!ok, "a pending change was executed within the delay");
    }

    function _cancel(uint256 r) private {
        uint256 kind = r % 3;
        if (kind == 0)
            _call(
                address(module),
                abi.encodeCall(module.cancelChange, (keccak256(abi.encode("market", ((r >> 4) % MARKETS) + 1))))
            );
        else if (kind == 1)
            _call(
                address(module),
                abi.encodeCall(module.cancelChange, (keccak256(abi.encode("collateral", address(usdc)))))
            );
        else _call(address(oracle), abi.encodeCall(oracle.cancelFeedConfig, (feeds[(r >> 4) % MARKETS])));
    }

    function _check(uint256 step) private view {
        for (uint256 t; t < TRADERS; ++t) {
            IRiskTypes.PositionRisk memory risk = module.positionRisk(traders[t], marketOf[t]);
            assertGe(
                risk.cap,
                capBefore[t],
                step == 0 ? "a cap fell at the first call" : "a cap fell within the delay"
            );
            assertEq(risk.deleverageNotional, 0, "a position within its cap became deleverageable");
        }
        for (uint256 i; i < MARKETS; ++i) {
            IRiskTypes.MarketConfig memory c = module.marketConfig(i + 1);
            assertLe(c.keeperFeeRate, configBefore[i].keeperFeeRate, "the keeper fee rate rose within the delay");
            assertLe(c.keeperFeeMax, configBefore[i].keeperFeeMax, "the keeper fee ceiling rose within the delay");
            assertLe(c.tauTarget, configBefore[i].tauTarget, "the deleverage target deepened within the delay");
        }
        assertLe(module.collateralConfig(address(usdc)).baseHaircut, usdcHaircutBefore, "a haircut rose");
        assertLe(module.collateralConfig(address(bases[0])).baseHaircut, wethHaircutBefore, "a haircut rose");
    }

    function _call(address target, bytes memory data) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call(data);
        // A call outside the bounds or inside a cooldown is refused: that is allowed.
        if (ok) ++accepted;
    }
}
