// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IAggregatorV3} from "./external/IAggregatorV3.sol";

import {IOptionsEngine} from "./IOptionsEngine.sol";
import {IReferenceMarginEngine} from "./IReferenceMarginEngine.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";

/// @title IReferenceOptionsEngine
/// @notice European calls and puts on the underlying of one market of the reference margin engine, cash-settled
/// in USD through the accounts of that engine: the integration example for options venues. A REFERENCE, NOT A
/// PRODUCTION ENGINE: no order book (trades execute at the model price), no fees, zero interest rate.
/// @dev Pricing: Black–Scholes (`BlackScholes` library) at the margin engine's mark price and the market's
/// annualized volatility from Ballast's volatility oracle, rate zero; Greeks from the same model. Accounting:
/// a trade moves its premium (units times model price) between the account's ledger in the margin engine and
/// the book's mark value, so equity is unchanged by a trade at the model price; the margin engine adds the
/// book's mark value to equity and `shortMargin * |short units| * S` to its maintenance requirement; a
/// liquidation of the account closes the book at its mark value; an expired series settles its intrinsic
/// value. Integration with Ballast: every trade calls `validateOptionsTrade` with the trade's Greeks after its
/// effects, and, when it adds exposure, the margin engine's maintenance check.
/// Roles: the owner (two-step transfer) lists series. It cannot move funds, change books or block closes.
interface IReferenceOptionsEngine is IOptionsEngine {
    /// @notice A listed option series.
    /// @param isCall Call (else put).
    /// @param expiry Expiry time, unix seconds.
    /// @param strike Strike price, WAD USD.
    struct Series {
        bool isCall;
        uint64 expiry;
        uint128 strike;
    }

    /// @notice A holding of an account.
    struct Holding {
        uint256 series;
        int256 units;
    }

    event SeriesListed(uint256 indexed series, Series config);

    /// @notice An account's units of a series changed at `price` (per unit, WAD USD) for `premium` (paid +).
    event OptionTraded(
        address indexed account,
        uint256 indexed series,
        int256 unitsBefore,
        int256 unitsAfter,
        uint256 price,
        int256 premium
    );

    /// @notice An expired holding settled its intrinsic value (`payoff`, received +) at the spot `price`.
    event OptionSettled(address indexed account, uint256 indexed series, int256 units, uint256 price, int256 payoff);

    /// @notice The margin engine closed the account's book at its mark value `value` (liquidation).
    event BookClosed(address indexed account, int256 value);

    error NotMarginEngine(address caller);
    error UnknownSeries(uint256 series);
    error InvalidSeries(uint256 strike, uint256 expiry);
    error SeriesExpired(uint256 series, uint256 expiry);
    error SeriesNotExpired(uint256 series, uint256 expiry);
    error TooManySeries(uint256 limit);
    error ZeroUnits();

    /// @notice Lists a series. Owner only. The strike must be positive and the expiry in the future.
    function listSeries(Series calldata config) external returns (uint256 series);

    /// @notice Buys (`units` > 0) or sells (`units` < 0, writing when short) a series for the caller at the
    /// model price; validated by the risk module after its effects.
    function trade(uint256 series, int256 units) external;

    /// @notice Settles an expired holding of `account` at its intrinsic value. Permissionless.
    function settleExpired(address account, uint256 series) external;

    /// @notice Closes the account's whole book at its mark value and returns it. Margin engine only.
    function closeBook(address account) external returns (int256 value);

    /// @notice The book's mark value, WAD USD (long options +, short options -; expired series at intrinsic).
    function markValue(address account) external view returns (int256);

    /// @notice The book's maintenance requirement, `shortMargin * sum |short units| * S`, WAD USD.
    function requirement(address account) external view returns (uint256);

    /// @notice Model price and Greeks of one unit of a series now (price WAD USD, Greeks as `IOptionsEngine`).
    function quote(uint256 series) external view returns (uint256 price, Greeks memory perUnit);

    /// @notice The account's holdings.
    function holdings(address account) external view returns (Holding[] memory);

    /// @notice A series' configuration.
    function series(uint256 id) external view returns (Series memory);

    /// @notice Number of listed series (ids are 1 to this).
    function seriesCount() external view returns (uint256);

    /// @notice The margin engine the books settle through.
    function marginEngine() external view returns (IReferenceMarginEngine);

    /// @notice The margin engine's market whose underlying the options are on.
    function market() external view returns (uint256);

    /// @notice The Chainlink feed of the underlying (its volatility is read from the oracle).
    function feed() external view returns (IAggregatorV3);

    /// @notice Ballast's volatility oracle, the source of the pricing volatility.
    function volatilityOracle() external view returns (IVolatilityOracle);

    /// @notice Maintenance requirement of a short option per unit of underlying notional, WAD.
    function shortMargin() external view returns (uint256);
}
