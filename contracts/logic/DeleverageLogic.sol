// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IRiskErrors} from "../interfaces/IRiskErrors.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {AccountEval, Cap, Context, DeleveragePlan, PositionEval, PriceOverride} from "./EvaluationTypes.sol";
import {CapLogic} from "./CapLogic.sol";
import {EvaluationLogic} from "./EvaluationLogic.sol";
import {PriceLogic} from "./PriceLogic.sol";
import {RiskState, StoredMarket, Window} from "./RiskState.sol";

/// @title DeleverageLogic
/// @notice How a position over its cap is judged and reduced (RISK-MODEL.md sections 3 and 6), and the rolling
/// deleverage window of each market, read and written only here.
/// @dev A position is judged at its market's price as the evaluation gives it (fresh Chainlink, else the pool
/// TWAP read now). With a fresh Chainlink price and a fresh stored TWAP (at most `depthMaxAge` old) that
/// diverges from it by more than `maxDeviation`, the whole account is judged again at that TWAP and the larger
/// breach wins; a stored TWAP older than `depthMaxAge` is never used.
library DeleverageLogic {
    using SafeCast for uint256;

    /// @notice What a deleverage of one position would do now.
    enum Outcome {
        Act,
        Unpriced,
        NothingDue,
        WindowExhausted
    }

    uint256 private constant _WAD = 1e18;
    /// @dev The smallest window remainder worth acting on: 1 % of the half-capacity bucket.
    uint256 private constant _DUST_DIVISOR = 200;

    /// @notice The deleverage of `account` in `market` and its outcome; `a` is the evaluation it used.
    function plan(
        RiskState storage s,
        Context memory c,
        address account,
        uint256 market
    ) internal view returns (Outcome outcome, DeleveragePlan memory p, AccountEval memory a) {
        if (!s.markets[market].listed) revert IRiskErrors.MarketNotListed(market);
        a = EvaluationLogic.evaluate(s, c, account, PriceOverride(0, 0));
        if (a.failure.failed) return (Outcome.Unpriced, p, a);
        // No position there: nothing to judge (and the market's price is not needed).
        uint256 index = EvaluationLogic.positionIndex(a, market);
        if (index == 0) return (Outcome.NothingDue, p, a);
        p = judge(s, c, a, a.positions[index - 1]);
        if (p.notional == 0) return (Outcome.NothingDue, p, a);
        (uint256 remaining, uint256 capacity) = windowRemaining(s, market);
        // Below 1 % of the bucket (and of what is due) the window counts as exhausted: what drained in a few
        // seconds is not worth a transaction, and racing keepers must not grind it in dust.
        if (remaining == 0 || (remaining < p.notional && remaining < capacity / _DUST_DIVISOR)) {
            return (Outcome.WindowExhausted, p, a);
        }
        StoredMarket storage config = s.markets[market];
        if (p.notional > remaining) p.notional = remaining;
        p.sizeDelta = Math.min(
            Math.mulDiv(p.notional, _WAD, p.position.price, Math.Rounding.Ceil),
            _abs(p.position.size)
        );
        p.keeperFee = Math.min(Math.mulDiv(p.notional, config.keeperFeeRate, _WAD), config.keeperFeeMax);
        outcome = Outcome.Act;
    }

    /// @notice The breach of `position` (a position of `a`) as a deleverage judges it: at the evaluation's
    /// price and, where the fresh stored TWAP diverges from a Chainlink price, also at that TWAP (larger wins).
    function judge(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        PositionEval memory position
    ) internal view returns (DeleveragePlan memory p) {
        p = _breach(s, c, a, position);
        if (position.source != IRiskTypes.PriceSource.Chainlink) return p;
        (bool fresh, uint256 twapPrice) = PriceLogic.storedTwap(s, position.market);
        if (!fresh || !PriceLogic.diverges(position.price, twapPrice, s.markets[position.market].maxDeviation)) {
            return p;
        }
        AccountEval memory atTwap = EvaluationLogic.evaluate(
            s,
            c,
            a.account,
            PriceOverride(position.market, twapPrice)
        );
        if (atTwap.failure.failed) return p;
        DeleveragePlan memory alternative = _breach(
            s,
            c,
            atTwap,
            EvaluationLogic.positionIn(s, c, atTwap, position.market)
        );
        if (alternative.notional > p.notional) p = alternative;
    }

    /// @notice Records `notional` deleveraged in `market` now.
    function consumeWindow(RiskState storage s, uint256 market, uint256 notional) internal {
        (uint256 remaining, uint256 capacity) = windowRemaining(s, market);
        // The bucket holds `capacity / 2 - remaining` after draining; add this deleverage.
        s.windows[market] = Window({
            level: (capacity / 2 - remaining + notional).toUint128(),
            updatedAt: uint40(block.timestamp)
        });
    }

    /// @notice What the market's rolling deleverage window still allows, and its capacity `rho * D(s_max)`.
    /// @dev A leaky bucket of size `B = capacity / 2` draining at `B / window` per second: in any interval of
    /// length `window` at most `B` (a full bucket) plus `B` (what drained) is added, so no rolling window
    /// ever sees more than the capacity. `D` is the smaller of the two directions' depths.
    function windowRemaining(
        RiskState storage s,
        uint256 market
    ) internal view returns (uint256 remaining, uint256 capacity) {
        IRiskTypes.DepthState storage depth = s.depth[market];
        StoredMarket storage config = s.markets[market];
        capacity = Math.mulDiv(Math.min(depth.down, depth.up), config.rho, _WAD);
        uint256 bucket = capacity / 2;
        Window memory window = s.windows[market];
        uint256 drained = Math.mulDiv(bucket, block.timestamp - window.updatedAt, config.deleverageWindow);
        uint256 level = window.level > drained ? window.level - drained : 0;
        remaining = bucket > level ? bucket - level : 0;
    }

    function _breach(
        RiskState storage s,
        Context memory c,
        AccountEval memory a,
        PositionEval memory position
    ) private view returns (DeleveragePlan memory p) {
        p.position = position;
        Cap memory cap = CapLogic.cap(s, c, a, position);
        (p.cap, p.binding) = (cap.cap, cap.binding);
        p.notional = CapLogic.deleverageNotional(s, position.market, position.notional, cap.cap);
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
