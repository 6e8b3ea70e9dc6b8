// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOptionsEngine} from "../../contracts/interfaces/IOptionsEngine.sol";
import {IReferenceMarginEngine} from "../../contracts/interfaces/IReferenceMarginEngine.sol";
import {IRiskErrors} from "../../contracts/interfaces/IRiskErrors.sol";
import {RiskMath} from "../../contracts/libraries/RiskMath.sol";
import {SystemActors} from "./system/SystemActors.sol";
import {Test} from "../utils/Test.sol";

/// @notice Liveness under any implied-volatility value (issue 15, finding 2): the ETH market's implied feed
/// publishes anything an `int192` holds (zero, negative, one wei, up to 2^191, fresh, old or from the future)
/// and, whatever it says, the effective volatility stays within `[sigmaMin, 10.0]` (the math's domain), and no
/// view (`positionRisk`, `accountStatus`, `deleverageQuote`, `greeksRisk`, `maxOptionsTrade`), no deleverage
/// (other than its named refusals: nothing to do, already done, window exhausted), no liquidation (other than the
/// engine's `NotLiquidatable`), no user reduction and no risk-reducing options trade (a writer buying back) reverts.
/// Fuzz runs: `FUZZ_RUNS` (1,000), on the full system of the invariant suite with perpetuals long and short in
/// two markets at 90 % of their caps and a short straddle.
contract VolatilityLivenessTest is SystemActors, Test {
    uint256 private constant TRADERS = 4;
    address[TRADERS] private traders;
    address private writer;

    function setUp() external {
        _deploySystem();
        for (uint256 t; t < TRADERS; ++t) {
            traders[t] = address(uint160(0x11FE00 + t));
            _fund(traders[t], 20_000e6);
            _open(traders[t], t < 2 ? 1 : 2, 9_000, t % 2 == 0);
        }
        writer = address(uint160(0x11FEFF));
        _fund(writer, 100_000e6);
        for (uint256 k; k < 2; ++k) {
            _VM.prank(writer);
            options.trade(series[k], -2e18);
        }
    }

    function testFuzz_noImpliedVolatilityValueBlocksAViewADeleverageALiquidationOrAReduction(
        uint256 valueSeed,
        uint256 timeSeed
    ) external {
        int192 implied = _implied(valueSeed);
        uint256 kind = timeSeed % 4;
        uint256 updatedAt =
            kind == 0
                ? block.timestamp - bound(timeSeed >> 8, 0, 3 hours)
                : kind == 1
                    ? block.timestamp + bound(timeSeed >> 8, 1, 1 days)
                    : block.timestamp;
        uint32 round = uint32(impliedFeed.latestRound()) + 1;
        impliedFeed.setRound(round, implied, uint32(updatedAt), uint32(updatedAt), round);

        (uint256 sigma, ) = oracle.getVolatility(feeds[0]);
        assertLe(sigma, RiskMath.MAX_SIGMA, "effective sigma above the math's domain");
        assertGe(sigma, oracle.feedConfig(feeds[0]).sigmaMin, "effective sigma below sigmaMin");

        for (uint256 t; t < TRADERS; ++t) _views(traders[t]);
        _views(writer);
        for (uint256 t; t < TRADERS; ++t) {
            _deleverage(traders[t], t < 2 ? 1 : 2);
            _liquidate(traders[t]);
        }
        // A user's reduction and a writer's buy-back never revert.
        (int256 size, ) = engine.position(traders[0], 1);
        if (size != 0)
            _mustPass(traders[0], address(engine), abi.encodeCall(engine.trade, (1, -size / 10)), "a reduction");
        _mustPass(writer, address(options), abi.encodeCall(options.trade, (series[0], 0.2e18)), "a buy-back");
    }

    /// @dev Any `int192`, with the edges and the extremes weighted in.
    function _implied(uint256 seed) private pure returns (int192) {
        uint256 k = seed % 6;
        if (k == 0) return 0;
        if (k == 1) return -int192(int256(bound(seed >> 8, 1, uint256(uint192(type(int192).max)))));
        if (k == 2) return int192(int256(bound(seed >> 8, 1, 100)));
        if (k == 3) return type(int192).max;
        if (k == 4) return int192(int256(bound(seed >> 8, 1e8, 1e14))); // 1.0 to a million, 8 decimals
        return int192(int256(bound(seed >> 8, 1, uint256(uint192(type(int192).max)))));
    }

    function _views(address account) private view {
        _mustView(abi.encodeCall(module.accountStatus, (account)), "accountStatus");
        for (uint256 m = 1; m <= MARKETS; ++m) {
            _mustView(abi.encodeCall(module.positionRisk, (account, m)), "positionRisk");
            _mustView(abi.encodeCall(module.deleverageQuote, (account, m)), "deleverageQuote");
        }
        _mustView(abi.encodeCall(module.greeksRisk, (account, 1)), "greeksRisk");
        _mustView(
            abi.encodeCall(module.maxOptionsTrade, (account, 1, IOptionsEngine.Greeks(-1e17, -1e15, -1e18))),
            "maxOptionsTrade"
        );
    }

    function _mustView(bytes memory data, string memory what) private view {
        (bool ok, bytes memory reason) = address(module).staticcall(data);
        if (!ok) revert ActionFailed(what, reason);
    }

    function _deleverage(address account, uint256 market) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(module).call(abi.encodeCall(module.deleverage, (account, market)));
        if (ok) return;
        bytes4 s = bytes4(reason);
        bool named =
            s == IRiskErrors.NothingToDeleverage.selector ||
                s == IRiskErrors.AlreadyDeleveraged.selector ||
                s == IRiskErrors.DeleverageWindowExhausted.selector;
        if (!named) revert ActionFailed("deleverage", reason);
    }

    function _liquidate(address account) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(engine).call(abi.encodeCall(engine.liquidate, (account)));
        if (!ok && bytes4(reason) != IReferenceMarginEngine.NotLiquidatable.selector) {
            revert ActionFailed("liquidate", reason);
        }
    }

    function _mustPass(address actor, address target, bytes memory data, string memory what) private {
        _VM.prank(actor);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = target.call(data);
        if (!ok) revert ActionFailed(what, reason);
    }
}
