// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IAggregatorV3} from "./external/IAggregatorV3.sol";
import {IUniswapV3PoolView} from "./external/IUniswapV3PoolView.sol";

import {Bound} from "../types/Bound.sol";
import {IOptionsEngine} from "./IOptionsEngine.sol";

/// @title IRiskTypes
/// @notice The types every audience of the risk module shares: configuration (admins), depth state and risk
/// reports (keepers, front ends), and the enums its errors carry. Fixed point is WAD (1e18); quote amounts
/// are USD.
interface IRiskTypes {
    /// @notice Per-asset collateral quality (RISK-MODEL.md section 3.5).
    /// @param feed Chainlink price feed of the asset in USD.
    /// @param maxPriceAge Oldest acceptable round (`heartbeat + grace`), seconds.
    /// @param tier Collateral tier; equity backed by this asset allows at most the tier's leverage.
    /// @param baseHaircut Haircut applied to the asset's value, WAD.
    /// @param volZ Confidence multiplier of the own-volatility haircut, WAD; zero disables it. When set, the
    /// haircut is `max(baseHaircut, 1 - e^(-volZ * sigma * sqrt(volHorizon / YEAR)))`, with `sigma` the
    /// asset's own volatility from the volatility oracle for `feed` (which must then be configured there).
    /// It also decides what a stale price of the asset is worth to a deleverage (RISK-MODEL.md section 6):
    /// with `volZ` set, the last price with the haircut of a move over `volHorizon` plus the round's age;
    /// without it, nothing.
    /// @param volHorizon Time to sell the collateral, seconds (used with `volZ`).
    struct CollateralConfig {
        IAggregatorV3 feed;
        uint32 maxPriceAge;
        uint8 tier;
        uint64 baseHaircut;
        uint64 volZ;
        uint32 volHorizon;
    }

    /// @notice Per-market parameters. Every field has hard bounds in the implementation. The field order packs
    /// what every `validateIncrease` reads into the first four storage slots.
    /// @param feed Chainlink price feed of the market's base asset in USD.
    /// @param maxPriceAge Oldest acceptable round (`heartbeat + grace`), seconds.
    /// @param horizon Reaction horizon `h`, seconds.
    /// @param depthMaxAge A depth state older than this fails increases, and its TWAP is not used, seconds.
    /// @param maintenanceMargin The engine's maintenance margin ratio `m` for this market, WAD.
    /// @param z Confidence multiplier of the stressed move, WAD.
    /// @param kappa Fraction of depth `D(s_max)` one position may take, WAD.
    /// @param kappaOI Open interest per side allowed as a multiple of `D(s_max)`, WAD.
    /// @param sigmaTarget Volatility target (0 = none): a position's notional is at most `E * sigmaTarget / sigma`.
    /// @param maxDeviation Largest accepted relative gap between the Chainlink price and the pool TWAP, WAD.
    /// @param tauTrigger Hysteresis: a position is over cap when `N > cap * (1 + tauTrigger)`, WAD.
    /// @param tauTarget Deleverage brings a position to `cap * (1 - tauTarget)`, WAD.
    /// @param oiCapLong Open-interest cap of the long side, WAD quote.
    /// @param oiCapShort Open-interest cap of the short side, WAD quote.
    /// @param pool Reference Uniswap V3 pool of base against a USD stablecoin.
    /// @param baseIsToken0 Whether the base asset is the pool's token0 (else token1; the other is the quote).
    /// @param twapWindow TWAP window of the pool reads, seconds.
    /// @param maxWalkSteps Most bitmap words plus initialized ticks each walk of a depth refresh may read (a walk
    /// that runs out of them yields the depth reached so far).
    /// @param maxSlippage Slippage bound `s_max` of the depth `D(s_max)`, WAD.
    /// @param rho Deleveraged notional per rolling `deleverageWindow` is at most `rho * D(s_max)`, WAD.
    /// @param deleverageWindow Length of the rolling deleverage window, seconds.
    /// @param depthRisePerHour Largest relative rise of the depth state per hour, WAD.
    /// @param keeperFeeRate Keeper fee as a fraction of the deleveraged notional, WAD.
    /// @param keeperFeeMax Ceiling of one keeper fee, WAD quote.
    /// @param gap Gap floor of the stressed log-move, WAD (0 = none, at most 1.0): the stressed move is
    /// `s = max(z * sigma * sqrt(horizon / YEAR), gap)` wherever it is used (the liquidation-distance bound and
    /// each position's requirement, the options grid's `xMax`). It covers the jumps the market's own history
    /// shows within one reaction horizon, which the diffusion term misses (RISK-MODEL.md section 3.1).
    struct MarketConfig {
        IAggregatorV3 feed;
        uint32 maxPriceAge;
        uint32 horizon;
        uint32 depthMaxAge;
        uint64 maintenanceMargin;
        uint64 z;
        uint64 kappa;
        uint64 kappaOI;
        uint64 sigmaTarget;
        uint64 maxDeviation;
        uint64 tauTrigger;
        uint64 tauTarget;
        uint128 oiCapLong;
        uint128 oiCapShort;
        IUniswapV3PoolView pool;
        bool baseIsToken0;
        uint32 twapWindow;
        uint16 maxWalkSteps;
        uint64 maxSlippage;
        uint64 rho;
        uint32 deleverageWindow;
        uint64 depthRisePerHour;
        uint64 keeperFeeRate;
        uint96 keeperFeeMax;
        uint64 gap;
    }

