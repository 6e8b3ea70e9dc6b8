// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskEvents} from "../interfaces/IRiskEvents.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {DepthMath} from "../libraries/DepthMath.sol";
import {PoolReader} from "../libraries/PoolReader.sol";
import {RiskState, StoredMarket} from "./RiskState.sol";

/// @title DepthLogic
/// @notice Refreshes a market's depth state from its reference Uniswap V3 pool (RISK-MODEL.md section 5).
/// @dev A linked library called by DELEGATECALL from the module (its storage is the module's). Two readings:
/// - constant-L depth from the TWAP tick and harmonic-mean liquidity over `twapWindow` (cannot be moved
///   inside one transaction, but NOT conservative on concentrated pools);
/// - a tick walk over initialized ticks out to `maxSlippage` both ways, measured at the TWAP tick: the
///   in-range liquidity there is derived from the pool's current liquidity by crossing the ticks between the
///   spot and the TWAP tick, so moving the spot price (a swap) does not change the reading; only liquidity
///   that is really added does. It reverts rather than record a truncated reading.
/// The walk enters the state through asymmetric smoothing: a lower reading applies at once; a higher one
/// moves the state towards `min(reading, the last reading from an earlier block)` by at most
/// `depthRisePerHour` per hour, so liquidity added and removed inside one transaction never raises it.
/// The depth used by the bounds is `min(smoothed walk, constant-L)`, per direction.
library DepthLogic {
    using SafeCast for uint256;

    /// @dev One side (down or up) of a refresh: the smoothed walk so far, this raw reading, the lowest raw
    /// reading of the confirmation period with this one, and the constant-L estimate.
    struct Side {
        uint256 walk;
        uint256 reading;
        uint256 least;
        uint256 estimate;
    }

    uint256 private constant _WAD = 1e18;

    /// @notice Refreshes the depth state of `market`; see `IRiskKeeper.refreshDepth`.
    function refresh(RiskState storage s, uint256 market) external returns (uint256 down, uint256 up) {
        if (!s.markets[market].listed) revert IRiskErrors.MarketNotListed(market);
        StoredMarket memory config = s.markets[market];
        (bool ok, int24 twapTick, uint256 meanLiquidity) = PoolReader.twap(config.pool, config.twapWindow);
        if (!ok) revert IRiskErrors.PoolObserveFailed(market);
        (, int24 spotTick, , , , , ) = config.pool.slot0();
        uint256 g = DepthMath.sqrtQuotePerBaseDown(twapTick, config.baseIsToken0);

        (uint256 readDown, uint256 readUp) = _walk(config, spotTick, twapTick);
        IRiskTypes.DepthState memory state = s.depth[market];
        // The confirmation period: a rise needs every reading of a period at least `twapWindow` long.
        bool first = state.readSince == 0;
        bool complete = !first && block.timestamp >= state.readSince + config.twapWindow;
        uint256 elapsed = block.timestamp - state.readSince;
        Side memory downSide = Side({
            walk: state.walkDown,
            reading: readDown,
            least: Math.min(state.readDown, readDown),
            estimate: _constantDepth(config, meanLiquidity, twapTick, true)
        });
        Side memory upSide = Side({
            walk: state.walkUp,
            reading: readUp,
            least: Math.min(state.readUp, readUp),
            estimate: _constantDepth(config, meanLiquidity, twapTick, false)
        });
        uint256 walkDown = _smooth(downSide, complete, elapsed, config.depthRisePerHour);
        uint256 walkUp = _smooth(upSide, complete, elapsed, config.depthRisePerHour);
        down = Math.min(walkDown, downSide.estimate);
        up = Math.min(walkUp, upSide.estimate);
        uint256 twapPrice = DepthMath.basePrice(g, config.baseDecimals, config.quoteDecimals);
        s.depth[market] = IRiskTypes.DepthState({
            down: down.toUint128(),
            up: up.toUint128(),
            walkDown: walkDown.toUint128(),
            walkUp: walkUp.toUint128(),
            readDown: (first || complete ? readDown : downSide.least).toUint128(),
            readUp: (first || complete ? readUp : upSide.least).toUint128(),
            twapPrice: twapPrice.toUint128(),
            updatedAt: uint40(block.timestamp),
            readSince: first || complete ? uint40(block.timestamp) : state.readSince
        });
        emit IRiskEvents.DepthRefreshed(market, down, up, readDown, readUp, twapPrice);
    }

    /// @dev Tick-walk readings down and up from the TWAP tick, WAD USD.
    function _walk(
        StoredMarket memory config,
        int24 spotTick,
        int24 twapTick
    ) private view returns (uint256 readDown, uint256 readUp) {
        PoolReader.Walk memory walk = PoolReader.Walk({
            pool: config.pool,
            spacing: config.pool.tickSpacing(),
            baseIsToken0: config.baseIsToken0,
            maxSteps: config.maxWalkSteps,
            steps: 0,
            cached: false,
            word: 0,
            bitmap: 0
        });
        uint256 liquidity = PoolReader.liquidityAt(walk, spotTick, config.pool.liquidity(), twapTick);
        // Each direction has its own budget of `maxWalkSteps` reads, so that one cannot starve the other.
        walk.steps = 0;
        readDown = DepthMath.quoteToWad(
            PoolReader.walkDepth(walk, twapTick, liquidity, config.maxSlippage, true),
            config.quoteDecimals
        );
        walk.steps = 0;
        readUp = DepthMath.quoteToWad(
            PoolReader.walkDepth(walk, twapTick, liquidity, config.maxSlippage, false),
            config.quoteDecimals
        );
    }

    /// @dev Constant-liquidity depth over the same sub-path as the walk (see `PoolReader.walkDepth`).
    function _constantDepth(
        StoredMarket memory config,
        uint256 liquidity,
        int24 twapTick,
        bool down
    ) private pure returns (uint256) {
        (uint256 target, uint256 start) = PoolReader.startAndTarget(
            twapTick,
            config.baseIsToken0,
            config.maxSlippage,
            down
        );
        if (down ? target >= start : target <= start) return 0;
        return DepthMath.quoteToWad(DepthMath.quoteBetween(liquidity, start, target), config.quoteDecimals);
    }

    /// @dev Asymmetric smoothing of one side. From the zero state (a new market, or a side that read zero) the
    /// reading applies at once but at most the constant-L estimate from the TWAP liquidity; a lower reading applies
    /// at once; a higher one only when the confirmation period is complete, towards the lowest reading of the
    /// period (this one included) and by at most `risePerHour` of the current value per hour of the period.
    function _smooth(
        Side memory side,
        bool complete,
        uint256 elapsed,
        uint256 risePerHour
    ) private pure returns (uint256) {
        if (side.walk == 0) return Math.min(side.reading, side.estimate);
        if (side.reading <= side.walk) return side.reading;
        if (!complete || side.least <= side.walk) return side.walk;
        return Math.min(side.least, side.walk + Math.mulDiv(side.walk, risePerHour * elapsed, _WAD * 1 hours));
    }
}
