// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";

import {Bound} from "../types/Bound.sol";
import {IMarginEngine} from "./IMarginEngine.sol";
import {IOptionsEngine} from "./IOptionsEngine.sol";
import {IRiskHook} from "./IRiskHook.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";

/// @title IRiskModule
/// @notice Ballast's risk module: real-time position caps for one margin engine (RISK-MODEL.md).
/// A position's cap is the minimum of named bounds (liquidation distance under a stressed move, volatility
/// target, Uniswap V3 liquidity depth, open-interest headroom, collateral tier, Greeks). The engine calls
/// `validateIncrease` after every risk-increasing trade; keepers call `deleverage` on positions above their
/// cap with hysteresis, which reduces them by the minimal amount through the engine. Reductions, closes and
/// liquidations never consult the module and can never be blocked by it.
///
/// Trust assumptions:
/// - The engine (immutable) reports accounts and open interest truthfully (`IMarginEngine`), and reduces
///   exactly what `reducePosition` asks. A wrong snapshot yields wrong caps for that engine's accounts only.
/// - Chainlink feeds report prices (and the L2 sequencer feed its status); every read is validated per
///   action (RISK-MODEL.md section 6): increases need every check, deleverage only a fresh positive price.
/// - The volatility oracle (immutable) reports annualized volatility per feed; a stale one fails increases.
/// - Reference Uniswap V3 pools are read only through time-weighted values (`observe`) and a tick walk
///   measured at the TWAP tick (a swap that moves the spot price does not change it), whose higher readings
///   enter the depth state only when two readings from different blocks agree and then at a bounded rate. Residual
///   risk: an LP holding real liquidity can withdraw it, refresh, and re-deposit in one transaction, which
///   lowers the depth state at once (caps only shrink; it costs the LP the gas and its fees' exposure).
/// - Quote amounts of reference pools are read as USD (the quote token is a USD stablecoin).
/// - In a market with Greeks sizing, the engine (an `IOptionsEngine` too) reports each book's Greeks truthfully
///   and its mark value in the snapshot's adjustments. The module bounds options books only through
///   `validateOptionsTrade` and the perpetual positions of those markets: it cannot reduce an option.
///
/// Roles and powers (OpenZeppelin access control; the default admin changes only in two steps after a
/// delay and grants every other role):
/// - `RISK_ADMIN_ROLE` lists and configures markets, collaterals, tiers, the sequencer feed and each market's
///   Greeks sizing, each field within the hard bounds of the implementation, and at most once per
///   `CONFIG_COOLDOWN` per market or asset. Turning Greeks sizing off cannot block an options trade that
///   lowers a book's worst scenario loss.
/// - `RISK_ORACLE_ROLE` moves one numeric market parameter at a time by at most `MAX_ORACLE_CHANGE`
///   (relative) per update, at most once per `ORACLE_COOLDOWN` per parameter (Aave risk-steward style).
/// - `GUARDIAN_ROLE` pauses risk-increasing actions (`validateIncrease`, `validateAccount`); it cannot pause
///   `deleverage`, reductions or liquidations. Unpausing needs `RISK_ADMIN_ROLE`.
/// No role can: move funds (the module holds none), change the engine or the volatility oracle, set a
/// parameter outside its hard bounds, force the deleverage of a position that is within its cap, raise the
/// keeper fee above its bound, or make reductions impossible.
interface IRiskModule is IRiskHook {
    /// @notice Per-asset collateral quality (RISK-MODEL.md section 3.5).
    /// @param feed Chainlink price feed of the asset in USD.
    /// @param maxPriceAge Oldest acceptable round (`heartbeat + grace`), seconds.
    /// @param tier Collateral tier; equity backed by this asset allows at most the tier's leverage.
    /// @param baseHaircut Haircut applied to the asset's value, WAD.
    /// @param volZ Confidence multiplier of the own-volatility haircut, WAD; zero disables it. When set, the
    /// haircut is `max(baseHaircut, 1 - e^(-volZ * sigma * sqrt(volHorizon / YEAR)))`, with `sigma` the
    /// asset's own volatility from the volatility oracle for `feed` (which must then be configured there).
    /// @param volHorizon Time to sell the collateral, seconds (used with `volZ`).
    struct CollateralConfig {
        AggregatorV3Interface feed;
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
    /// @param maxWalkSteps Most bitmap words plus initialized ticks one depth refresh may read.
    /// @param maxSlippage Slippage bound `s_max` of the depth `D(s_max)`, WAD.
    /// @param rho Deleveraged notional per rolling `deleverageWindow` is at most `rho * D(s_max)`, WAD.
    /// @param deleverageWindow Length of the rolling deleverage window, seconds.
    /// @param depthMaxAge A depth state older than this fails increases, seconds.
    /// @param depthRisePerHour Largest relative rise of the depth state per hour, WAD.
    /// @param keeperFeeRate Keeper fee as a fraction of the deleveraged notional, WAD.
    /// @param keeperFeeMax Ceiling of one keeper fee, WAD quote.
    struct MarketConfig {
        AggregatorV3Interface feed;
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
        IUniswapV3Pool pool;
        bool baseIsToken0;
        uint32 twapWindow;
        uint16 maxWalkSteps;
        uint64 maxSlippage;
        uint64 rho;
        uint32 deleverageWindow;
        uint64 depthRisePerHour;
        uint64 keeperFeeRate;
        uint96 keeperFeeMax;
    }

