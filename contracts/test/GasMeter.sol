// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// A meter calls arbitrary targets with arbitrary calldata: low-level calls are its job.
// solhint-disable avoid-low-level-calls

/// @title GasMeter
/// @notice TEST HELPER. Measures the gas of one call in a fresh transaction (storage and accounts cold), or
/// after warm-up calls that model what a caller would already have touched.
contract GasMeter {
    /// @notice Gas of the measured call, excluding this contract's own overhead.
    event Measured(uint256 gasUsed, bool success);

    /// @notice Runs `warmups` (ignored results), then measures `data` on `target`.
    function measure(
        address target,
        bytes calldata data,
        address[] calldata warmTargets,
        bytes[] calldata warmups
    ) external returns (uint256 gasUsed, bool success) {
        for (uint256 i; i < warmups.length; ++i) {
            (bool ok, ) = warmTargets[i].call(warmups[i]);
            ok; // warm-up results are irrelevant
        }
        uint256 start = gasleft();
        (success, ) = target.call(data);
        gasUsed = start - gasleft();
        emit Measured(gasUsed, success);
    }
}
