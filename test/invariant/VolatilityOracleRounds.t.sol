// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAggregatorV3} from "../../contracts/interfaces/external/IAggregatorV3.sol";

import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {VolatilityMath} from "../../contracts/libraries/VolatilityMath.sol";
import {IEACAggregatorProxy, ITestAggregator} from "./system/RiskSystem.sol";
import {Test} from "../utils/Test.sol";

/// @notice The volatility oracle under adversarial rounds (issue 15): `poke` fuzzed with random round sequences
/// through a real Chainlink `EACAggregatorProxy`: ordinary and extreme moves (up to x1e12 and answers above
/// 2^191), zero and negative answers, future timestamps, out-of-order and duplicate timestamps, missing rounds
/// (gaps in the ids), incomplete rounds, phase changes (skipped phases included), time passing and pokes at any
/// moment, on an OCR2 aggregator (missing rounds read as zeros) and an OCR1 one (they revert). After every poke:
/// the effective and realized volatility lie in `[sigmaMin, sigmaMax]`; the cursor and the reference time never
/// move back and a fold always moves the reference time forward (no round is folded twice; a second poke with
/// nothing new folds nothing); one poke folds at most `maxRoundsPerPoke` rounds and costs at most
/// `POKE_GAS_BASE + maxRoundsPerPoke * POKE_GAS_PER_READ`; the state is consistent (the stored volatility is the
/// estimator's value of the stored sums, the reference price is a valid answer, `B > 0` once folded). Fuzz runs:
/// `FUZZ_RUNS` (1,000) per test, 24 steps each.
contract VolatilityOracleRoundsTest is Test {
    uint256 private constant WAD = 1e18;
    uint256 private constant STEPS = 24;
    uint16 private constant MAX_ROUNDS = 6;
    /// @dev The stated bound of one poke: a fixed part plus one per round read (proxy read, fold, event).
    uint256 private constant POKE_GAS_BASE = 60_000;
    uint256 private constant POKE_GAS_PER_READ = 25_000;

    IVolatilityOracle private oracle;
    address[2] private proxies;
    ITestAggregator[2] private aggregators;
    uint256[2] private lastPrice;

    struct Seen {
        uint80 cursor;
        uint64 referenceTime;
    }

    function setUp() external {
        vm.warp(1_700_000_000);
        oracle = IVolatilityOracle(_deploy("VolatilityOracle", abi.encode(uint48(0), address(this))));
        IAccessControl(address(oracle)).grantRole(keccak256("RISK_ADMIN_ROLE"), address(this));
        for (uint256 f; f < 2; ++f) {
            // f = 0: OCR2 (a missing round reads as zeros); f = 1: OCR1 (it reverts).
            aggregators[f] = _aggregator(uint8(f));
            proxies[f] = _deploy("EACAggregatorProxy", abi.encode(address(aggregators[f]), address(0)));
            aggregators[f].transmit(int192(2_000e8), uint32(block.timestamp));
            lastPrice[f] = 2_000e8;
            oracle.configureFeed(
                proxies[f],
                IVolatilityOracle.FeedConfig({
                    impliedFeed: IAggregatorV3(address(0)),
                    maxAge: 2 hours,
                    tauUp: 1 hours,
                    tauDown: 1 days,
                    maxRoundsPerPoke: MAX_ROUNDS,
                    sigmaMin: 0.1e18,
                    sigmaMax: 5e18,
                    impliedWeight: 0
                })
            );
            oracle.poke(proxies[f]);
        }
    }

    function testFuzz_pokeKeepsSigmaInBoundsAndStateSoundUnderAdversarialRoundsOcr2(uint256 seed) external {
        _run(0, seed);
    }

    function testFuzz_pokeKeepsSigmaInBoundsAndStateSoundUnderAdversarialRoundsOcr1(uint256 seed) external {
        _run(1, seed);
    }

    function _run(uint256 f, uint256 seed) private {
        Seen memory seen = _seen(f);
        for (uint256 step; step < STEPS; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 kind = r % 11;
            if (kind == 0)
                _round(f, _move(f, r >> 8, 5_000), block.timestamp); // up to +-50 %
            else if (kind == 1) _round(f, _extreme(f, r >> 8), block.timestamp);
            else if (kind == 2)
                _raw(f, (r >> 8) % 2 == 0 ? int192(0) : -int192(int256(1 + ((r >> 9) % 1e12))), block.timestamp);
            else if (kind == 3) _round(f, _move(f, r >> 8, 500), block.timestamp + 1 + ((r >> 40) % 1 days));
            else if (kind == 4) _round(f, _move(f, r >> 8, 500), _older(f, r >> 40));
            else if (kind == 5) _gap(f, r >> 8);
            else if (kind == 6) _incomplete(f, r >> 8);
            else if (kind == 7) _phaseChange(f, r >> 8);
            else if (kind == 8) vm.warp(block.timestamp + ((r >> 8) % 3 hours));
            else seen = _pokeAndCheck(f, seen);
        }
        seen = _pokeAndCheck(f, seen);
        // Drained: poking again folds nothing new.
        for (uint256 i; i < 20 && oracle.feedState(proxies[f]).cursor < _latestProxyRound(f); ++i) {
            seen = _pokeAndCheck(f, seen);
        }
        uint64 before = oracle.feedState(proxies[f]).referenceTime;
        assertEq(oracle.poke(proxies[f]), 0, "a poke with no new round folded something");
        assertEq(oracle.feedState(proxies[f]).referenceTime, before, "a poke with no new round moved the reference");
    }

    function _pokeAndCheck(uint256 f, Seen memory seen) private returns (Seen memory) {
        address feed = proxies[f];
        uint256 gasBefore = gasleft();
        uint256 folded = oracle.poke(feed);
        uint256 used = gasBefore - gasleft();
        assertLe(folded, MAX_ROUNDS, "a poke folded more than maxRoundsPerPoke rounds");
        assertLe(used, POKE_GAS_BASE + MAX_ROUNDS * POKE_GAS_PER_READ, "a poke cost more than its bound");
        IVolatilityOracle.FeedState memory s = oracle.feedState(feed);
        assertGe(s.cursor, seen.cursor, "the cursor moved back");
        assertGe(s.referenceTime, seen.referenceTime, "the reference time moved back");
        if (folded != 0) assertLt(seen.referenceTime, s.referenceTime, "a fold did not move the reference forward");
        else assertEq(s.referenceTime, seen.referenceTime, "the reference moved without a fold");
        assertLe(s.referenceTime, block.timestamp, "the reference is in the future");
        assertTrue(s.referencePrice != 0 && s.referencePrice <= VolatilityMath.MAX_PRICE, "invalid reference price");
        if (s.folded) {
            assertTrue(s.b != 0, "folded with B = 0");
            assertEq(s.realizedSigma, VolatilityMath.sigmaUp(s.a, s.b, 0, type(uint64).max), "stored sigma != sums");
        }
        (uint256 sigma, ) = oracle.getVolatility(feed);
        assertGe(sigma, 0.1e18, "effective sigma below sigmaMin");
        assertLe(sigma, 5e18, "effective sigma above sigmaMax");
        uint256 realized = oracle.realizedVolatility(feed);
        assertGe(realized, 0.1e18, "realized sigma below sigmaMin");
        assertLe(realized, 5e18, "realized sigma above sigmaMax");
        return Seen(s.cursor, s.referenceTime);
    }

    function _seen(uint256 f) private view returns (Seen memory) {
        IVolatilityOracle.FeedState memory s = oracle.feedState(proxies[f]);
        return Seen(s.cursor, s.referenceTime);
    }

    /// @dev A move of up to `maxBps` basis points either way from the last valid price.
    function _move(uint256 f, uint256 r, uint256 maxBps) private view returns (uint256) {
        uint256 bps = r % (2 * maxBps + 1);
        return Math.max(1, (lastPrice[f] * (10_000 - maxBps + bps)) / 10_000);
    }

    /// @dev An extreme answer: x1e12, /1e12, 1 wei, or above 2^191 (not foldable).
    function _extreme(uint256 f, uint256 r) private view returns (uint256) {
        uint256 k = r % 4;
        if (k == 0)
            return lastPrice[f] * 1e12 > uint256(uint192(type(int192).max)) ? lastPrice[f] : lastPrice[f] * 1e12;
        if (k == 1) return Math.max(1, lastPrice[f] / 1e12);
        if (k == 2) return 1;
        return VolatilityMath.MAX_PRICE + 1 + (r % 1e30);
    }

    /// @dev A timestamp at or before the aggregator's latest (a duplicate or out-of-order round).
    function _older(uint256 f, uint256 r) private view returns (uint256) {
        (, , , uint256 latest, ) = aggregators[f].latestRoundData();
        return latest > 2 ? latest - (r % 3) * (r % 600) : latest;
    }

    function _round(uint256 f, uint256 price, uint256 updatedAt) private {
        _raw(f, int192(int256(price)), updatedAt);
        if (price <= VolatilityMath.MAX_PRICE && updatedAt <= block.timestamp) lastPrice[f] = price;
    }

    function _raw(uint256 f, int192 answer, uint256 updatedAt) private {
        aggregators[f].transmit(answer, uint32(updatedAt));
    }

    /// @dev Rounds missing from the ids: the next one written 2 to 5 ids ahead.
    function _gap(uint256 f, uint256 r) private {
        uint32 id = uint32(aggregators[f].latestRound()) + 2 + uint32(r % 4);
        uint256 price = _move(f, r >> 8, 300);
        aggregators[f].setRound(id, int192(int256(price)), uint32(block.timestamp), uint32(block.timestamp), id);
        lastPrice[f] = price;
    }

    /// @dev An incomplete round (`answeredInRound < roundId`).
    function _incomplete(uint256 f, uint256 r) private {
        uint32 id = uint32(aggregators[f].latestRound()) + 1;
        uint256 price = _move(f, r, 300);
        aggregators[f].setRound(id, int192(int256(price)), uint32(block.timestamp), uint32(block.timestamp), id - 1);
    }

    /// @dev The proxy moves to a new aggregator (sometimes one with no round yet: a phase with nothing in it).
    function _phaseChange(uint256 f, uint256 r) private {
        ITestAggregator next = _aggregator(uint8(f));
        if (r % 3 != 0) next.transmit(int192(int256(_move(f, r >> 8, 300))), uint32(block.timestamp));
        IEACAggregatorProxy(proxies[f]).proposeAggregator(address(next));
        IEACAggregatorProxy(proxies[f]).confirmAggregator(address(next));
        aggregators[f] = next;
    }

    function _latestProxyRound(uint256 f) private view returns (uint80 id) {
        (id, , , , ) = IAggregatorV3(proxies[f]).latestRoundData();
    }

    function _aggregator(uint8 missing) private returns (ITestAggregator) {
        return ITestAggregator(_deploy("TestOffchainAggregator", abi.encode(uint8(8), "ETH / USD", missing)));
    }

    function _deploy(string memory name, bytes memory args) private returns (address deployed) {
        bytes memory code = abi.encodePacked(vm.getCode(name), args);
        // solhint-disable-next-line no-inline-assembly
        assembly {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        assertTrue(deployed != address(0), name);
    }
}
