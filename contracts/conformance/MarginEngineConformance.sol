// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskHook} from "../interfaces/IRiskHook.sol";
import {IConformanceVm} from "./IConformanceVm.sol";
import {RiskModuleProbe} from "./RiskModuleProbe.sol";

/// @title MarginEngineConformance
/// @notice The conformance kit of Ballast's integration contract (`IMarginEngine`), in the manner of the ERC-4626
/// property tests: inherit it in a test, deploy your engine in `_deploy` wired to the given risk module (a
/// `RiskModuleProbe` standing in for Ballast's, `_probe`), implement the three account actions (`_deposit`, `_trade`,
/// `_withdraw`) with your engine's own functions, and run `forge test` or `hardhat test solidity`. Each test checks
/// one rule: snapshot units and signs, open interest, the hooks called after the effects of every increase and
/// withdrawal and never for a reduction, a rejected action undone, `reducePosition` callable only by the module,
/// reduce-only and never flipping, the keeper fee paid, and `PositionChanged`/`KeeperPaid` emitted.
/// @dev Liquidations are engine-specific and not exercised here: they must not call the module (docs/INTEGRATION.md).
abstract contract MarginEngineConformance {
    /// @notice What `_deploy` returns.
    /// @param engine The engine under test, its risk module set to the _probe.
    /// @param market A listed market whose price the accounts trade at.
    /// @param asset The collateral `_deposit` deposits.
    /// @param price The market's execution price now, WAD quote per base unit.
    /// @param size A position size (base units WAD) an account funded by `_deposit` may hold, short or long, with
    /// room to double it (the tests open `size`, grow it to `2 * size`, and flip to `-size`).
    /// @param priceTolerance Largest relative gap between `price` and the entry price the engine records, WAD
    /// (spreads, impact; 0 for an engine that executes at the oracle price).
    struct Deployment {
        IMarginEngine engine;
        uint256 market;
        address asset;
        uint256 price;
        int256 size;
        uint256 priceTolerance;
    }

    /// @notice A rule of the integration contract failed: `rule` names it, `expected`/`actual` carry the values.
    error ConformanceViolation(string rule, int256 expected, int256 actual);

    IConformanceVm public constant VM = IConformanceVm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 private constant _POSITION_CHANGED = keccak256(
        "PositionChanged(address,uint256,int256,int256,uint256,int256)"
    );
    bytes32 private constant _KEEPER_PAID = keccak256("KeeperPaid(address,address,uint256)");

    address public constant ALICE = address(uint160(uint256(keccak256("ballast.conformance.alice"))));
    address public constant BOB = address(uint160(uint256(keccak256("ballast.conformance.bob"))));
    address public constant KEEPER = address(uint160(uint256(keccak256("ballast.conformance.keeper"))));

    RiskModuleProbe internal _probe;
    Deployment internal _d;

    /// @notice Deploys the engine under test with `module` as its risk module and lists `Deployment.market`.
    function _deploy(IRiskHook module) internal virtual returns (Deployment memory);

    /// @notice Gives `account` collateral and deposits it into the engine; returns the amount (token decimals).
    function _deposit(address account) internal virtual returns (uint256 amount);

    /// @notice Trades `sizeDelta` (base units WAD, signed) in `market` as `account` (e.g. `VM.prank` then call).
    function _trade(address account, uint256 market, int256 sizeDelta) internal virtual;

    /// @notice Withdraws `amount` of `Deployment.asset` (token decimals) as `account`.
    function _withdraw(address account, uint256 amount) internal virtual;

    function setUp() public virtual {
        _probe = new RiskModuleProbe();
        _d = _deploy(IRiskHook(address(_probe)));
        _probe.bind(_d.engine);
    }

    // ------------------------------------------------------------------ snapshot units and signs

    function testConformance_aLongIsReportedAsAPositiveWadSizeAtAWadEntryPrice() public {
        uint256 amount = _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size);
        IMarginEngine.AccountSnapshot memory s = _d.engine.accountSnapshot(ALICE);
        _eq("one position is reported", 1, int256(s.positions.length));
        _eq("its market", int256(_d.market), int256(s.positions[0].market));
        _eq("a long's size is positive, base units WAD", _d.size, s.positions[0].size);
        _near("entry price in WAD quote", _d.price, s.positions[0].entryPrice, _d.priceTolerance);
        _eq("collateral is reported in the token's own decimals", int256(amount), int256(_balance(s, _d.asset)));
    }

    function testConformance_aShortIsReportedAsANegativeSize() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, -_d.size);
        IMarginEngine.AccountSnapshot memory s = _d.engine.accountSnapshot(ALICE);
        _eq("a short's size is negative", -_d.size, _size(s, _d.market));
        _near("entry price in WAD quote", _d.price, s.positions[0].entryPrice, _d.priceTolerance);
    }

    function testConformance_openInterestSumsLongAndShortSizesPerSide() public {
        (uint256 long0, uint256 short0) = _d.engine.openInterest(_d.market);
        _deposit(ALICE);
        _deposit(BOB);
        _trade(ALICE, _d.market, _d.size);
        _trade(BOB, _d.market, -_d.size / 2);
        (uint256 long1, uint256 short1) = _d.engine.openInterest(_d.market);
        _eq("long open interest grows by the long's size", int256(long0) + _d.size, int256(long1));
        _eq("short open interest grows by the short's absolute size", int256(short0) + _d.size / 2, int256(short1));
    }

    function testConformance_aClosedPositionIsNoLongerReported() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size);
        _trade(ALICE, _d.market, -_d.size);
        _eq("no zero position in the snapshot", 0, int256(_d.engine.accountSnapshot(ALICE).positions.length));
    }

    // ------------------------------------------------------------------ hooks after increases, never for reductions

    function testConformance_anOpeningIsValidatedAfterItsEffects() public {
        _deposit(ALICE);
        _expectRejected(ALICE, _d.size, 0);
        _probe.expectPosition(ALICE, _d.market, _d.size);
        _trade(ALICE, _d.market, _d.size);
    }

    function testConformance_anIncreaseIsValidatedAfterItsEffects() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, -_d.size);
        _expectRejected(ALICE, -_d.size, -_d.size);
        _probe.expectPosition(ALICE, _d.market, -2 * _d.size);
        _trade(ALICE, _d.market, -_d.size);
    }

    function testConformance_aFlipIsValidatedAfterItsEffects() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size);
        _expectRejected(ALICE, -2 * _d.size, _d.size);
        _probe.expectPosition(ALICE, _d.market, -_d.size);
        _trade(ALICE, _d.market, -2 * _d.size);
    }

    function testConformance_reductionsAndClosesNeverCallTheModule() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size);
        _probe.setRejecting(true); // a reduction that consulted the module would now revert
        _trade(ALICE, _d.market, -_d.size / 2);
        int256 half = _d.size - _d.size / 2;
        _eq("a partial reduction goes through", half, _size(_d.engine.accountSnapshot(ALICE), _d.market));
        _trade(ALICE, _d.market, -half);
        _eq("a close goes through", 0, _size(_d.engine.accountSnapshot(ALICE), _d.market));
    }

    function testConformance_aWithdrawalWithAPositionIsValidatedAfterItsEffect() public {
        uint256 amount = _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size / 10);
        _probe.setRejecting(true);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(this).call(
            abi.encodeCall(this.conformanceWithdraw, (ALICE, amount / 100))
        );
        _probe.setRejecting(false);
        _true("a rejected withdrawal reverts (the engine calls validateAccount)", !ok);
        _true("with the module's own error", _isRejection(reason));
        _eq(
            "a rejected withdrawal is undone",
            int256(amount),
            int256(_balance(_d.engine.accountSnapshot(ALICE), _d.asset))
        );
        _probe.expectCollateral(ALICE, _d.asset, amount - amount / 100);
        _withdraw(ALICE, amount / 100);
    }

    // ------------------------------------------------------------------ reducePosition

    function testConformance_reducePositionRevertsForAnyCallerButTheModule() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, _d.size);
        address[3] memory callers = [address(this), ALICE, KEEPER];
        for (uint256 i; i < callers.length; ++i) {
            VM.prank(callers[i]);
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = address(_d.engine).call(
                abi.encodeCall(IMarginEngine.reducePosition, (ALICE, _d.market, uint256(_d.size), callers[i], 0))
            );
            _true("reducePosition by another caller reverts", !ok);
        }
        _eq("the position is unchanged", _d.size, _size(_d.engine.accountSnapshot(ALICE), _d.market));
    }

    function testConformance_reducePositionReducesTowardsZeroPaysTheKeeperAndEmits() public {
        _checkReduce(_d.size);
        _checkReduce(-_d.size);
    }

    function testConformance_reducePositionNeverGrowsOrFlipsAPosition() public {
        _deposit(ALICE);
        _deposit(BOB);
        _trade(ALICE, _d.market, _d.size);
        _trade(BOB, _d.market, -_d.size);
        address[2] memory accounts = [ALICE, BOB];
        for (uint256 i; i < 2; ++i) {
            int256 before = _size(_d.engine.accountSnapshot(accounts[i]), _d.market);
            try _probe.reduce(accounts[i], _d.market, uint256(_d.size) + 1, KEEPER, 0) {} catch {}
            int256 afterwards = _size(_d.engine.accountSnapshot(accounts[i]), _d.market);
            bool flipped = (before > 0 && afterwards < 0) || (before < 0 && afterwards > 0);
            _true("reducing more than the size never flips", !flipped);
            _true("nor grows the position", _abs(afterwards) <= _abs(before));
        }
    }

    function testConformance_reducePositionCanCloseExactlyAndNeverCallsTheModule() public {
        _deposit(ALICE);
        _trade(ALICE, _d.market, -_d.size);
        _probe.setRejecting(true); // reducePosition must not consult the module
        _probe.reduce(ALICE, _d.market, uint256(_d.size), KEEPER, 0);
        _eq("the position is closed", 0, int256(_d.engine.accountSnapshot(ALICE).positions.length));
    }

    // ------------------------------------------------------------------ events

    function testConformance_everyTradeEmitsPositionChangedWithItsSizes() public {
        _deposit(ALICE);
        int256[4] memory deltas = [_d.size, _d.size, -_d.size / 2, -(2 * _d.size - _d.size / 2)];
        int256 size;
        for (uint256 i; i < deltas.length; ++i) {
            VM.recordLogs();
            _trade(ALICE, _d.market, deltas[i]);
            _expectPositionChanged(ALICE, size, size + deltas[i], 0);
            size += deltas[i];
        }
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Lets the tests observe a reverting trade or withdrawal without reverting themselves.
    function conformanceTrade(address account, uint256 market, int256 sizeDelta) external {
        if (msg.sender != address(this)) revert ConformanceViolation("self only", 0, 0);
        _trade(account, market, sizeDelta);
    }

    /// @dev See `conformanceTrade`.
    function conformanceWithdraw(address account, uint256 amount) external {
        if (msg.sender != address(this)) revert ConformanceViolation("self only", 0, 0);
        _withdraw(account, amount);
    }

    /// @dev An increase the module rejects reverts with the module's own error and leaves the position at `unchanged`.
    function _expectRejected(address account, int256 sizeDelta, int256 unchanged) private {
        _probe.setRejecting(true);
        (bool ok, bytes memory reason) = _tryTrade(account, _d.market, sizeDelta);
        _probe.setRejecting(false);
        _true("a rejected increase reverts (the engine calls validateIncrease)", !ok);
        _true("with the module's own error", _isRejection(reason));
        _eq("a rejected increase is undone", unchanged, _size(_d.engine.accountSnapshot(account), _d.market));
    }

    function _isRejection(bytes memory reason) private pure returns (bool) {
        return reason.length >= 4 && bytes4(reason) == RiskModuleProbe.ProbeRejected.selector;
    }

    function _tryTrade(address account, uint256 market, int256 sizeDelta) private returns (bool, bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        return address(this).call(abi.encodeCall(this.conformanceTrade, (account, market, sizeDelta)));
    }

    function _checkReduce(int256 size) private {
        address account = size > 0 ? ALICE : BOB;
        _deposit(account);
        _trade(account, _d.market, size);
        IMarginEngine.AccountSnapshot memory keeperBefore = _d.engine.accountSnapshot(KEEPER);
        uint256 fee = 1e18;
        VM.recordLogs();
        _probe.reduce(account, _d.market, uint256(_d.size) / 2, KEEPER, fee);
        int256 expected = size - size / 2;
        _expectPositionChanged(account, size, expected, fee);
        _eq("reduced towards zero by sizeDelta", expected, _size(_d.engine.accountSnapshot(account), _d.market));
        IMarginEngine.AccountSnapshot memory keeperAfter = _d.engine.accountSnapshot(KEEPER);
        bool credited =
            keeperAfter.adjustments - keeperBefore.adjustments == int256(fee) ||
                _balance(keeperAfter, _d.asset) > _balance(keeperBefore, _d.asset);
        _true("the keeper fee reaches the keeper's account", credited);
    }

    /// @dev Checks the recorded logs hold `PositionChanged(account, market, before, after, price, ...)` and, when
    /// `fee` is not zero (a `reducePosition`), `KeeperPaid(account, KEEPER, fee)`.
    function _expectPositionChanged(address account, int256 before, int256 afterwards, uint256 fee) private {
        IConformanceVm.Log[] memory logs = VM.getRecordedLogs();
        bool seen;
        bool paid;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(_d.engine) || logs[i].topics.length == 0) continue;
            if (logs[i].topics[0] == _KEEPER_PAID && logs[i].topics[1] == bytes32(uint256(uint160(account)))) {
                _true("KeeperPaid names the keeper", logs[i].topics[2] == bytes32(uint256(uint160(KEEPER))));
                _eq("KeeperPaid carries the fee", int256(fee), int256(abi.decode(logs[i].data, (uint256))));
                paid = true;
            }
            if (logs[i].topics[0] != _POSITION_CHANGED || logs[i].topics[1] != bytes32(uint256(uint160(account))))
                continue;
            _eq("PositionChanged names the market", int256(_d.market), int256(uint256(logs[i].topics[2])));
            (int256 sizeBefore, int256 sizeAfter, uint256 price, ) = abi.decode(
                logs[i].data,
                (int256, int256, uint256, int256)
            );
            _eq("PositionChanged.sizeBefore", before, sizeBefore);
            _eq("PositionChanged.sizeAfter", afterwards, sizeAfter);
            _near("PositionChanged.price in WAD quote", _d.price, price, _d.priceTolerance);
            seen = true;
        }
        _true("PositionChanged emitted", seen);
        if (fee != 0) _true("KeeperPaid emitted", paid);
    }

    function _size(IMarginEngine.AccountSnapshot memory s, uint256 market) internal pure returns (int256 size) {
        uint256 found;
        for (uint256 i; i < s.positions.length; ++i) {
            if (s.positions[i].market != market) continue;
            size = s.positions[i].size;
            ++found;
        }
        if (found > 1) revert ConformanceViolation("at most one position per market", 1, int256(found));
        if (found == 1 && size == 0) revert ConformanceViolation("no zero position in the snapshot", 0, 0);
    }

    function _balance(IMarginEngine.AccountSnapshot memory s, address asset) internal pure returns (uint256 amount) {
        for (uint256 i; i < s.collateral.length; ++i)
            if (s.collateral[i].asset == asset) amount += s.collateral[i].amount;
    }

    function _true(string memory rule, bool condition) internal pure {
        if (!condition) revert ConformanceViolation(rule, 1, 0);
    }

    function _eq(string memory rule, int256 expected, int256 actual) internal pure {
        if (expected != actual) revert ConformanceViolation(rule, expected, actual);
    }

    function _near(string memory rule, uint256 expected, uint256 actual, uint256 tolerance) internal pure {
        uint256 gap = expected > actual ? expected - actual : actual - expected;
        if (gap * 1e18 > tolerance * expected) revert ConformanceViolation(rule, int256(expected), int256(actual));
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }
}