    /// @notice The depth state of a market (RISK-MODEL.md section 5), quote amounts in WAD USD.
    /// @param down Depth used by the bounds for longs: `min(smoothed tick-walk depth, constant-L depth)`.
    /// @param up Depth used for shorts, likewise.
    /// @param walkDown Smoothed tick-walk depth down (a lower reading applies at once; a higher one only when
    /// every reading of a confirmation period at least `twapWindow` long agrees, and by at most
    /// `depthRisePerHour` per hour; from zero, the first reading at most the constant-L estimate).
    /// @param walkUp Smoothed tick-walk depth up.
    /// @param readDown The lowest raw tick-walk reading down since `readSince` (the confirmation of a rise).
    /// @param readUp The lowest raw tick-walk reading up since `readSince`.
    /// @param twapPrice Base price from the TWAP tick at the last refresh, WAD USD.
    /// @param updatedAt Time of the last refresh.
    /// @param readSince Start of the current confirmation period (zero: never refreshed).
    struct DepthState {
        uint128 down;
        uint128 up;
        uint128 walkDown;
        uint128 walkUp;
        uint128 readDown;
        uint128 readUp;
        uint128 twapPrice;
        uint40 updatedAt;
        uint40 readSince;
    }

    /// @notice Greeks sizing of a market (RISK-MODEL.md section 7).
    /// @param enabled Whether the market's options books and perpetual positions are sized by the scenario grid.
    /// @param volShock Vol move `v` of the grid, WAD (absolute: 0.3e18 is 30 vol points), in [0.01, 5].
    /// @param buffer Share of equity kept out of reach of the account's requirements while it holds a book in this
    /// market (options, a perpetual, or both), WAD in [0, 0.9]; the account's buffer is the largest over its books.
    /// A perpetual alone pays it too, so that the buffer does not jump when a first option hedges it.
    /// @param hedgeInterval The keeper's hedging interval `dt` of the rebalance band, seconds in [12, 1 day].
    struct GreeksConfig {
        bool enabled;
        uint64 volShock;
        uint64 buffer;
        uint32 hedgeInterval;
    }

    /// @notice Where the price a position was judged at came from.
    /// @param Chainlink The market's Chainlink feed (fresh).
    /// @param StoredTwap The pool TWAP of the market's depth state (fresh), where it diverged from Chainlink
    /// and showed the larger breach.
    /// @param LiveTwap The pool TWAP read in the same call, because the Chainlink price was not fresh.
    enum PriceSource {
        Chainlink,
        StoredTwap,
        LiveTwap
    }

    /// @notice An options book's risk and hedge guidance in one market.
    /// @param greeks The book's Greeks including the perpetual position's delta.
    /// @param perpSize The perpetual position in the market, base units WAD (signed).
    /// @param spot Price used, WAD USD.
    /// @param sigma Annualized volatility of the market, WAD.
    /// @param xMax Largest relative price move of the grid (`e^s - 1` of the market's stressed move), WAD.
    /// @param equity Account equity after haircuts (options at the engine's mark), WAD USD.
    /// @param worstLoss The worst scenario loss, WAD USD (zero or more: the grid holds the unchanged scenario).
    /// @param allowed The worst loss the account can bear in this market: equity less the account's buffer,
    /// the requirements of its other markets and the perpetual's maintenance margin, WAD USD.
    /// @param priceStep Price move of the worst scenario in thirds of `xMax`, in [-3, 3].
    /// @param volStep Vol move of the worst scenario in units of `volShock`, in [-1, 1].
    /// @param hedgeDelta The perpetual trade that neutralizes the book's delta, `-greeks.delta`, base units WAD.
    /// @param rebalanceBand Rebalance when `|greeks.delta|` exceeds this: the delta drift gamma causes over the
    /// hedge interval, `|gamma| * S * z * sigma * sqrt(hedgeInterval / YEAR)`, base units WAD.
    /// @param maintenance The perpetual's maintenance margin `ceil(m * |perpSize| * S)`, WAD USD: the market's
    /// requirement is `maintenance + worstLoss`.
    /// @param optionsLoss The grid's worst loss of the options alone (without the perpetual), WAD USD. The
    /// perpetual hedges the book while `maintenance + worstLoss <= optionsLoss`; an increase of it is then
    /// admitted on its own cap even when the account's free equity is negative.
    struct GreeksRisk {
        IOptionsEngine.Greeks greeks;
        int256 perpSize;
        uint256 spot;
        uint256 sigma;
        uint256 xMax;
        int256 equity;
        int256 worstLoss;
        int256 allowed;
        int8 priceStep;
        int8 volStep;
        int256 hedgeDelta;
        uint256 rebalanceBand;
        uint256 maintenance;
        int256 optionsLoss;
    }