    /// @notice The depth state of a market (RISK-MODEL.md section 5), quote amounts in WAD USD.
    /// @param down Depth used by the bounds for longs: `min(smoothed tick-walk depth, constant-L depth)`.
    /// @param up Depth used for shorts, likewise.
    /// @param walkDown Smoothed tick-walk depth down (a lower reading applies at once; a higher one only
    /// when confirmed by a reading from another block, and by at most `depthRisePerHour` per hour).
    /// @param walkUp Smoothed tick-walk depth up.
    /// @param readDown Last raw tick-walk reading down (the confirmation for the next rise).
    /// @param readUp Last raw tick-walk reading up.
    /// @param twapPrice Base price from the TWAP tick at the last refresh, WAD USD.
    /// @param updatedAt Time of the last refresh.
    /// @param readBlock Block of the last raw reading.
    struct DepthState {
        uint128 down;
        uint128 up;
        uint128 walkDown;
        uint128 walkUp;
        uint128 readDown;
        uint128 readUp;
        uint128 twapPrice;
        uint40 updatedAt;
        uint64 readBlock;
    }

    /// @notice Greeks sizing of a market (RISK-MODEL.md section 7).
    /// @param enabled Whether the market's options books and perpetual positions are sized by the scenario grid.
    /// @param volShock Vol move `v` of the grid, WAD (absolute: 0.3e18 is 30 vol points), in [0.01, 5].
    /// @param buffer Share of equity kept out of the grid's reach, WAD in [0, 0.9]: the worst scenario loss may
    /// be at most `E - buffer * E - (stressed requirement of the account's positions in other markets)`.
    /// @param hedgeInterval The keeper's hedging interval `dt` of the rebalance band, seconds in [12, 1 day].
    struct GreeksConfig {
        bool enabled;
        uint64 volShock;
        uint64 buffer;
        uint32 hedgeInterval;
    }

    /// @notice An options book's risk and hedge guidance in one market.
    /// @param greeks The book's Greeks including the perpetual position's delta.
    /// @param perpSize The perpetual position in the market, base units WAD (signed).
    /// @param spot Price used, WAD USD.
    /// @param sigma Annualized volatility of the market, WAD.
    /// @param xMax Largest relative price move of the grid (`e^s - 1` of the market's stressed move), WAD.
    /// @param equity Account equity after haircuts (options at the engine's mark), WAD USD.
    /// @param worstLoss The worst scenario loss, WAD USD (negative when every scenario gains).
    /// @param allowed The loss the account can bear (see `GreeksConfig.buffer`), WAD USD.
    /// @param priceStep Price move of the worst scenario in thirds of `xMax`, in [-3, 3].
    /// @param volStep Vol move of the worst scenario in units of `volShock`, in [-1, 1].
    /// @param hedgeDelta The perpetual trade that neutralizes the book's delta, `-greeks.delta`, base units WAD.
    /// @param rebalanceBand Rebalance when `|greeks.delta|` exceeds this: the delta drift gamma causes over the
    /// hedge interval, `|gamma| * S * z * sigma * sqrt(hedgeInterval / YEAR)`, base units WAD.
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
    }

    /// @notice An account's health as keepers and front ends see it.
    enum Status {
        Healthy,
        OverCap,
        OracleInvalid
    }

