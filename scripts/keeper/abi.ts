/**
 * The slices of Ballast's ABIs the keeper uses, as human-readable fragments, so that the keeper runs
 * without compiled artifacts. `test/unit/keeper/abi.test.ts` checks every fragment against the compiled
 * contracts (selectors, topics and return types).
 */
import { Interface } from "ethers";

export const POSITION_RISK =
  "tuple(uint256 market, int256 size, uint256 price, uint8 source, uint256 notional, uint256 cap, uint8 binding, uint256 deleverageNotional)";
export const ACCOUNT_STATUS = `tuple(uint8 status, int256 equity, uint256 requirement, uint256 buffer, int256 freeEquity, ${POSITION_RISK} worst, uint256 ratio)`;
const GREEKS = "tuple(int256 delta, int256 gamma, int256 vega)";
const GREEKS_RISK = `tuple(${GREEKS} greeks, int256 perpSize, uint256 spot, uint256 sigma, uint256 xMax, int256 equity, int256 worstLoss, int256 allowed, int8 priceStep, int8 volStep, int256 hedgeDelta, uint256 rebalanceBand, uint256 maintenance, int256 optionsLoss)`;

/** `IRiskModule`: the views and entry points the keeper calls, its events and its errors. */
export const RISK_MODULE_ABI = [
  "function engine() view returns (address)",
  "function volatilityOracle() view returns (address)",
  `function accountStatus(address account) view returns (${ACCOUNT_STATUS})`,
  "function deleverageQuote(address account, uint256 market) view returns (uint256 notional, uint256 sizeDelta, uint256 keeperFee)",
  "function deleverageCapacity(uint256 market) view returns (uint256 remaining, uint256 capacity)",
  "function deleverage(address account, uint256 market) returns (uint256 sizeDelta)",
  `function greeksRisk(address account, uint256 market) view returns (${GREEKS_RISK})`,
  "function refreshDepth(uint256 market) returns (uint256 down, uint256 up)",
  "function collateralConfig(address asset) view returns (tuple(address feed, uint32 maxPriceAge, uint8 tier, uint64 baseHaircut, uint64 volZ, uint32 volHorizon))",
  "function tierLeverage(uint8 tier) view returns (uint256)",
  "function greeksMarkets() view returns (uint256[])",
  "function greeksConfig(uint256 market) view returns (tuple(bool enabled, uint64 volShock, uint64 buffer, uint32 hedgeInterval))",
  "function depthState(uint256 market) view returns (tuple(uint128 down, uint128 up, uint128 walkDown, uint128 walkUp, uint128 readDown, uint128 readUp, uint128 twapPrice, uint40 updatedAt, uint40 readSince))",
  "function marketConfig(uint256 market) view returns (tuple(address feed, uint32 maxPriceAge, uint32 horizon, uint32 depthMaxAge, uint64 maintenanceMargin, uint64 z, uint64 kappa, uint64 kappaOI, uint64 sigmaTarget, uint64 maxDeviation, uint64 tauTrigger, uint64 tauTarget, uint128 oiCapLong, uint128 oiCapShort, address pool, bool baseIsToken0, uint32 twapWindow, uint16 maxWalkSteps, uint64 maxSlippage, uint64 rho, uint32 deleverageWindow, uint64 depthRisePerHour, uint64 keeperFeeRate, uint96 keeperFeeMax, uint64 gap))",
  "event Deleveraged(address indexed account, uint256 indexed market, address indexed keeper, int256 sizeBefore, int256 sizeAfter, uint256 price, uint8 source, uint256 notional, uint256 cap, uint8 binding, uint256 keeperFee)",
  "error CapExceeded(uint256 market, uint8 bound, uint256 cap, uint256 notional)",
  "error MarketNotListed(uint256 market)",
  "error CollateralNotListed(address asset)",
  "error PriceInvalid(address feed, uint8 fault)",
  "error MarketUnpriced(uint256 market, address feed, uint8 fault)",
  "error FreeEquityNegative(int256 equity, uint256 requirement, uint256 buffer)",
  "error SequencerDown()",
  "error SequencerGracePeriod(uint256 graceEndsAt)",
  "error PriceDivergence(uint256 market, uint256 oraclePrice, uint256 twapPrice)",
  "error VolatilityStale(address feed)",
  "error DepthStale(uint256 market, uint256 updatedAt)",
  "error IncreasesArePaused()",
  "error NothingToDeleverage(address account, uint256 market, uint256 notional, uint256 cap)",
  "error AlreadyDeleveraged(address account, uint256 market)",
  "error DeleverageWindowExhausted(uint256 market, uint256 capacity)",
  "error GreeksBoundExceeded(uint256 market, int256 worstLoss, int256 allowed, int8 priceStep, int8 volStep)",
  "error GreeksNotConfigured(uint256 market)",
  "error PoolObserveFailed(uint256 market)",
  "error ReentrancyGuardReentrantCall()",
  // Errors the reference engine may raise inside `reducePosition`.
  "error NotRiskModule(address caller)",
  "error UnknownMarket(uint256 market)",
  "error ReduceTooLarge(uint256 size, uint256 sizeDelta)",
  // Errors the reference engine may raise inside `tradeFor` (hedge mode).
  "error NotHedger(address account, address caller)",
  "error BelowMaintenance(int256 equity, uint256 requirement)",
  "error PriceUnavailable(address feed)",
] as const;

