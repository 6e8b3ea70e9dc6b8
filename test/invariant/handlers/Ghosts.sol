// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRiskErrors} from "../../../contracts/interfaces/IRiskErrors.sol";
import {DepthMath} from "../../../contracts/libraries/DepthMath.sol";
import {GreeksMath} from "../../../contracts/libraries/GreeksMath.sol";
import {PoolReader} from "../../../contracts/libraries/PoolReader.sol";
import {RiskMath} from "../../../contracts/libraries/RiskMath.sol";

/// @notice Ghost state of the invariant suite: the first violation found by an action-level check, what the
/// actors did, the deleverages of each market's rolling window, and the last depth state seen per market.
abstract contract Ghosts {
    /// @notice What the actors did, for the suite's report.
    struct Counts {
        uint256 calls;
        uint256 increases;
        uint256 reductions;
        uint256 deleverages;
        uint256 refreshes;
        uint256 governance;
        uint256 faults;
        uint256 viewChecks;
    }

    struct WindowEntry {
        uint256 time;
        uint256 notional;
        uint256 capacity;
    }

    struct DepthRecord {
        uint256 walkDown;
        uint256 walkUp;
        uint256 updatedAt;
        uint256 readSince;
    }

    /// @notice The first violation (empty while none), and how many were found.
    string public violation;
    uint256 public violations;
    Counts public count;

    mapping(uint256 market => WindowEntry[] entries) internal windows;
    mapping(uint256 market => DepthRecord record) internal depthRecords;

    function _violate(string memory what) internal {
        if (violations++ == 0) violation = what;
    }

    /// @dev Whether revert data carries one of the module's (or its libraries') errors.
    function _isModuleError(bytes memory reason) internal pure returns (bool) {
        if (reason.length < 4) return false;
        bytes4 s = bytes4(reason);
        return
            s == IRiskErrors.CapExceeded.selector ||
            s == IRiskErrors.GreeksBoundExceeded.selector ||
            s == IRiskErrors.FreeEquityNegative.selector ||
            s == IRiskErrors.GreeksNotConfigured.selector ||
            s == IRiskErrors.MarketNotListed.selector ||
            s == IRiskErrors.CollateralNotListed.selector ||
            s == IRiskErrors.PriceInvalid.selector ||
            s == IRiskErrors.MarketUnpriced.selector ||
            s == IRiskErrors.SequencerDown.selector ||
            s == IRiskErrors.SequencerGracePeriod.selector ||
            s == IRiskErrors.PriceDivergence.selector ||
            s == IRiskErrors.VolatilityStale.selector ||
            s == IRiskErrors.DepthStale.selector ||
            s == IRiskErrors.IncreasesArePaused.selector ||
            s == IRiskErrors.NothingToDeleverage.selector ||
            s == IRiskErrors.AlreadyDeleveraged.selector ||
            s == IRiskErrors.DeleverageWindowExhausted.selector ||
            s == IRiskErrors.PoolObserveFailed.selector ||
            s == RiskMath.InputOutOfRange.selector ||
            s == GreeksMath.GreeksInputOutOfRange.selector ||
            s == DepthMath.TickOutOfDomain.selector ||
            s == PoolReader.WalkTruncated.selector;
    }

    /// @dev Revert data as hex (at most its first 100 bytes), for violation messages.
    function _hex(bytes memory data) internal pure returns (string memory) {
        bytes16 digits = "0123456789abcdef";
        uint256 n = data.length > 100 ? 100 : data.length;
        bytes memory out = new bytes(2 + 2 * n);
        out[0] = "0";
        out[1] = "x";
        for (uint256 i; i < n; ++i) {
            out[2 + 2 * i] = digits[uint8(data[i]) >> 4];
            out[3 + 2 * i] = digits[uint8(data[i]) & 0x0f];
        }
        return string(out);
    }

    function _is(bytes memory reason, bytes4 selector) internal pure returns (bool) {
        return reason.length >= 4 && bytes4(reason) == selector;
    }

    /// @dev The ABI-encoded arguments of revert data (everything after the selector).
    function _args(bytes memory reason) internal pure returns (bytes memory args) {
        args = new bytes(reason.length - 4);
        for (uint256 i; i < args.length; ++i) args[i] = reason[i + 4];
    }
}
