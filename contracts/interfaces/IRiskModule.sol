// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IMarginEngine} from "./IMarginEngine.sol";
import {IOptionsEngine} from "./IOptionsEngine.sol";
import {IOptionsRiskHook} from "./IOptionsRiskHook.sol";
import {IRiskAdmin} from "./IRiskAdmin.sol";
import {IRiskErrors} from "./IRiskErrors.sol";
import {IRiskEvents} from "./IRiskEvents.sol";
import {IRiskHook} from "./IRiskHook.sol";
import {IRiskKeeper} from "./IRiskKeeper.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";

/// @title IRiskModule
/// @notice Ballast's risk module for one margin engine (RISK-MODEL.md): the engine hook (`IRiskHook`), the
/// options hook (`IOptionsRiskHook`), the keepers' reports and actions (`IRiskKeeper`) and governance
/// (`IRiskAdmin`). An integrator reads only the part that concerns it.
///
/// The account rule, computed in one place and used by every entry point (RISK-MODEL.md section 3):
/// - each market of the account has a stressed requirement: a perpetual's `N * (m + x)` (its adverse move `x`
///   over the stressed move), or, in a market with Greeks sizing, the perpetual's maintenance margin `m * N`
///   plus the worst scenario loss of the options book with the perpetual's delta;
/// - the account's free equity is `E - K - R`: equity after haircuts, less a buffer `K` while it holds options
///   books, less the sum `R` of its markets' requirements;
/// - each position's cap is the minimum of its named bounds, the liquidation-distance (or Greeks) bound being
///   what the free equity left by the account's other markets allows it.
/// An account passes when its free equity is not negative and every position is within its cap. Every
/// risk-increasing action (`validateIncrease`, `validateAccount`, an options trade that raises its book's worst
/// loss) must leave the account passing, so the state after any sequence of admitted actions passes
/// `validateAccount` whatever their order. A position above `cap * (1 + tauTrigger)` is deleveraged.
///
/// Trust assumptions:
/// - The engine (immutable) reports accounts and open interest truthfully (`IMarginEngine`), and reduces
///   exactly what `reducePosition` asks. A wrong snapshot yields wrong caps for that engine's accounts only.
/// - Chainlink feeds report prices (and the L2 sequencer feed its status); every read is validated per
///   action (RISK-MODEL.md section 6): increases need every check of every feed the account uses; a
///   deleverage needs a price for the position's market, fresh from Chainlink or else the pool TWAP.
/// - The volatility oracle (immutable) reports annualized volatility per feed; a stale one fails increases.
/// - Reference Uniswap V3 pools are read only through time-weighted values (`observe`) and a tick walk
///   measured at the TWAP tick (a swap that moves the spot price does not change it), whose higher readings
///   enter the depth state only when two readings from different blocks agree and then at a bounded rate.
///   The pool TWAP prices a market whose Chainlink price is not fresh: a manipulation must hold the pool for
///   the TWAP window. Residual risk: an LP holding real liquidity can withdraw it, refresh, and re-deposit in
///   one transaction, which lowers the depth state at once (caps only shrink; it costs the LP the gas).
/// - Quote amounts of reference pools are read as USD (the quote token is a USD stablecoin).
/// - In a market with Greeks sizing, the engine (an `IOptionsEngine` too) reports each book's Greeks truthfully
///   and its mark value in the snapshot's adjustments. The module cannot reduce an option: an options book
///   counts in the account rule, and its breach is answered by deleveraging perpetual positions.
///
/// Roles and powers (OpenZeppelin access control; the default admin changes only in two steps after a
/// delay and grants every other role):
/// - `RISK_ADMIN_ROLE` lists and configures markets, collaterals, tiers, the sequencer feed and each market's
///   Greeks sizing, each field within the hard bounds of the implementation, and at most once per
///   `CONFIG_COOLDOWN` per market or asset. A change that tightens (can shrink a cap, bring a deleverage or
///   raise a fee; per field in `IRiskAdmin`) is only proposed, and anyone may execute it after
///   `GOVERNANCE_DELAY` (1 day); a loosening applies at once. Turning Greeks sizing off cannot block an options
///   trade that lowers a book's worst scenario loss.
/// - `RISK_ORACLE_ROLE` moves one numeric market parameter at a time by at most `MAX_ORACLE_CHANGE`
///   (relative) per update, at most once per `ORACLE_COOLDOWN` per parameter (Aave risk-steward style).
/// - Anyone executes a proposed change once its delay has passed; the risk admin or the guardian may cancel it.
/// - `GUARDIAN_ROLE` pauses risk-increasing actions (`validateIncrease`, `validateAccount`, options trades
///   that raise a worst loss); it cannot pause `deleverage`, reductions or liquidations. Unpausing needs
///   `RISK_ADMIN_ROLE`.
/// No role can force-deleverage a position within its cap at once: with the market unchanged, a cap falls within
/// `GOVERNANCE_DELAY` of any call only by the risk oracle's bounded steps.
/// No role can: move funds (the module holds none), change the engine or the volatility oracle, set a
/// parameter outside its hard bounds, raise the keeper fee above its bound, or make reductions impossible.
interface IRiskModule is IRiskHook, IOptionsRiskHook, IRiskKeeper, IRiskAdmin, IRiskErrors, IRiskEvents {
    /// @notice Validates the account after the engine applied a risk-increasing trade on its position in
    /// `market`: the account rule (see the contract's notice) with every check of every price it uses.
    /// @dev Checks after effects: the engine reverts the trade when this reverts. Reverts with
    /// `CapExceeded(market, bound, cap, notional)` naming the traded position first, then any other position
    /// above its cap, then `GreeksBoundExceeded` for an options book beyond what the account can bear, then
    /// `FreeEquityNegative`. One exception: in a market with Greeks sizing, a perpetual that hedges the book
    /// (the market's requirement with it is no larger than the options' alone, `GreeksRisk.optionsLoss`) needs
    /// only its own cap, so that a book the market pushed beyond the account's equity can still be hedged (it
    /// cannot make the account worse than it would be without the perpetual). Fails closed with an error naming the failed feed and fault, market or check on
    /// any oracle, sequencer, volatility or depth problem, and while paused. Reductions never need it.
    function validateIncrease(address account, uint256 market) external view override;

    /// @notice Validates the whole account (after an action that lowered its equity, such as a collateral
    /// withdrawal). Same rule and failure modes as `validateIncrease`.
    function validateAccount(address account) external view override;

    /// @notice Validates the account after the engine applied an options trade whose Greeks are `trade`.
    /// @dev A trade that does not raise the book's worst scenario loss (the grid of RISK-MODEL.md section 7, the
    /// perpetual position's delta included, judged at the latest positive price whatever its age; in a market
    /// without Greeks sizing, on a grid with a 100-vol-point shock) is never rejected, whatever the oracles
    /// say, and even while paused. Any other trade needs the account rule with every check of
    /// `validateIncrease`, and reverts with `GreeksBoundExceeded` naming the traded book first, or
    /// `GreeksNotConfigured` in a market without Greeks sizing.
    function validateOptionsTrade(
        address account,
        uint256 market,
        IOptionsEngine.Greeks calldata trade
    ) external view override;

    /// @notice The margin engine this module serves.
    function engine() external view returns (IMarginEngine);

    /// @notice The volatility oracle the module reads.
    function volatilityOracle() external view returns (IVolatilityOracle);
}
