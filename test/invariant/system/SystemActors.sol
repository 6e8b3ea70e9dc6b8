// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IRiskTypes} from "../../../contracts/interfaces/IRiskTypes.sol";
import {RiskSystem} from "./RiskSystem.sol";

/// @notice Traders on the deployed `RiskSystem` for the property tests of issue 15: deposits, positions opened
/// at a share of their cap, and the upkeep a keeper runs when time passes (feeds republished at their last
/// price, the volatility oracle poked, every depth state refreshed), so that nothing but the action under test
/// moves a cap.
abstract contract SystemActors is RiskSystem {
    error ActionFailed(string what, bytes reason);

    /// @dev Deposits `amount` USDC (6 decimals) for `actor`.
    function _fund(address actor, uint256 amount) internal {
        usdc.mint(actor, amount);
        _VM.startPrank(actor);
        usdc.approve(address(engine), amount);
        engine.deposit(address(usdc), amount);
        _VM.stopPrank();
    }

    /// @dev Opens a position for `actor` in `market` at `shareBps` of its cap, long or short.
    function _open(address actor, uint256 market, uint256 shareBps, bool long) internal returns (int256 size) {
        IRiskTypes.PositionRisk memory risk = module.positionRisk(actor, market);
        uint256 units = Math.mulDiv(Math.mulDiv(risk.cap, shareBps, 10_000), WAD, risk.price);
        size = long ? int256(units) : -int256(units);
        _VM.prank(actor);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(engine).call(abi.encodeCall(engine.trade, (market, size)));
        if (!ok) revert ActionFailed("open", reason);
    }

    /// @dev Time passes; the keeper's upkeep runs at unchanged prices.
    function _passTime(uint256 seconds_) internal {
        _VM.warp(block.timestamp + seconds_);
        _VM.roll(block.number + seconds_ / 12 + 1);
        for (uint256 i; i < MARKETS; ++i) {
            (, int256 answer, , , ) = aggregators[i].latestRoundData();
            _publish(aggregators[i], uint256(answer));
            oracle.poke(feeds[i]);
        }
        (, int256 implied, , , ) = impliedFeed.latestRoundData();
        _publish(impliedFeed, implied > 0 ? uint256(implied) : 0.6e8);
        _publish(usdcAggregator, 1e8);
        oracle.poke(usdcFeed);
        for (uint256 i; i < MARKETS; ++i) module.refreshDepth(i + 1);
    }
}
