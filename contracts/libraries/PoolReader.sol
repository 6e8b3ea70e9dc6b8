// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IUniswapV3PoolView} from "../interfaces/external/IUniswapV3PoolView.sol";

import {DepthMath} from "./DepthMath.sol";
import {GasGuard} from "./GasGuard.sol";

/// @title PoolReader
/// @notice Reads a Uniswap V3 pool for depth: time-weighted values from `observe`, and a bounded walk over
/// initialized ticks (`tickBitmap`, `ticks(t).liquidityNet`) that measures the quote needed to move the base
/// price by a slippage bound, exactly as the pool's swap loop would cross ranges (fees excluded).
library PoolReader {
    /// @notice The walk from the spot tick to the TWAP tick used `steps` reads without reaching it.
    error WalkTruncated(uint256 steps);

    int24 internal constant MIN_TICK = -887_272;
    int24 internal constant MAX_TICK = 887_272;

    /// @notice What a walk needs to know about the pool.
    struct Walk {
        IUniswapV3PoolView pool;
        int24 spacing;
        bool baseIsToken0;
        uint256 maxSteps;
        uint256 steps;
        /// The last bitmap word read (`cached` once one was): consecutive steps mostly fall in one word, and the
        /// pool cannot change while it is read.
        bool cached;
        int16 word;
        uint256 bitmap;
    }

    /// @notice TWAP tick (rounded towards negative infinity) and harmonic-mean in-range liquidity over the
    /// last `window` seconds. Returns `ok = false` when the pool cannot serve the window.
    function twap(
        IUniswapV3PoolView pool,
        uint32 window
    ) internal view returns (bool ok, int24 meanTick, uint256 meanLiquidity) {
        uint32[] memory ago = new uint32[](2);
        ago[0] = window;
        uint256 gasBefore = gasleft();
        try pool.observe(ago) returns (int56[] memory ticks, uint160[] memory secondsPerLiquidity) {
            int56 delta = ticks[1] - ticks[0];
            int56 span = int56(uint56(window));
            meanTick = int24(delta / span);
            if (delta < 0 && delta % span != 0) meanTick--;
            uint256 perLiquidity = secondsPerLiquidity[1] - secondsPerLiquidity[0];
            meanLiquidity = perLiquidity == 0 ? 0 : Math.mulDiv(uint256(window) << 128, 1, perLiquidity);
            ok = true;
        } catch {
            GasGuard.requireNotStarved(address(pool), gasBefore);
            ok = false;
        }
    }

    /// @notice In-range liquidity at `toTick`, from the pool's current tick and liquidity, crossing the
    /// initialized ticks in between as a swap would.
    function liquidityAt(
        Walk memory w,
        int24 fromTick,
        uint256 liquidity,
        int24 toTick
    ) internal view returns (uint256) {
        int24 tick = fromTick;
        if (toTick > fromTick) {
            // Crossing t upwards (fromTick < t <= toTick) adds liquidityNet(t).
            while (tick < toTick) {
                (int24 next, bool initialized) = _nextTick(w, tick, false);
                if (next > toTick) break;
                if (initialized) liquidity = _add(liquidity, _net(w, next));
                tick = next;
            }
        } else {
            // Crossing t downwards (toTick < t <= fromTick) removes liquidityNet(t).
            while (tick > toTick) {
                (int24 next, bool initialized) = _nextTick(w, tick, true);
                if (next <= toTick) break;
                if (initialized) liquidity = _add(liquidity, -_net(w, next));
                tick = next - 1;
            }
        }
        return liquidity;
    }

    /// @notice Raw quote that moves the base price by `slippage`, down or up, from anywhere inside `startTick`
    /// (where in-range liquidity is `liquidity`), rounded down. Reaching the pool's price limit first returns
    /// what the whole way there moves; running out of `w.maxSteps` reads returns what the way walked so far
    /// moves (never more than the full reading), so that dust ticks cannot make it revert.
    /// @dev The TWAP tick locates the price only to within one tick, so the walk measures the part common to
    /// every path from a price inside that tick: from the tick's boundary AHEAD in the direction of travel to
    /// the target computed from the boundary BEHIND. That sub-path lies inside the path from any start in the
    /// tick, and liquidity is never negative, so the result is at most what a swap from there achieves; it
    /// gives up one tick (0.01 %) of the move.
    function walkDepth(
        Walk memory w,
        int24 startTick,
        uint256 liquidity,
        uint256 slippage,
        bool down
    ) internal view returns (uint256 quote) {
        // The base price falls when ticks fall (base = token0) or rise (base = token1).
        bool ticksUp = down != w.baseIsToken0;
        (uint256 target, uint256 g) = startAndTarget(startTick, w.baseIsToken0, slippage, down);
        int24 tick = startTick;
        while (true) {
            // Out of steps (dust ticks): the depth reached so far, a lower bound of the full reading.
            if (w.steps >= w.maxSteps) return quote;
            (int24 next, bool initialized) = _nextTick(w, tick, !ticksUp);
            if (next < MIN_TICK) next = MIN_TICK;
            if (next > MAX_TICK) next = MAX_TICK;
            uint256 gNext = DepthMath.sqrtQuotePerBaseDown(next, w.baseIsToken0);
            if (down ? gNext <= target : gNext >= target) {
                return quote + _between(liquidity, g, target, down);
            }
            quote += _between(liquidity, g, gNext, down);
            if (next == MIN_TICK || next == MAX_TICK) return quote;
            if (initialized) {
                int256 net = _net(w, next);
                liquidity = _add(liquidity, ticksUp ? net : -net);
            }
            g = gNext;
            tick = ticksUp ? next : next - 1;
        }
    }

    /// @notice The target `g` (from the start tick's boundary behind the direction of travel) and the start
    /// `g` (its boundary ahead) of a move of the base price by `slippage` from inside `tick`.
    function startAndTarget(
        int24 tick,
        bool baseIsToken0,
        uint256 slippage,
        bool down
    ) internal pure returns (uint256 target, uint256 start) {
        bool ticksUp = down != baseIsToken0;
        uint256 behind = DepthMath.sqrtQuotePerBaseDown(ticksUp ? tick : tick + 1, baseIsToken0);
        start = DepthMath.sqrtQuotePerBaseDown(ticksUp ? tick + 1 : tick, baseIsToken0);
        target = DepthMath.sqrtAfterMove(behind, slippage, down);
    }

    /// @dev Quote between `g` and `gNext` in the direction of travel; zero when the target is not past `g`.
    function _between(uint256 liquidity, uint256 g, uint256 gNext, bool down) private pure returns (uint256) {
        if (down ? gNext >= g : gNext <= g) return 0;
        return DepthMath.quoteBetween(liquidity, g, gNext);
    }

    /// @dev The next initialized tick within one bitmap word: at or below `tick` (`lte`), or above it;
    /// the word's edge when none is initialized. Counts one step.
    function _nextTick(Walk memory w, int24 tick, bool lte) private view returns (int24 next, bool initialized) {
        if (w.steps >= w.maxSteps) revert WalkTruncated(w.steps);
        ++w.steps;
        int24 compressed = tick / w.spacing;
        if (tick < 0 && tick % w.spacing != 0) compressed--;
        if (lte) {
            (int16 word, uint8 bit) = _position(compressed);
            uint256 masked = _bitmap(w, word) & ((1 << bit) - 1 + (1 << bit));
            initialized = masked != 0;
            int24 offset = initialized ? int24(uint24(bit - uint8(Math.log2(masked)))) : int24(uint24(bit));
            next = (compressed - offset) * w.spacing;
        } else {
            (int16 word, uint8 bit) = _position(compressed + 1);
            uint256 masked = _bitmap(w, word) & ~((1 << bit) - 1);
            initialized = masked != 0;
            int24 offset =
                initialized ? int24(uint24(uint8(Math.log2(masked & (~masked + 1))) - bit)) : int24(uint24(255 - bit));
            next = (compressed + 1 + offset) * w.spacing;
        }
    }

    /// @dev The pool's bitmap word `word`, read once per run of steps within it.
    function _bitmap(Walk memory w, int16 word) private view returns (uint256) {
        if (!w.cached || w.word != word) {
            w.bitmap = w.pool.tickBitmap(word);
            w.word = word;
            w.cached = true;
        }
        return w.bitmap;
    }

    function _position(int24 compressed) private pure returns (int16 word, uint8 bit) {
        word = int16(compressed >> 8);
        bit = uint8(uint24((compressed % 256) + (compressed % 256 < 0 ? int24(256) : int24(0))));
    }

    /// @dev liquidityNet of an initialized tick (one external read of the tick's four slots).
    function _net(Walk memory w, int24 tick) private view returns (int256) {
        (, int128 net, , , , , , ) = w.pool.ticks(tick);
        return net;
    }

    function _add(uint256 liquidity, int256 delta) private pure returns (uint256) {
        // A well-formed pool never drives in-range liquidity negative; clamp rather than trust it.
        if (delta < 0 && uint256(-delta) > liquidity) return 0;
        return delta < 0 ? liquidity - uint256(-delta) : liquidity + uint256(delta);
    }
}
