// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {IUniswapV3FlashCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3FlashCallback.sol";
import {IUniswapV3MintCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3MintCallback.sol";
import {IUniswapV3SwapCallback} from "@uniswap/v3-core/contracts/interfaces/callback/IUniswapV3SwapCallback.sol";

import {IReferenceMarginEngine} from "../../interfaces/IReferenceMarginEngine.sol";
import {IRiskModule} from "../../interfaces/IRiskModule.sol";

/// @title FlashAttacker
/// @notice TEST ATTACKER. Inside one transaction funded by a real Uniswap V3 flash loan (from `lender`),
/// pushes the reference pool's spot price and in-range liquidity, refreshes the module's depth state, then
/// tries (a) to open a position above the cap, (b) to deleverage other accounts, and (c) reads its own
/// collateral value and cap as the module sees them; then unwinds and repays. Every outcome is recorded for
/// the test to compare with the unmanipulated state.
contract FlashAttacker is IUniswapV3FlashCallback, IUniswapV3MintCallback, IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    error UnknownCaller(address caller);

    struct Attack {
        uint256 borrow0;
        uint256 borrow1;
        bool zeroForOne;
        uint160 sqrtPriceLimitX96;
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
        int256 tradeSize;
        address[] victims;
    }

    struct Observed {
        uint256 capDuring;
        int256 equityDuring;
        uint256 depthDownDuring;
        int24 spotTickDuring;
        bool tradeSucceeded;
        bytes tradeError;
    }

    uint160 private constant _MIN_SQRT = 4_295_128_739;
    uint160 private constant _MAX_SQRT = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342;

    IUniswapV3Pool public immutable lender;
    IUniswapV3Pool public immutable pool;
    IRiskModule public immutable module;
    IReferenceMarginEngine public immutable engine;
    uint256 public immutable market;

    Observed public observed;
    bytes[] public victimErrors;
    bool[] public victimDeleveraged;

    constructor(
        IUniswapV3Pool lender_,
        IUniswapV3Pool pool_,
        IRiskModule module_,
        IReferenceMarginEngine engine_,
        uint256 market_
    ) {
        lender = lender_;
        pool = pool_;
        module = module_;
        engine = engine_;
        market = market_;
    }

    /// @notice Deposits collateral the attacker holds into the engine (it trades as an engine account).
    function deposit(address asset, uint256 amount) external {
        IERC20(asset).forceApprove(address(engine), amount);
        engine.deposit(asset, amount);
    }

    /// @notice Runs the attack inside a flash loan of the lender pool.
    function attack(Attack calldata a) external {
        delete victimErrors;
        delete victimDeleveraged;
        lender.flash(address(this), a.borrow0, a.borrow1, abi.encode(a));
    }

    /// @inheritdoc IUniswapV3FlashCallback
    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external {
        if (msg.sender != address(lender)) revert UnknownCaller(msg.sender);
        Attack memory a = abi.decode(data, (Attack));

        // Manipulate: push the spot price, then add in-range liquidity.
        (int256 pushed0, int256 pushed1) = pool.swap(
            address(this),
            a.zeroForOne,
            type(int256).max,
            a.sqrtPriceLimitX96,
            ""
        );
        if (a.liquidity > 0) pool.mint(address(this), a.tickLower, a.tickUpper, a.liquidity, "");
        module.refreshDepth(market);

        // Observe and try, inside the manipulated state.
        observed.capDuring = module.positionRisk(address(this), market).cap;
        observed.equityDuring = module.accountStatus(address(this)).equity;
        observed.depthDownDuring = module.depthState(market).down;
        (, observed.spotTickDuring, , , , , ) = pool.slot0();
        try engine.trade(market, a.tradeSize) {
            observed.tradeSucceeded = true;
        } catch (bytes memory reason) {
            observed.tradeError = reason;
        }
        for (uint256 i; i < a.victims.length; ++i) {
            try module.deleverage(a.victims[i], market) {
                victimDeleveraged.push(true);
                victimErrors.push("");
            } catch (bytes memory reason) {
                victimDeleveraged.push(false);
                victimErrors.push(reason);
            }
        }

        // Unwind and repay.
        if (a.liquidity > 0) {
            pool.burn(a.tickLower, a.tickUpper, a.liquidity);
            pool.collect(address(this), a.tickLower, a.tickUpper, type(uint128).max, type(uint128).max);
        }
        int256 back = a.zeroForOne ? -pushed1 : -pushed0;
        pool.swap(address(this), !a.zeroForOne, back, a.zeroForOne ? _MAX_SQRT - 1 : _MIN_SQRT + 1, "");
        IERC20(lender.token0()).safeTransfer(address(lender), a.borrow0 + fee0);
        IERC20(lender.token1()).safeTransfer(address(lender), a.borrow1 + fee1);
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != address(pool)) revert UnknownCaller(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).safeTransfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).safeTransfer(msg.sender, uint256(amount1Delta));
    }

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != address(pool)) revert UnknownCaller(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).safeTransfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).safeTransfer(msg.sender, amount1Owed);
    }

    /// @notice The number of victims of the last attack.
    function victimCount() external view returns (uint256) {
        return victimErrors.length;
    }
}
