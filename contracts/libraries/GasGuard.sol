// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title GasGuard
/// @notice Tells a call that failed on its own from one the caller starved of gas.
/// @dev A `try`/`catch` around an external call forwards at most 63/64 of the gas left (EIP-150). If the caller
/// set a gas limit just short of what the callee needs, the callee runs out of gas, the `catch` branch runs on
/// the 1/64 kept back, and the caller takes its fallback: a Chainlink feed read as "reverted" (deleverage then
/// prices at the pool TWAP), a TWAP read as unavailable, a round of the volatility feed read as missing. That
/// would let whoever sends the transaction (a keeper, a trader) choose the branch by choosing the gas limit. After
/// a failed call, at most `gasBefore / 64` can be left only if the callee consumed everything it was given:
/// such a failure is the caller's, and the transaction reverts instead of falling back. The cost: a feed that
/// fails by burning all the gas it is given (an invalid opcode) reverts the transaction rather than counting as
/// reverted; Chainlink's proxies and Uniswap V3 pools revert with data.
library GasGuard {
    /// @notice The external call to `target` failed for lack of gas (`gasLeft` was left of `gasBefore`).
    error CallStarvedOfGas(address target, uint256 gasBefore, uint256 gasLeft);

    /// @notice Reverts `CallStarvedOfGas` when the call to `target` that just failed was starved of gas;
    /// `gasBefore` is `gasleft()` read right before the call.
    function requireNotStarved(address target, uint256 gasBefore) internal view {
        uint256 left = gasleft();
        if (left <= gasBefore / 64) revert CallStarvedOfGas(target, gasBefore, left);
    }
}
