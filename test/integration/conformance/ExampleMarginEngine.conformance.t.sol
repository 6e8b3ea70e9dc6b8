// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarginEngineConformance} from "../../../contracts/conformance/MarginEngineConformance.sol";
import {ExampleMarginEngine} from "../../../contracts/examples/ExampleMarginEngine.sol";
import {IAggregatorV3} from "../../../contracts/interfaces/external/IAggregatorV3.sol";
import {IRiskHook} from "../../../contracts/interfaces/IRiskHook.sol";
import {TestOffchainAggregator} from "../../../contracts/test/TestOffchainAggregator.sol";
import {TestStablecoin} from "../../../contracts/test/TestStablecoin.sol";

/// @notice The conformance kit pointed at the example engine (`contracts/examples/ExampleMarginEngine.sol`).
contract ExampleMarginEngineConformanceTest is MarginEngineConformance {
    ExampleMarginEngine internal engine;
    TestStablecoin internal usdc;

    function _deploy(IRiskHook module) internal override returns (Deployment memory) {
        usdc = new TestStablecoin();
        TestOffchainAggregator feed = new TestOffchainAggregator(
            8,
            "ETH / USD",
            TestOffchainAggregator.MissingRound.ReturnZeros
        );
        feed.transmit(3_000e8, uint32(block.timestamp));
        engine = new ExampleMarginEngine(address(this), address(usdc));
        engine.listMarket(1, IAggregatorV3(address(feed)), 0.05e18);
        engine.setRiskModule(module);
        return
            Deployment({
                engine: engine,
                market: 1,
                asset: address(usdc),
                price: 3_000e18,
                size: 1e18,
                priceTolerance: 0
            });
    }

    function _deposit(address account) internal override returns (uint256 amount) {
        amount = 10_000e6;
        usdc.mint(account, amount);
        VM.prank(account);
        usdc.approve(address(engine), amount);
        VM.prank(account);
        engine.deposit(amount);
    }

    function _trade(address account, uint256 market, int256 sizeDelta) internal override {
        VM.prank(account);
        engine.trade(market, sizeDelta);
    }

    function _withdraw(address account, uint256 amount) internal override {
        VM.prank(account);
        engine.withdraw(amount);
    }
}
