// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BOUND_COUNT, Bound} from "../../contracts/types/Bound.sol";
import {RiskMath} from "../../contracts/libraries/RiskMath.sol";
import {RiskMathHarness} from "../../contracts/test/RiskMathHarness.sol";
import {Test} from "../utils/Test.sol";

/// @notice Property tests of `RiskMath` (fuzz runs: `FUZZ_RUNS` in hardhat.config.ts, 1,000 per property).
/// Inputs are drawn across the library's documented domain.
contract RiskMathPropertiesTest is Test {
    uint256 private constant WAD = 1e18;
    uint256 private constant MAX_AMOUNT = RiskMath.MAX_AMOUNT;
    RiskMathHarness private harness = new RiskMathHarness();

    function _input(uint256 seed) private pure returns (RiskMath.CapInput memory input) {
        uint256[16] memory r;
        for (uint256 i; i < 16; ++i) r[i] = uint256(keccak256(abi.encode(seed, i)));
        input.equity = int256(bound(r[0], 0, MAX_AMOUNT / 2)) - int256(bound(r[1], 0, MAX_AMOUNT / 8));
        input.otherRequirement = bound(r[2], 0, MAX_AMOUNT / 4);
        input.sigma = bound(r[3], 0, RiskMath.MAX_SIGMA / 4);
        input.horizon = bound(r[4], 0, RiskMath.MAX_HORIZON / 4);
        input.z = bound(r[5], 0, RiskMath.MAX_Z / 4);
        input.m = bound(r[6], 0, WAD / 2);
        input.isLong = r[7] % 2 == 0;
        input.sigmaTarget = r[8] % 3 == 0 ? 0 : bound(r[8], 1, RiskMath.MAX_SIGMA);
        input.depth = bound(r[9], 0, MAX_AMOUNT / 2);
        input.kappa = bound(r[10], 0, WAD / 2);
        input.oiCap = bound(r[11], 0, MAX_AMOUNT / 2);
        input.current = bound(r[12], 0, MAX_AMOUNT / 4);
        input.oiSide = input.current + bound(r[13], 0, MAX_AMOUNT / 4);
        input.tierCapacity = r[14] % 2 == 0 ? type(uint256).max : bound(r[14], 0, MAX_AMOUNT);
        input.greeksBound = type(uint256).max;
        // A third of the inputs without a gap floor, the rest with one up to the configurable maximum (1.0).
        input.gap = r[15] % 3 == 0 ? 0 : bound(r[15], 0, WAD);
    }

    function _cap(RiskMath.CapInput memory input) private view returns (uint256 cap) {
        (cap, , ) = harness.positionCapDown(input);
    }

    /// The cap is never above any single bound, and the binding bound equals it.
    function testFuzz_capIsTheMinimumOfItsBounds(uint256 seed) external view {
        (uint256 cap, Bound binding, uint256[BOUND_COUNT] memory bounds) = harness.positionCapDown(_input(seed));
        for (uint256 i; i < BOUND_COUNT; ++i) assertLe(cap, bounds[i], "cap above a bound");
        if (binding == Bound.None) assertEq(cap, type(uint256).max, "no binding bound but finite cap");
        else assertEq(cap, bounds[uint8(binding) - 1], "binding bound is not the cap");
    }

    function testFuzz_capShrinksAsSigmaRises(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.sigma += bound(bump, 0, RiskMath.MAX_SIGMA - input.sigma);
        assertLe(_cap(input), before, "cap grew with sigma");
    }

    function testFuzz_capShrinksAsHorizonRises(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.horizon += bound(bump, 0, RiskMath.MAX_HORIZON - input.horizon);
        assertLe(_cap(input), before, "cap grew with horizon");
    }

    function testFuzz_capShrinksAsZRises(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.z += bound(bump, 0, RiskMath.MAX_Z - input.z);
        assertLe(_cap(input), before, "cap grew with z");
    }

    function testFuzz_capShrinksAsGapRises(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.gap += bound(bump, 0, RiskMath.MAX_STRESSED_MOVE - input.gap);
        assertLe(_cap(input), before, "cap grew with the gap floor");
    }

    /// The gap floor is a floor: the stressed move is the larger of the diffusion term and the gap, so it is
    /// never below either, equals the diffusion term without a gap, and is monotone in the gap.
    function testFuzz_stressedMoveIsTheMaximumOfDiffusionAndGap(
        uint256 sigma,
        uint256 h,
        uint256 z,
        uint256 g1,
        uint256 g2
    ) external view {
        sigma = bound(sigma, 0, RiskMath.MAX_SIGMA);
        h = bound(h, 0, RiskMath.MAX_HORIZON);
        z = bound(z, 0, RiskMath.MAX_Z);
        g1 = bound(g1, 0, RiskMath.MAX_STRESSED_MOVE);
        g2 = bound(g2, g1, RiskMath.MAX_STRESSED_MOVE);
        uint256 diffusion = harness.stressedMoveUp(sigma, h, z);
        uint256 s1 = harness.stressedMoveGapUp(sigma, h, z, g1);
        assertGe(s1, diffusion, "stressed move below its diffusion term");
        assertGe(s1, g1, "stressed move below its gap floor");
        assertTrue(s1 == diffusion || s1 == g1, "stressed move is neither term");
        assertLe(s1, harness.stressedMoveGapUp(sigma, h, z, g2), "stressed move shrank as the gap rose");
        assertEq(harness.stressedMoveGapUp(sigma, h, z, 0), diffusion, "a zero gap changed the stressed move");
    }

    /// With the gap floor binding, the liquidation-distance bound covers the gap: a position at that bound
    /// that moves adversely by the gap's full adverse move keeps at least its maintenance margin.
    function testFuzz_liquidationBoundSurvivesTheGap(uint256 free, uint256 m, uint256 g, bool isLong) external view {
        free = bound(free, 1e18, MAX_AMOUNT / 4);
        m = bound(m, 0.001e18, WAD / 2);
        g = bound(g, 0.01e18, WAD);
        uint256 x =
            isLong
                ? harness.adverseMoveLongUp(harness.stressedMoveGapUp(0, 0, 0, g))
                : harness.adverseMoveShortUp(harness.stressedMoveGapUp(0, 0, 0, g));
        uint256 n = harness.liquidationBoundDown(int256(free), m, x);
        // Loss at the gap's exact adverse move is at most n * x (x rounds up); equity left >= m * n (floor).
        assertGe(free, (n * x) / WAD + (n * m) / WAD, "equity after the gap below maintenance");
    }

    function testFuzz_capShrinksAsMaintenanceMarginRises(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.m += bound(bump, 0, WAD - input.m);
        assertLe(_cap(input), before, "cap grew with m");
    }

    function testFuzz_capGrowsWithEquity(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.equity += int256(bound(bump, 0, MAX_AMOUNT / 4));
        assertGe(_cap(input), before, "cap shrank with equity");
    }

    function testFuzz_capGrowsWithDepth(uint256 seed, uint256 bump) external view {
        RiskMath.CapInput memory input = _input(seed);
        uint256 before = _cap(input);
        input.depth += bound(bump, 0, MAX_AMOUNT / 2);
        assertGe(_cap(input), before, "cap shrank with depth");
    }

    /// Haircuts act through equity: the same collateral under a larger haircut never allows a larger cap.
    function testFuzz_capShrinksAsHaircutRises(uint256 seed, uint256 value, uint256 h1, uint256 h2) external view {
        RiskMath.CapInput memory input = _input(seed);
        value = bound(value, 0, MAX_AMOUNT / 2);
        h1 = bound(h1, 0, WAD);
        h2 = bound(h2, h1, WAD);
        input.equity = int256(harness.haircutValueDown(value, h1));
        uint256 before = _cap(input);
        input.equity = int256(harness.haircutValueDown(value, h2));
        assertLe(_cap(input), before, "cap grew with the haircut");
    }

    function testFuzz_ownVolHaircutGrowsWithCollateralVolatility(
        uint256 base,
        uint256 s1,
        uint256 s2,
        uint256 h
    ) external view {
        base = bound(base, 0, WAD);
        s1 = bound(s1, 0, RiskMath.MAX_SIGMA);
        s2 = bound(s2, s1, RiskMath.MAX_SIGMA);
        h = bound(h, 0, RiskMath.MAX_HORIZON);
        uint256 lo = harness.ownVolHaircutUp(base, s1, h, 3e18);
        uint256 hi = harness.ownVolHaircutUp(base, s2, h, 3e18);
        assertLe(lo, hi, "haircut shrank as collateral volatility rose");
        assertGe(lo, base, "haircut below its base");
        assertLt(hi, WAD + 1, "haircut above 100%");
    }

    function testFuzz_adverseMovesAreOrderedAndMonotone(uint256 s1, uint256 s2) external view {
        s1 = bound(s1, 0, RiskMath.MAX_STRESSED_MOVE);
        s2 = bound(s2, s1, RiskMath.MAX_STRESSED_MOVE);
        uint256 l1 = harness.adverseMoveLongUp(s1);
        uint256 l2 = harness.adverseMoveLongUp(s2);
        uint256 sh1 = harness.adverseMoveShortUp(s1);
        assertLe(l1, l2, "x_L not monotone");
        assertLe(harness.adverseMoveShortUp(s1), harness.adverseMoveShortUp(s2), "x_S not monotone");
        assertLt(l1, WAD, "x_L reached 100%");
        // 1 - e^-s <= s <= e^s - 1 (up to the upward rounding of both).
        assertLe(l1, s1 + 1e4, "x_L above s");
        assertGe(sh1, s1, "x_S below s");
        assertGe(sh1 + 1e4, l1, "short move below long move");
    }

    /// After deleverage the position sits exactly at floor(cap * (1 - tauTarget)).
    function testFuzz_deleverageRestoresTargetExactly(
        uint256 size,
        uint256 cap,
        uint256 trig,
        uint256 tgt
    ) external view {
        cap = bound(cap, 0, MAX_AMOUNT / 4);
        trig = bound(trig, 0, RiskMath.MAX_TRIGGER);
        tgt = bound(tgt, 0, WAD);
        size = bound(size, 0, MAX_AMOUNT);
        uint256 amount = harness.deleverageAmountUp(size, cap, trig, tgt);
        bool over = harness.isOverCap(size, cap, trig);
        if (!over) {
            assertEq(amount, 0, "deleverage of a position under its trigger");
            return;
        }
        uint256 target = size - amount;
        // target * WAD <= cap * (WAD - tgt) < (target + 1) * WAD: exact within one wei of rounding.
        assertLe(target * WAD, cap * (WAD - tgt), "target above cap * (1 - tauTarget)");
        assertLt(cap * (WAD - tgt), (target + 1) * WAD, "target more than one wei below");
        assertLe(target, cap, "target above cap");
        assertTrue(size > cap, "over cap but size <= cap");
    }

    /// Inside the documented domain nothing reverts.
    function testFuzz_noRevertInsideDomain(uint256 seed, uint256 trig, uint256 tgt) external view {
        RiskMath.CapInput memory input = _input(seed);
        // Unlike `_input`, reach the top of each range (the extreme corner is a reachable edge value).
        input.sigma = bound(uint256(keccak256(abi.encode(seed, "sigma"))), 0, RiskMath.MAX_SIGMA);
        input.horizon = bound(uint256(keccak256(abi.encode(seed, "h"))), 0, RiskMath.MAX_HORIZON);
        input.z = bound(uint256(keccak256(abi.encode(seed, "z"))), 0, RiskMath.MAX_Z);
        input.m = bound(uint256(keccak256(abi.encode(seed, "m"))), 0, WAD);
        input.gap = bound(uint256(keccak256(abi.encode(seed, "gap"))), 0, RiskMath.MAX_STRESSED_MOVE);
        (uint256 cap, , ) = harness.positionCapDown(input);
        harness.deleverageAmountUp(input.current, cap, bound(trig, 0, WAD), bound(tgt, 0, WAD));
        harness.ownVolHaircutUp(WAD, RiskMath.MAX_SIGMA, RiskMath.MAX_HORIZON, RiskMath.MAX_Z);
        harness.stressedRequirementUp(MAX_AMOUNT, WAD, harness.adverseMoveShortUp(RiskMath.MAX_STRESSED_MOVE));
    }

    /// Outside it, the only revert is the named `InputOutOfRange` error.
    function testFuzz_revertsOnlyWithNamedErrorOutsideDomain(uint256 which, uint256 excess) external view {
        which = which % 6;
        excess = bound(excess, 1, type(uint128).max);
        bytes memory call;
        if (which == 0) call = abi.encodeCall(harness.stressedMoveUp, (RiskMath.MAX_SIGMA + excess, 1, 1));
        else if (which == 1) call = abi.encodeCall(harness.stressedMoveUp, (1, RiskMath.MAX_HORIZON + excess, 1));
        else if (which == 2) call = abi.encodeCall(harness.adverseMoveShortUp, (RiskMath.MAX_STRESSED_MOVE + excess));
        else if (which == 3) call = abi.encodeCall(harness.depthBoundDown, (MAX_AMOUNT + excess, 1));
        else if (which == 4)
            call = abi.encodeCall(harness.deleverageAmountUp, (1, 1, RiskMath.MAX_TRIGGER + excess, 0));
        else call = abi.encodeCall(harness.stressedMoveGapUp, (1, 1, 1, RiskMath.MAX_STRESSED_MOVE + excess));
        (bool ok, bytes memory data) = address(harness).staticcall(call);
        assertTrue(!ok, "accepted an input outside the domain");
        assertEq(uint32(bytes4(data)), uint32(RiskMath.InputOutOfRange.selector), "unnamed revert");
    }
}
