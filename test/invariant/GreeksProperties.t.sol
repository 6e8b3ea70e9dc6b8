// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOptionsEngine} from "../../contracts/interfaces/IOptionsEngine.sol";
import {GreeksMath} from "../../contracts/libraries/GreeksMath.sol";
import {GreeksMathHarness} from "../../contracts/test/GreeksMathHarness.sol";
import {Test} from "../utils/Test.sol";

/// @notice Property tests of the scenario grid (`GreeksMath`, RISK-MODEL.md section 7); fuzz runs: `FUZZ_RUNS`
/// in hardhat.config.ts, 1,000 per property. Books: spot 10 to 100,000 USD, |delta| up to 1e6 units, |gamma|
/// up to 10 units per USD, |vega| up to 1e9 USD per vol, allowance up to 1e12 USD, sigma 5 % to 300 %, horizon
/// 1 hour to 2 days, z 1 to 5, vol shock 0.01 to 2.
contract GreeksPropertiesTest is Test {
    uint256 private constant WAD = 1e18;
    GreeksMathHarness private harness = new GreeksMathHarness();

    struct Grid {
        uint256 spot;
        uint256 sigma;
        uint256 horizon;
        uint256 z;
        uint256 volShock;
        int256 allowed;
    }

    function _r(uint256 seed, uint256 i) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, i)));
    }

    function _signed(uint256 r, uint256 max) private pure returns (int256) {
        int256 magnitude = int256(bound(r >> 1, 0, max));
        return r & 1 == 0 ? magnitude : -magnitude;
    }

    function _grid(uint256 seed) private pure returns (Grid memory g) {
        g.spot = bound(_r(seed, 0), 10e18, 100_000e18);
        g.sigma = bound(_r(seed, 1), 0.05e18, 3e18);
        g.horizon = bound(_r(seed, 2), 1 hours, 2 days);
        g.z = bound(_r(seed, 3), 1e18, 5e18);
        g.volShock = bound(_r(seed, 4), 0.01e18, 2e18);
        g.allowed = int256(bound(_r(seed, 5), 0, 1e30));
    }

    function _book(uint256 seed) private pure returns (IOptionsEngine.Greeks memory b) {
        b.delta = _signed(_r(seed, 10), 1e24);
        b.gamma = _signed(_r(seed, 11), 10e18);
        b.vega = _signed(_r(seed, 12), 1e27);
    }

    function _xMax(Grid memory g) private view returns (uint256) {
        return harness.gridMove(g.sigma, g.horizon, g.z);
    }

    function _worst(IOptionsEngine.Greeks memory b, Grid memory g) private view returns (int256) {
        return harness.worstLossUp(b, g.spot, _xMax(g), g.volShock).loss;
    }

    function _max(
        IOptionsEngine.Greeks memory b,
        IOptionsEngine.Greeks memory unit,
        Grid memory g
    ) private view returns (uint256) {
        return harness.maxTradeDown(b, unit, g.spot, _xMax(g), g.volShock, g.allowed);
    }

    function _perp(bool long) private pure returns (IOptionsEngine.Greeks memory) {
        return IOptionsEngine.Greeks({delta: long ? int256(WAD) : -int256(WAD), gamma: 0, vega: 0});
    }

    /// Gives the grid an allowance at least the book's worst loss (the regime in which the bound applies).
    function _within(IOptionsEngine.Greeks memory b, Grid memory g, uint256 slack) private view {
        int256 worst = _worst(b, g);
        if (g.allowed < worst) g.allowed = worst + int256(bound(slack, 0, 1e30));
    }

    /// The worst loss is the maximum of the 21 scenario losses.
    function testFuzz_worstLossIsTheMaximumScenarioLoss(uint256 seed) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        uint256 xMax = _xMax(g);
        GreeksMath.Worst memory worst = harness.worstLossUp(b, g.spot, xMax, g.volShock);
        for (int8 i = -3; i <= 3; ++i) {
            for (int8 j = -1; j <= 1; ++j) {
                int256 loss = harness.scenarioLossUp(b, g.spot, xMax, g.volShock, i, j);
                assertTrue(loss <= worst.loss, "a scenario loses more than the worst");
            }
        }
        assertTrue(
            harness.scenarioLossUp(b, g.spot, xMax, g.volShock, worst.priceStep, worst.volStep) == worst.loss,
            "the reported scenario is not the worst"
        );
    }

    /// Adding `maxTradeDown` units keeps every scenario within max(allowed, worst loss now), to rounding.
    function testFuzz_maxTradeKeepsTheWorstLossAdmissible(uint256 seed) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        IOptionsEngine.Greeks memory unit = _book(seed ^ 1);
        uint256 k = _max(b, unit, g);
        vm.assume(k != type(uint256).max && k <= 1e30);
        IOptionsEngine.Greeks memory afterTrade = _add(b, unit, k);
        int256 ceiling = g.allowed > _worst(b, g) ? g.allowed : _worst(b, g);
        // Slack: the test's own truncation of the traded Greeks (1 wei of gamma is up to 5e11 wei of loss at
        // 100,000 USD) plus a few wei per scenario term times the units traded; 1e-6 USD in all.
        assertTrue(_worst(afterTrade, g) <= ceiling + int256(k / WAD) + 1e12, "max trade exceeds the allowance");
    }

    /// A trade that lowers the worst loss is always admissible: its size is at most `maxTradeDown`.
    function testFuzz_aTradeThatReducesTheWorstLossIsNeverRejected(uint256 seed, uint256 units) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        IOptionsEngine.Greeks memory unit = _book(seed ^ 2);
        uint256 k = bound(units, 1, 1e24);
        int256 worstBefore = _worst(b, g);
        vm.assume(_worst(_add(b, unit, k), g) < worstBefore - 1e7);
        assertLe(k, _max(b, unit, g), "a loss-reducing trade was not admissible");
    }

    /// Within the allowance, the bound shrinks as the book's gamma falls (more short gamma).
    function testFuzz_boundShrinksAsGammaFalls(uint256 seed, uint256 drop, uint256 slack) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        IOptionsEngine.Greeks memory unit = _book(seed ^ 3);
        IOptionsEngine.Greeks memory shorter = IOptionsEngine.Greeks(
            b.delta,
            b.gamma - int256(bound(drop, 0, 10e18)),
            b.vega
        );
        _within(shorter, g, slack);
        assertLe(_max(shorter, unit, g), _max(b, unit, g), "bound grew as gamma fell");
    }

    /// Within the allowance, for a short-vega book and a trade that is short vega (or a perpetual), the bound
    /// shrinks as the book's vega falls further.
    function testFuzz_boundShrinksAsShortVegaGrows(uint256 seed, uint256 drop, uint256 slack) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        if (b.vega > 0) b.vega = -b.vega;
        IOptionsEngine.Greeks memory unit = _book(seed ^ 4);
        if (unit.vega > 0) unit.vega = -unit.vega;
        IOptionsEngine.Greeks memory shorter = IOptionsEngine.Greeks(
            b.delta,
            b.gamma,
            b.vega - int256(bound(drop, 0, 1e27))
        );
        _within(shorter, g, slack);
        assertLe(_max(shorter, unit, g), _max(b, unit, g), "bound grew as vega fell");
    }

    /// Within the allowance, for a short-gamma, short-vega book, the bound of a perpetual shrinks as sigma rises.
    function testFuzz_perpBoundShrinksAsSigmaRises(uint256 seed, uint256 bump, uint256 slack) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        if (b.gamma > 0) b.gamma = -b.gamma;
        if (b.vega > 0) b.vega = -b.vega;
        IOptionsEngine.Greeks memory unit = _perp(seed % 2 == 0);
        Grid memory higher = Grid(g.spot, g.sigma + bound(bump, 0, 3e18), g.horizon, g.z, g.volShock, g.allowed);
        _within(b, higher, slack);
        g.allowed = higher.allowed;
        assertLe(_max(b, unit, higher), _max(b, unit, g), "bound grew with sigma");
    }

    /// Within the allowance, for a short-vega book, the bound of a perpetual shrinks as the vol shock rises.
    function testFuzz_perpBoundShrinksAsVolShockRises(uint256 seed, uint256 bump, uint256 slack) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        if (b.vega > 0) b.vega = -b.vega;
        IOptionsEngine.Greeks memory unit = _perp(seed % 2 == 0);
        Grid memory higher = Grid(g.spot, g.sigma, g.horizon, g.z, g.volShock + bound(bump, 0, 2e18), g.allowed);
        _within(b, higher, slack);
        g.allowed = higher.allowed;
        assertLe(_max(b, unit, higher), _max(b, unit, g), "bound grew with the vol shock");
    }

    /// Beyond the allowance the monotonicity above fails: a short-put book (delta +45, gamma -0.077 per USD at
    /// 3,000) whose grid loss exceeds what the account can bear admits a short perpetual (maintenance 5 %: 150 USD
    /// per unit) up to where the hedge stops reducing that loss, `2 delta X / (m + X)` units: 60 at a grid move of
    /// 10 %, 45 at 5 %. A narrower grid (a lower z, horizon or gap) lowers that bound, so in a market with Greeks
    /// sizing their changes wait GOVERNANCE_DELAY whichever way they go (GovernanceLogic._gridMoves; found by the
    /// account-rule invariant suite).
    function test_beyondTheAllowanceANarrowerGridLowersAHedgesBound() external view {
        IOptionsEngine.Greeks memory book = IOptionsEngine.Greeks({delta: 45e18, gamma: -0.077e18, vega: 0});
        IOptionsEngine.Greeks memory shortPerp = IOptionsEngine.Greeks({delta: -int256(WAD), gamma: 0, vega: 0});
        uint256 wide = harness.maxTradeDownWithCost(book, shortPerp, 150e18, 3_000e18, 0.1e18, 0.5e18, 1_000e18);
        uint256 narrow = harness.maxTradeDownWithCost(book, shortPerp, 150e18, 3_000e18, 0.05e18, 0.5e18, 1_000e18);
        assertApproxRel(wide, 60e18, 1e15, "the hedge's bound at a 10 % grid");
        assertApproxRel(narrow, 45e18, 1e15, "the hedge's bound at a 5 % grid");
        assertLt(narrow, wide, "a narrower grid lowered the hedge's bound");
    }

    /// A delta-neutral, short-gamma book gets a smaller bound than the long-gamma book of the same delta.
    function testFuzz_shortGammaGetsASmallerBoundThanLongGamma(uint256 seed, uint256 slack) external view {
        Grid memory g = _grid(seed);
        IOptionsEngine.Greeks memory b = _book(seed);
        int256 gamma = b.gamma >= 0 ? b.gamma : -b.gamma;
        IOptionsEngine.Greeks memory shortGamma = IOptionsEngine.Greeks(0, -gamma, b.vega);
        IOptionsEngine.Greeks memory longGamma = IOptionsEngine.Greeks(0, gamma, b.vega);
        IOptionsEngine.Greeks memory unit = _book(seed ^ 5);
        _within(shortGamma, g, slack);
        assertLe(_max(shortGamma, unit, g), _max(longGamma, unit, g), "short gamma got the larger bound");
    }

    function _add(
        IOptionsEngine.Greeks memory b,
        IOptionsEngine.Greeks memory unit,
        uint256 k
    ) private pure returns (IOptionsEngine.Greeks memory) {
        return
            IOptionsEngine.Greeks({
                delta: b.delta + (unit.delta * int256(k)) / int256(WAD),
                gamma: b.gamma + (unit.gamma * int256(k)) / int256(WAD),
                vega: b.vega + (unit.vega * int256(k)) / int256(WAD)
            });
    }
}