/** `IRiskLens.statusBatch`. */
export const RISK_LENS_ABI = [
  `function statusBatch(address module, address[] accounts) view returns (tuple(address account, bool ok, ${ACCOUNT_STATUS} status, bytes reason)[] entries)`,
] as const;

/** `IMarginEngine` views and `IReferenceMarginEngine.PositionChanged`, the event accounts are discovered from. */
export const ENGINE_ABI = [
  "function accountSnapshot(address account) view returns (tuple(tuple(address asset, uint256 amount)[] collateral, tuple(uint256 market, int256 size, uint256 entryPrice)[] positions, int256 adjustments) snapshot)",
  "function openInterest(uint256 market) view returns (uint256 longSize, uint256 shortSize)",
  "event PositionChanged(address indexed account, uint256 indexed market, int256 sizeBefore, int256 sizeAfter, uint256 price, int256 realizedPnl)",
  // `IOptionsEngine`: the options book of an account per market (markets with Greeks sizing).
  "function bookGreeks(address account, uint256 market) view returns (tuple(int256 delta, int256 gamma, int256 vega) greeks)",
  // Hedge mode (`IReferenceMarginEngine`): accounts opt in by approving the keeper as their hedger.
  "function tradeFor(address account, uint256 market, int256 sizeDelta)",
  "function isHedger(address account, address hedger) view returns (bool)",
  "event HedgerApproved(address indexed account, address indexed hedger, bool approved)",
] as const;

/** `IVolatilityOracle`: poke and the cursor of each feed. */
export const VOLATILITY_ORACLE_ABI = [
  "function poke(address feed) returns (uint256 folded)",
  "function getVolatility(address feed) view returns (uint256 sigma, bool stale)",
  "function feedState(address feed) view returns (tuple(uint80 cursor, uint64 referenceTime, uint64 realizedSigma, bool folded, uint256 referencePrice, uint256 a, uint256 b))",
  "error FeedNotConfigured(address feed)",
] as const;

/** Chainlink `AggregatorV3Interface.latestRoundData`. */
export const AGGREGATOR_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
] as const;

/** ERC20 `decimals`. */
export const ERC20_ABI = ["function decimals() view returns (uint8)"] as const;

export const moduleInterface = new Interface(RISK_MODULE_ABI);
export const lensInterface = new Interface(RISK_LENS_ABI);
export const engineInterface = new Interface(ENGINE_ABI);
export const oracleInterface = new Interface(VOLATILITY_ORACLE_ABI);
export const aggregatorInterface = new Interface(AGGREGATOR_ABI);
export const erc20Interface = new Interface(ERC20_ABI);

/** Topic of `PositionChanged`. */
export const POSITION_CHANGED_TOPIC = engineInterface.getEvent("PositionChanged")!.topicHash;
/** Topic of `HedgerApproved`. */
export const HEDGER_APPROVED_TOPIC = engineInterface.getEvent("HedgerApproved")!.topicHash;
/** Topic of `Deleveraged`. */
export const DELEVERAGED_TOPIC = moduleInterface.getEvent("Deleveraged")!.topicHash;

/** `IRiskModule.Status`. */
export const Status = { Healthy: 0, OverCap: 1, OracleInvalid: 2 } as const;
