// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IOptionsEngine
/// @notice The optional extension a margin engine implements (beside `IMarginEngine`) when its accounts hold
/// options: it reports the Greeks of each account's options book per market, and the per-unit Greeks of each
/// instrument it trades, so that Ballast sizes the book with the scenario grid of RISK-MODEL.md section 7.
/// @dev Integration contract for an options engine:
/// 1. `accountSnapshot().adjustments` includes the book's mark value (long options +, short options -), so
///    that the module's equity sees the options.
/// 2. After every options trade the engine calls `IRiskHook.validateOptionsTrade(account, market, trade)`
///    with the trade's Greeks (per-unit Greeks times the signed units) and lets its revert undo the trade.
///    The module never rejects a trade that does not raise the book's worst scenario loss.
/// 3. Perpetual positions in the same market are NOT part of `bookGreeks`: the module adds their delta.
/// Units (WAD): `delta` in underlying units, signed (long calls and short puts are positive); `gamma` the
/// change of delta per 1 USD of the underlying's price (underlying units per USD), signed (long options
/// are positive); `vega` the change of value, USD, per 1.00 (100 vol points) of the volatility, signed.
interface IOptionsEngine {
    /// @notice First- and second-order sensitivities of a book or of one unit of an instrument (see above).
    struct Greeks {
        int256 delta;
        int256 gamma;
        int256 vega;
    }

    /// @notice The Greeks of the account's options on `market`'s underlying (zero when it holds none).
    function bookGreeks(address account, uint256 market) external view returns (Greeks memory greeks);

    /// @notice The market of an instrument and the Greeks of one unit (1e18) of it, held long.
    function instrumentGreeks(uint256 instrument) external view returns (uint256 market, Greeks memory perUnit);
}