    /// @notice The risk of one position.
    /// @param market The market.
    /// @param size Signed size, base units WAD.
    /// @param price Price used, WAD USD.
    /// @param notional `|size| * price`, WAD USD.
    /// @param cap The position's cap, WAD USD (`type(uint256).max` when no bound applies).
    /// @param binding The bound equal to the cap.
    /// @param deleverageNotional Notional `deleverage` would remove now (before the window), WAD USD.
    struct PositionRisk {
        uint256 market;
        int256 size;
        uint256 price;
        uint256 notional;
        uint256 cap;
        Bound binding;
        uint256 deleverageNotional;
    }

    /// @notice An account's status, reporting its most over-cap position.
    /// @param status Healthy, OverCap (some position above `cap * (1 + tauTrigger)`), or OracleInvalid (a
    /// price the evaluation needs is not fresh and positive; nothing can be evaluated).
    /// @param equity Equity after haircuts, WAD USD.
    /// @param worst The position with the largest `notional / cap` (zeroed when there are no positions).
    /// @param ratio `notional / cap` of that position, WAD (0 when uncapped).
    struct AccountStatus {
        Status status;
        int256 equity;
        PositionRisk worst;
        uint256 ratio;
    }

    /// @notice Numeric market parameters the risk oracle may move (bounded per update).
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
        Rho
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
        OptionsEngine
    }

    /// @notice Why a price read failed its checks.
    enum PriceFault {
        Reverted,
        NonPositive,
        FutureTimestamp,
        Stale,
        IncompleteRound
    }

    /// @notice A collateral asset was listed or reconfigured.
    event CollateralConfigured(address indexed asset, CollateralConfig config);

    /// @notice A collateral tier's leverage limit was set. The tier bound of a position is
    /// `sum_c value_c * (1 - haircut_c) * maxLeverage(tier_c) * min(1, E / sum_c value_c * (1 - haircut_c))`
    /// less the notional of the account's other positions.
    event TierConfigured(uint8 indexed tier, uint256 maxLeverage);

    /// @notice A market was listed or reconfigured.
    event MarketConfigured(uint256 indexed market, MarketConfig config);

    /// @notice A market's Greeks sizing was set.
    event GreeksConfigured(uint256 indexed market, GreeksConfig config);

    /// @notice The risk oracle moved a market parameter.
    event RiskParameterUpdated(
        uint256 indexed market,
        RiskParameter indexed parameter,
        uint256 oldValue,
        uint256 newValue
    );

    /// @notice The L2 sequencer uptime feed (zero for L1) and its grace period were set.
    event SequencerConfigured(address feed, uint256 gracePeriod);

    /// @notice A market's depth state was refreshed.
    event DepthRefreshed(
        uint256 indexed market,
        uint256 down,
        uint256 up,
        uint256 readDown,
        uint256 readUp,
        uint256 twapPrice
    );

    /// @notice Risk-increasing actions were paused by a guardian.
    event IncreasesPaused(address indexed by);

    /// @notice Risk-increasing actions were resumed.
    event IncreasesResumed(address indexed by);

    /// @notice A position over its cap was reduced.
    /// @param price The price the breach was evaluated at (Chainlink, or the pool TWAP when they diverged and
    /// it showed the larger breach), WAD USD.
    /// @param notional Notional removed at `price`, WAD USD.
    /// @param cap The cap that was breached, WAD USD.
    /// @param keeperFee Fee paid by the account to the keeper, WAD USD.
    event Deleveraged(
        address indexed account,
        uint256 indexed market,
        address indexed keeper,
        int256 sizeBefore,
        int256 sizeAfter,
        uint256 price,
        uint256 notional,
        uint256 cap,
        Bound binding,
        uint256 keeperFee
    );

    /// @notice A position is above its cap after a risk-increasing trade.
    error CapExceeded(uint256 market, Bound bound, uint256 cap, uint256 notional);

    /// @notice An options trade raised the book's worst scenario loss above what the account can bear.
    /// @param priceStep Price move of the worst scenario in thirds of `x_max`; `volStep` its vol move.
    error GreeksBoundExceeded(uint256 market, int256 worstLoss, int256 allowed, int8 priceStep, int8 volStep);

    /// @notice An options trade raising the worst scenario loss in a market without Greeks sizing.
    error GreeksNotConfigured(uint256 market);

    /// @notice The market is not listed.
    error MarketNotListed(uint256 market);

    /// @notice The account holds collateral the module does not know.
    error CollateralNotListed(address asset);

    /// @notice A Chainlink price failed a check required by the action.
    error PriceInvalid(address feed, PriceFault fault);

    /// @notice The L2 sequencer is down.
    error SequencerDown();

    /// @notice The L2 sequencer is up but still inside its grace period, which ends at `graceEndsAt`.
    error SequencerGracePeriod(uint256 graceEndsAt);

    /// @notice The Chainlink price and the pool TWAP disagree by more than `maxDeviation`.
    error PriceDivergence(uint256 market, uint256 oraclePrice, uint256 twapPrice);

    /// @notice The volatility of `feed` is stale.
    error VolatilityStale(address feed);

    /// @notice The market's depth state is older than `depthMaxAge` (or was never refreshed).
    error DepthStale(uint256 market, uint256 updatedAt);

    /// @notice Risk-increasing actions are paused.
    error IncreasesArePaused();

    /// @notice The position is not above its cap with hysteresis: nothing to deleverage.
    error NothingToDeleverage(address account, uint256 market, uint256 notional, uint256 cap);

    /// @notice The position was already deleveraged in this block (a racing keeper's call; it costs little).
    error AlreadyDeleveraged(address account, uint256 market);

    /// @notice The market's rolling deleverage window is exhausted (what remains is below 1 % of its bucket
    /// and below what is due).
    error DeleverageWindowExhausted(uint256 market, uint256 capacity);

    /// @notice The pool could not serve the TWAP window.
    error PoolObserveFailed(uint256 market);

    /// @notice A configuration field is outside its hard bounds.
    error InvalidConfig(ConfigField field, uint256 value);

    /// @notice A configuration change comes before the cooldown since the last one ends at `allowedAt`.
    error ConfigCooldown(uint256 allowedAt);

    /// @notice A risk-oracle update moves a parameter by more than `MAX_ORACLE_CHANGE`.
    error ParameterChangeTooLarge(RiskParameter parameter, uint256 current, uint256 requested);

    /// @notice Validates a position after the engine applied a risk-increasing trade on it.
    /// @dev Checks after effects: the engine reverts the trade when this reverts. Reverts with
    /// `CapExceeded(market, bound, cap, notional)` when the position is above its cap, and fails closed on any
    /// oracle, sequencer, volatility or depth problem, or while paused. Reductions never need it.
    function validateIncrease(address account, uint256 market) external view override;

    /// @notice Validates every position of an account (for engine actions that lower equity, such as
    /// collateral withdrawals). Same failure modes as `validateIncrease`.
    function validateAccount(address account) external view override;

    /// @notice Validates an options book after the engine applied an options trade whose Greeks are `trade`.
    /// @dev A trade that does not raise the book's worst scenario loss (the grid of RISK-MODEL.md section 7, the
    /// perpetual position's delta included, judged at the latest positive price whatever its age; in a market
    /// without Greeks sizing, on a grid with a 100-vol-point shock) is never rejected, whatever the oracles
    /// say, and even while paused. Any other trade needs every check of `validateIncrease` and reverts with
    /// `GreeksBoundExceeded` when the worst loss is above what the account can bear, or `GreeksNotConfigured`
    /// in a market without Greeks sizing.
    function validateOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata trade
    ) external view override;

    /// @notice The account's options book in `market`: its Greeks, worst scenario and hedge guidance.
    /// @dev Never reverts on a healthy account with fresh prices (deleverage-level price checks); reverts
    /// with `GreeksNotConfigured` in a market without Greeks sizing.
    function greeksRisk(address account, uint256 market) external view returns (GreeksRisk memory risk);

    /// @notice The largest number of units (WAD) of an instrument with per-unit Greeks `perUnit` (held long;
    /// negate them for a sale) that the account may add to its book in `market`: the largest trade that keeps
    /// the worst scenario loss within what it can bear, or no higher than now. `type(uint256).max` when no
    /// scenario loses on the instrument. Same price checks as `greeksRisk`.
    function maxOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata perUnit
    ) external view returns (uint256 units);

    /// @notice The risk of the account's position in `market` (size zero if none: the cap for a new one).
    /// @dev Never reverts on a healthy account with fresh prices; uses deleverage-level price checks.
    function positionRisk(address account, uint256 market) external view returns (PositionRisk memory risk);

    /// @notice The account's status and its most over-cap position. Never reverts for a listed setup:
    /// price problems are reported as `Status.OracleInvalid`.
    function accountStatus(address account) external view returns (AccountStatus memory status);

    /// @notice What `deleverage(account, market)` would do now: the notional and size it would remove
    /// (after the rolling window) and the keeper fee. Zero when nothing is to be done. Never reverts on a
    /// healthy account.
    function deleverageQuote(
        address account,
        uint256 market
    ) external view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee);

    /// @notice Reduces a position above `cap * (1 + tauTrigger)` to `cap * (1 - tauTarget)` (or by what the
    /// rolling window still allows) through the engine, and pays the caller the keeper fee. Permissionless.
    /// @dev Re-checks with fresh data. With the Chainlink price and the pool TWAP diverging, it evaluates both
    /// and acts on the larger breach. At most one deleverage per position per block: a second call in the same
    /// block reverts at once with `AlreadyDeleveraged` (a racing keeper wastes little gas). Otherwise it
    /// reverts with `NothingToDeleverage` or `DeleverageWindowExhausted` before reducing anything.
    /// @return sizeDelta The size removed, base units WAD.
    function deleverage(address account, uint256 market) external returns (uint256 sizeDelta);

    /// @notice Refreshes the market's depth state from the pool: TWAP tick and harmonic-mean liquidity over
    /// `twapWindow` (constant-L depth), and a bounded walk over initialized ticks from the TWAP tick out to
    /// `maxSlippage` both ways. Permissionless.
    /// @dev Reverts with `PoolObserveFailed` or `PoolReader.WalkTruncated` (the walk, including the ticks
    /// between the spot price and the TWAP tick, needs more than `maxWalkSteps` reads): a refresh never records
    /// a partial reading. A market needs two refreshes in different blocks before its depth is
    /// non-zero (the first reading is only a confirmation for the second).
    function refreshDepth(uint256 market) external returns (uint256 down, uint256 up);

    /// @notice The depth state of a market.
    function depthState(uint256 market) external view returns (DepthState memory);

    /// @notice What the market's rolling deleverage window still allows now, and its capacity, WAD USD.
    function deleverageCapacity(uint256 market) external view returns (uint256 remaining, uint256 capacity);

    /// @notice The configuration of a market.
    function marketConfig(uint256 market) external view returns (MarketConfig memory);

    /// @notice The Greeks sizing of a market (disabled by default).
    function greeksConfig(uint256 market) external view returns (GreeksConfig memory);

    /// @notice The configuration of a collateral asset.
    function collateralConfig(address asset) external view returns (CollateralConfig memory);

    /// @notice Whether risk-increasing actions are paused.
    function increasesPaused() external view returns (bool);

    /// @notice The L2 sequencer uptime feed (zero on L1) and its grace period, seconds.
    function sequencer() external view returns (address feed, uint256 gracePeriod);

    /// @notice The leverage limit of a collateral tier, WAD (zero: tier not configured).
    function tierLeverage(uint8 tier) external view returns (uint256);

    /// @notice The margin engine this module serves.
    function engine() external view returns (IMarginEngine);

    /// @notice The volatility oracle the module reads.
    function volatilityOracle() external view returns (IVolatilityOracle);

    /// @notice Lists or reconfigures a market. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market.
    function configureMarket(uint256 market, MarketConfig calldata config) external;

    /// @notice Lists or reconfigures a collateral asset. `RISK_ADMIN_ROLE`; hard bounds; cooldown per asset.
    function configureCollateral(address asset, CollateralConfig calldata config) external;

    /// @notice Sets a listed market's Greeks sizing. `RISK_ADMIN_ROLE`; hard bounds; `CONFIG_COOLDOWN` per market;
    /// at most `MAX_GREEKS_MARKETS` markets; the engine must implement `IOptionsEngine`.
    function configureGreeks(uint256 market, GreeksConfig calldata config) external;

    /// @notice Sets a tier's leverage limit, WAD in [1, 100]. `RISK_ADMIN_ROLE`. A collateral can only be
    /// listed in a configured tier.
    function configureTier(uint8 tier, uint256 maxLeverage) external;

    /// @notice Sets the L2 sequencer uptime feed (zero address on L1) and its grace period. `RISK_ADMIN_ROLE`.
    function configureSequencer(address feed, uint256 gracePeriod) external;

    /// @notice Moves one numeric market parameter by at most `MAX_ORACLE_CHANGE`. `RISK_ORACLE_ROLE`.
    function updateRiskParameter(uint256 market, RiskParameter parameter, uint256 value) external;

    /// @notice Pauses risk-increasing actions. `GUARDIAN_ROLE`.
    function pauseIncreases() external;

    /// @notice Resumes risk-increasing actions. `RISK_ADMIN_ROLE`.
    function unpauseIncreases() external;
}
