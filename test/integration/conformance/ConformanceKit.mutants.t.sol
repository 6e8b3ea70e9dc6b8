// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarginEngineConformance} from "../../../contracts/conformance/MarginEngineConformance.sol";
import {MutantEngineSuite} from "../../../contracts/test/conformance/MutantEngineSuite.sol";
import {MutantMarginEngine} from "../../../contracts/test/conformance/MutantMarginEngine.sol";

/// @notice The conformance kit's own tests: every check passes a conforming engine and fails the engine that breaks
/// its rule (each `MutantMarginEngine.Mutation`), so a green kit run means something.
contract ConformanceKitMutantsTest {
    error KitRejectedAConformingEngine(bytes4 test, bytes reason);
    error MutantSurvived(MutantMarginEngine.Mutation mutation, bytes4 test);

    function test_everyKitCheckPassesTheConformingEngine() external {
        bytes4[14] memory tests = [
            MarginEngineConformance.testConformance_aLongIsReportedAsAPositiveWadSizeAtAWadEntryPrice.selector,
            MarginEngineConformance.testConformance_aShortIsReportedAsANegativeSize.selector,
            MarginEngineConformance.testConformance_openInterestSumsLongAndShortSizesPerSide.selector,
            MarginEngineConformance.testConformance_aClosedPositionIsNoLongerReported.selector,
            MarginEngineConformance.testConformance_anOpeningIsValidatedAfterItsEffects.selector,
            MarginEngineConformance.testConformance_anIncreaseIsValidatedAfterItsEffects.selector,
            MarginEngineConformance.testConformance_aFlipIsValidatedAfterItsEffects.selector,
            MarginEngineConformance.testConformance_reductionsAndClosesNeverCallTheModule.selector,
            MarginEngineConformance.testConformance_aWithdrawalWithAPositionIsValidatedAfterItsEffect.selector,
            MarginEngineConformance.testConformance_reducePositionRevertsForAnyCallerButTheModule.selector,
            MarginEngineConformance.testConformance_reducePositionReducesTowardsZeroPaysTheKeeperAndEmits.selector,
            MarginEngineConformance.testConformance_reducePositionNeverGrowsOrFlipsAPosition.selector,
            MarginEngineConformance.testConformance_reducePositionCanCloseExactlyAndNeverCallsTheModule.selector,
            MarginEngineConformance.testConformance_everyTradeEmitsPositionChangedWithItsSizes.selector
        ];
        for (uint256 i; i < tests.length; ++i) {
            (bool ok, bytes memory reason) = _run(MutantMarginEngine.Mutation.None, tests[i]);
            if (!ok) revert KitRejectedAConformingEngine(tests[i], reason);
        }
    }

    function test_aShortReportedAsAPositiveSizeFailsTheSignCheck() external {
        _killed(
            MutantMarginEngine.Mutation.ShortReportedAsPositive,
            MarginEngineConformance.testConformance_aShortIsReportedAsANegativeSize.selector
        );
    }

    function test_openInterestThatIgnoresTheSideFailsTheOpenInterestCheck() external {
        _killed(
            MutantMarginEngine.Mutation.OpenInterestUnsigned,
            MarginEngineConformance.testConformance_openInterestSumsLongAndShortSizesPerSide.selector
        );
    }

    function test_validatingBeforeTheEffectsFailsTheAfterEffectsCheck() external {
        _killed(
            MutantMarginEngine.Mutation.ValidatesBeforeEffects,
            MarginEngineConformance.testConformance_anOpeningIsValidatedAfterItsEffects.selector
        );
    }

    function test_swallowingTheModulesRevertFailsTheRejectionCheck() external {
        _killed(
            MutantMarginEngine.Mutation.SwallowsRejection,
            MarginEngineConformance.testConformance_anOpeningIsValidatedAfterItsEffects.selector
        );
    }

    function test_validatingAnotherMarketFailsTheArgumentCheck() external {
        _killed(
            MutantMarginEngine.Mutation.WrongMarketValidated,
            MarginEngineConformance.testConformance_anIncreaseIsValidatedAfterItsEffects.selector
        );
    }

    function test_aFlipTreatedAsAReductionFailsTheFlipCheck() external {
        _killed(
            MutantMarginEngine.Mutation.FlipUnvalidated,
            MarginEngineConformance.testConformance_aFlipIsValidatedAfterItsEffects.selector
        );
    }

    function test_validatingReductionsFailsTheReductionCheck() external {
        _killed(
            MutantMarginEngine.Mutation.ValidatesReductions,
            MarginEngineConformance.testConformance_reductionsAndClosesNeverCallTheModule.selector
        );
    }

    function test_anUnvalidatedWithdrawalFailsTheWithdrawalCheck() external {
        _killed(
            MutantMarginEngine.Mutation.WithdrawalUnvalidated,
            MarginEngineConformance.testConformance_aWithdrawalWithAPositionIsValidatedAfterItsEffect.selector
        );
    }

    function test_reducePositionOpenToAnyoneFailsTheCallerCheck() external {
        _killed(
            MutantMarginEngine.Mutation.AnyoneMayReduce,
            MarginEngineConformance.testConformance_reducePositionRevertsForAnyCallerButTheModule.selector
        );
    }

    function test_reducePositionThatFlipsFailsTheReduceOnlyCheck() external {
        _killed(
            MutantMarginEngine.Mutation.ReduceMayFlip,
            MarginEngineConformance.testConformance_reducePositionNeverGrowsOrFlipsAPosition.selector
        );
    }

    function test_anUnpaidKeeperFailsTheKeeperFeeCheck() external {
        _killed(
            MutantMarginEngine.Mutation.KeeperUnpaid,
            MarginEngineConformance.testConformance_reducePositionReducesTowardsZeroPaysTheKeeperAndEmits.selector
        );
    }

    function test_aMissingPositionChangedFailsTheEventCheck() external {
        _killed(
            MutantMarginEngine.Mutation.NoPositionEvent,
            MarginEngineConformance.testConformance_everyTradeEmitsPositionChangedWithItsSizes.selector
        );
    }

    /// @dev Runs one kit test on a fresh suite (its own `setUp`) against an engine with `mutation`.
    function _run(MutantMarginEngine.Mutation mutation, bytes4 test) private returns (bool ok, bytes memory reason) {
        MutantEngineSuite suite = new MutantEngineSuite(mutation);
        suite.setUp();
        (ok, reason) = address(suite).call(abi.encodeWithSelector(test));
    }

    function _killed(MutantMarginEngine.Mutation mutation, bytes4 test) private {
        (bool ok, ) = _run(mutation, test);
        if (ok) revert MutantSurvived(mutation, test);
        (ok, ) = _run(MutantMarginEngine.Mutation.None, test);
        if (!ok) revert KitRejectedAConformingEngine(test, "");
    }
}
