// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionsEngine} from "../interfaces/IOptionsEngine.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {Bound} from "../types/Bound.sol";

/// @notice Which checks an evaluation applies (RISK-MODEL.md section 6).
/// @param Increase Every check of every price, volatility and depth the account uses; any failure reverts
/// with the error naming it (risk-increasing actions fail closed).
/// @param Deleverage Never reverts for a price: each market at its fresh Chainlink price or else the pool
/// TWAP read now; each collateral at its fresh price or else conservatively (see `PriceLogic`); an account
/// with a market that has neither is reported unpriced.
enum Checks {
    Increase,
    Deleverage
}

/// @notice What every evaluation needs besides the module's storage.
struct Context {
    IMarginEngine engine;
    IVolatilityOracle volatility;
    Checks checks;
}

/// @notice A price to use for one market instead of the one the evaluation would read (the stored TWAP of a
/// market whose Chainlink price diverges from it). `market == 0 && price == 0` means none.
struct PriceOverride {
    uint256 market;
    uint256 price;
}

/// @notice Why an account could not be priced (only under `Checks.Deleverage`).
struct PriceFailure {
    bool failed;
    uint256 market;
    address feed;
    IRiskTypes.PriceFault fault;
}

/// @notice A perpetual position as evaluated.
/// @param requirement The market's stressed requirement: `N * (m + x)`, or with Greeks sizing the book's
/// (see `BookEval.requirement`).
/// @param book Index in `AccountEval.books` plus one of the market's book; zero outside Greeks sizing.
struct PositionEval {
    uint256 market;
    int256 size;
    uint256 price;
    IRiskTypes.PriceSource source;
    uint256 notional;
    uint256 sigma;
    uint256 x;
    uint256 requirement;
    uint256 book;
}

/// @notice The book of one market with Greeks sizing: the engine's options and the perpetual's delta.
/// @param requirement `ceil(m * |N| * S) + W`, with `W` the grid's worst loss of `options` plus the perpetual.
/// @param optionsLoss The grid's worst loss of the options alone (what a hedge may always come back to).
struct BookEval {
    uint256 market;
    IOptionsEngine.Greeks options;
    int256 perpSize;
    uint256 spot;
    uint256 sigma;
    uint256 xMax;
    uint256 volShock;
    int256 worstLoss;
    int8 priceStep;
    int8 volStep;
    int256 optionsLoss;
    uint256 maintenance;
    uint256 requirement;
}

/// @notice An account as evaluated: one evaluation feeds every entry point.
/// @param requirement `R`, the sum of its markets' requirements (each market counted once).
/// @param buffer `K`, the largest `GreeksConfig.buffer * E` over the markets where it holds a book.
/// @param freeEquity `E - K - R`.
struct AccountEval {
    address account;
    PriceFailure failure;
    int256 equity;
    uint256 collateralValue;
    uint256 tierCapacity;
    uint256 notional;
    uint256 requirement;
    uint256 buffer;
    int256 freeEquity;
    PositionEval[] positions;
    BookEval[] books;
}

/// @notice A position's cap and the bound that binds.
struct Cap {
    uint256 cap;
    Bound binding;
}

/// @notice What one deleverage does.
struct DeleveragePlan {
    PositionEval position;
    uint256 cap;
    Bound binding;
    uint256 notional;
    uint256 sizeDelta;
    uint256 keeperFee;
}
