// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IMarginEngine} from "./interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "./interfaces/IOptionsEngine.sol";
import {IRiskKeeper} from "./interfaces/IRiskKeeper.sol";
import {IRiskModule} from "./interfaces/IRiskModule.sol";
import {IVolatilityOracle} from "./interfaces/IVolatilityOracle.sol";
import {DepthLogic} from "./logic/DepthLogic.sol";
import {Checks, Context} from "./logic/EvaluationTypes.sol";
import {KeeperLogic} from "./logic/KeeperLogic.sol";
import {ValidationLogic} from "./logic/ValidationLogic.sol";
import {RiskConfig} from "./RiskConfig.sol";

/// @title RiskModule
/// @notice Ballast's risk module for one margin engine. See `IRiskModule` for the account rule, the integration
/// contract, the trust assumptions and the powers of each role, and `RiskConfig` for the hard bounds.
/// @dev A thin core: the account rule is evaluated once, in `EvaluationLogic`, and applied by two linked
/// libraries, `ValidationLogic` (risk-increasing actions) and `KeeperLogic` (reports and deleverage); the depth
/// refresh is `DepthLogic`. They run by DELEGATECALL on this contract's storage (an ERC-7201 namespace), which
/// keeps the module under the contract-size limit. The module holds no funds; `deleverage` and `refreshDepth`
/// are guarded against reentrancy.
contract RiskModule is RiskConfig, ReentrancyGuardTransient {
    /// @param engine_ The margin engine this module serves (immutable).
    /// @param volatilityOracle_ The volatility oracle (immutable).
    /// @param adminDelay Delay of a default-admin transfer, seconds.
    /// @param admin The initial default admin.
    constructor(
        IMarginEngine engine_,
        IVolatilityOracle volatilityOracle_,
        uint48 adminDelay,
        address admin
    ) RiskConfig(engine_, volatilityOracle_, adminDelay, admin) {}

    /// @inheritdoc IRiskModule
    function validateIncrease(address account, uint256 market) external view {
        ValidationLogic.validateIncrease(_state(), _context(Checks.Increase), account, market);
    }

    /// @inheritdoc IRiskModule
    function validateAccount(address account) external view {
        ValidationLogic.validateAccount(_state(), _context(Checks.Increase), account);
    }

    /// @inheritdoc IRiskModule
    function validateOptionsTrade(address account, uint256 market, IOptionsEngine.Greeks calldata trade) external view {
        ValidationLogic.validateOptionsTrade(_state(), _context(Checks.Increase), account, market, trade);
    }

    /// @inheritdoc IRiskKeeper
    function positionRisk(address account, uint256 market) external view returns (PositionRisk memory) {
        return KeeperLogic.positionRisk(_state(), _context(Checks.Deleverage), account, market);
    }

    /// @inheritdoc IRiskKeeper
    function accountStatus(address account) external view returns (AccountStatus memory) {
        return KeeperLogic.accountStatus(_state(), _context(Checks.Deleverage), account);
    }

    /// @inheritdoc IRiskKeeper
    function deleverageQuote(
        address account,
        uint256 market
    ) external view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee) {
        return KeeperLogic.deleverageQuote(_state(), _context(Checks.Deleverage), account, market);
    }

    /// @inheritdoc IRiskKeeper
    function deleverage(address account, uint256 market) external nonReentrant returns (uint256 sizeDelta) {
        return KeeperLogic.deleverage(_state(), _context(Checks.Deleverage), account, market, msg.sender);
    }

    /// @inheritdoc IRiskKeeper
    function greeksRisk(address account, uint256 market) external view returns (GreeksRisk memory) {
        return KeeperLogic.greeksRisk(_state(), _context(Checks.Deleverage), account, market);
    }

    /// @inheritdoc IRiskKeeper
    function maxOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata perUnit
    ) external view returns (uint256) {
        return KeeperLogic.maxOptionsTrade(_state(), _context(Checks.Deleverage), account, market, perUnit);
    }

    /// @inheritdoc IRiskKeeper
    function refreshDepth(uint256 market) external nonReentrant returns (uint256 down, uint256 up) {
        return DepthLogic.refresh(_state(), market);
    }

    /// @inheritdoc IRiskKeeper
    function depthState(uint256 market) external view returns (DepthState memory) {
        return _state().depth[market];
    }

    /// @inheritdoc IRiskKeeper
    function deleverageCapacity(uint256 market) external view returns (uint256 remaining, uint256 capacity) {
        return KeeperLogic.deleverageCapacity(_state(), market);
    }

    function _context(Checks checks) private view returns (Context memory) {
        return Context({engine: engine, volatility: volatilityOracle, checks: checks});
    }
}
