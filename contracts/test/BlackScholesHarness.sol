// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BlackScholes} from "../libraries/BlackScholes.sol";

/// @title BlackScholesHarness
/// @notice TEST HELPER. Exposes `BlackScholes` as external functions for the differential and property tests.
contract BlackScholesHarness {
    function quote(BlackScholes.Option memory option) external pure returns (BlackScholes.Quote memory) {
        return BlackScholes.quote(option);
    }

    function price(BlackScholes.Option memory option) external pure returns (uint256) {
        return BlackScholes.price(option);
    }

    function normalCdf(int256 x) external pure returns (uint256) {
        return BlackScholes.normalCdf(x);
    }

    function normalPdf(int256 x) external pure returns (uint256) {
        return BlackScholes.normalPdf(x);
    }

    /// @notice Gas of one `quote`, measured inside the call (for the library's documented cost).
    function quoteGas(BlackScholes.Option memory option) external view returns (uint256 gasUsed) {
        uint256 start = gasleft();
        BlackScholes.quote(option);
        gasUsed = start - gasleft();
    }
}
