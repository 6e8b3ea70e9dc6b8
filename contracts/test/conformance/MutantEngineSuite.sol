// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarginEngineConformance} from "../../conformance/MarginEngineConformance.sol";
import {IRiskHook} from "../../interfaces/IRiskHook.sol";
import {TestStablecoin} from "../TestStablecoin.sol";
import {MutantMarginEngine} from "./MutantMarginEngine.sol";

/// @title MutantEngineSuite
/// @notice TEST HELPER: the conformance kit pointed at a `MutantMarginEngine`. Not a test file: the kit's own tests
/// (`test/integration/conformance/ConformanceKit.mutants.t.sol`) deploy one per case, call `setUp`, then one kit
/// test, and expect it to fail for a mutant and to pass for `Mutation.None`.
contract MutantEngineSuite is MarginEngineConformance {
    MutantMarginEngine.Mutation public immutable mutation;
    MutantMarginEngine internal _engine;
    TestStablecoin internal _usdc;

    constructor(MutantMarginEngine.Mutation mutation_) {
        mutation = mutation_;
    }

    function _deploy(IRiskHook module) internal override returns (Deployment memory) {
        _usdc = new TestStablecoin();
        _engine = new MutantMarginEngine(mutation, module, address(_usdc), 3_000e18);
        return
            Deployment({
                engine: _engine,
                market: 1,
                asset: address(_usdc),
                price: 3_000e18,
                size: 1e18,
                priceTolerance: 0
            });
    }

    function _deposit(address account) internal override returns (uint256 amount) {
        amount = 10_000e6;
        _usdc.mint(account, amount);
        VM.prank(account);
        _usdc.approve(address(_engine), amount);
        VM.prank(account);
        _engine.deposit(amount);
    }

    function _trade(address account, uint256 market, int256 sizeDelta) internal override {
        VM.prank(account);
        _engine.trade(market, sizeDelta);
    }

    function _withdraw(address account, uint256 amount) internal override {
        VM.prank(account);
        _engine.withdraw(amount);
    }
}
