// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The few cheatcodes Ballast's Solidity tests use, at the standard cheatcode address (forge-std is
/// not installable offline; Hardhat 3's runner serves these).
interface Vm {
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 selector) external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    /// @dev The creation bytecode of a project artifact, by contract name.
    function getCode(string calldata artifact) external view returns (bytes memory);
    /// @dev Reads a file (paths relative to the project root, within `fsPermissions` of hardhat.config.ts).
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function label(address account, string calldata name) external;
}

/// @notice Base of Ballast's Solidity tests: cheatcodes, input bounding and assertions that revert with a
/// custom error carrying the values that broke the property.
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 a, uint256 b);
    error AssertionFailedSigned(string what, int256 a, int256 b);

    /// @dev Maps `x` into `[min, max]` (uniformly enough for fuzzing, and keeping edge values reachable).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min == max) return min;
        uint256 size = max - min + 1;
        if (size == 0) return x; // full range
        if (x <= 3 && x < size) return min + x;
        if (x >= type(uint256).max - 3 && type(uint256).max - x < size) return max - (type(uint256).max - x);
        return min + (x % size);
    }

    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what, a, b);
    }

    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) revert AssertionFailed(what, a, b);
    }

    function assertGe(uint256 a, uint256 b, string memory what) internal pure {
        if (a < b) revert AssertionFailed(what, a, b);
    }

    function assertLt(uint256 a, uint256 b, string memory what) internal pure {
        if (a >= b) revert AssertionFailed(what, a, b);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }

    function assertApproxRel(uint256 a, uint256 b, uint256 maxRelWad, string memory what) internal pure {
        uint256 diff = a > b ? a - b : b - a;
        uint256 scale = a > b ? a : b;
        if (diff > 1 && diff * 1e18 > maxRelWad * scale) revert AssertionFailed(what, a, b);
    }
}