    /// @notice An account's health as keepers and front ends see it.
    /// @param Healthy No position is due a deleverage.
    /// @param OverCap Some position is above `cap * (1 + tauTrigger)`: `deleverage` acts on it.
    /// @param OracleInvalid A market of the account has neither a fresh Chainlink price nor a pool TWAP:
    /// nothing can be evaluated.
    enum Status {
        Healthy,
        OverCap,
        OracleInvalid
    }

    /// @notice The risk of one position.
    /// @param market The market.
    /// @param size Signed size, base units WAD.
    /// @param price Price used, WAD USD.
    /// @param source Where `price` came from.
    /// @param notional `|size| * price`, WAD USD.
    /// @param cap The position's cap, WAD USD (`type(uint256).max` when no bound applies).
    /// @param binding The bound equal to the cap.
    /// @param deleverageNotional Notional `deleverage` would remove now (before the window), WAD USD.
    struct PositionRisk {
        uint256 market;
        int256 size;
        uint256 price;
        PriceSource source;
        uint256 notional;
        uint256 cap;
        Bound binding;
        uint256 deleverageNotional;
    }

    /// @notice An account's status under the account rule (RISK-MODEL.md section 3), and its worst position.
    /// @param status See `Status`.
    /// @param equity Equity `E` after haircuts, WAD USD.
    /// @param requirement The account's stressed requirement `R`: the sum over its markets of each market's
    /// requirement (a perpetual's `N * (m + x)`, or in a market with Greeks sizing the perpetual's maintenance
    /// margin plus the grid's worst loss of the options book with the perpetual's delta), WAD USD.
    /// @param buffer The share of equity kept out of reach, `K` (see `GreeksConfig.buffer`), WAD USD.
    /// @param freeEquity `E - K - R`: negative means the account breaks the rule; risk-increasing actions are
    /// refused and the positions it makes over their caps are deleveraged.
    /// @param worst The position with the largest `notional / cap` (zeroed when there are no positions).
    /// @param ratio `notional / cap` of that position, WAD (0 when uncapped).
    struct AccountStatus {
        Status status;
        int256 equity;
        uint256 requirement;
        uint256 buffer;
        int256 freeEquity;
        PositionRisk worst;
        uint256 ratio;
    }

    /// @notice Numeric market parameters the risk oracle may move (bounded per update). A parameter at zero
    /// (`sigmaTarget`, `gap`) cannot be moved by a relative step: only the risk admin sets it from zero.
    enum RiskParameter {
        Horizon,
        MaintenanceMargin,
        Z,
        Kappa,
        KappaOI,
        SigmaTarget,
        OiCapLong,
        OiCapShort,
        MaxSlippage,
        Rho,
        Gap
    }

    /// @notice Configuration fields that `InvalidConfig` reports.
    enum ConfigField {
        Feed,
        MaxPriceAge,
        Horizon,
        MaintenanceMargin,
        Z,
        Kappa,
        KappaOI,
        SigmaTarget,
        MaxDeviation,
        TauTrigger,
        TauTarget,
        OiCap,
        Pool,
        TwapWindow,
        MaxWalkSteps,
        MaxSlippage,
        Rho,
        DeleverageWindow,
        DepthMaxAge,
        DepthRisePerHour,
        KeeperFeeRate,
        KeeperFeeMax,
        Tier,
        Haircut,
        TierLeverage,
        SequencerGrace,
        Asset,
        VolShock,
        GreeksBuffer,
        HedgeInterval,
        OptionsEngine,
        Engine,
        VolatilityOracle,
        Gap
    }

    /// @notice Why a Chainlink read failed its checks.
    enum PriceFault {
        Reverted,
        NonPositive,
        FutureTimestamp,
        Stale,
        IncompleteRound
    }
}
