// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarginEngineConformance} from "../../../contracts/conformance/MarginEngineConformance.sol";
import {IAggregatorV3} from "../../../contracts/interfaces/external/IAggregatorV3.sol";
import {IReferenceMarginEngine} from "../../../contracts/interfaces/IReferenceMarginEngine.sol";
import {IRiskHook} from "../../../contracts/interfaces/IRiskHook.sol";
import {ReferenceMarginEngine} from "../../../contracts/reference/ReferenceMarginEngine.sol";
import {TestOffchainAggregator} from "../../../contracts/test/TestOffchainAggregator.sol";
import {TestStablecoin} from "../../../contracts/test/TestStablecoin.sol";

/// @notice The conformance kit pointed at the reference engine (`contracts/reference/ReferenceMarginEngine.sol`).
contract ReferenceMarginEngineConformanceTest is MarginEngineConformance {
    ReferenceMarginEngine internal engine;
    TestStablecoin internal usdc;

    function _deploy(IRiskHook module) internal override returns (Deployment memory) {
        usdc = new TestStablecoin();
        TestOffchainAggregator ethUsd = new TestOffchainAggregator(
            8,
            "ETH / USD",
            TestOffchainAggregator.MissingRound.ReturnZeros
        );
        TestOffchainAggregator usdcUsd = new TestOffchainAggregator(
            8,
            "USDC / USD",
            TestOffchainAggregator.MissingRound.ReturnZeros
        );
        ethUsd.transmit(3_000e8, uint32(block.timestamp));
        usdcUsd.transmit(1e8, uint32(block.timestamp));
        engine = new ReferenceMarginEngine(address(this));
        engine.listCollateral(address(usdc), IReferenceMarginEngine.Collateral(IAggregatorV3(address(usdcUsd))));
        engine.listMarket(1, IReferenceMarginEngine.Market(IAggregatorV3(address(ethUsd)), 0.05e18, 0.01e18));
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
        engine.deposit(address(usdc), amount);
    }

    function _trade(address account, uint256 market, int256 sizeDelta) internal override {
        VM.prank(account);
        engine.trade(market, sizeDelta);
    }

    function _withdraw(address account, uint256 amount) internal override {
        VM.prank(account);
        engine.withdraw(address(usdc), amount);
    }
}
