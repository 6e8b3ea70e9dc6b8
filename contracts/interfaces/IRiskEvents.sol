// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {Bound} from "../types/Bound.sol";
import {IRiskTypes} from "./IRiskTypes.sol";

/// @title IRiskEvents
/// @notice Every event of the risk module: one past-tense event per change of its state.
interface IRiskEvents is IRiskTypes {
    /// @notice A collateral asset was listed or reconfigured.
    event CollateralConfigured(address indexed asset, IRiskTypes.CollateralConfig config);

    /// @notice A collateral tier's leverage limit was set. The tier bound of a position is
    /// `sum_c value_c * (1 - haircut_c) * maxLeverage(tier_c) * min(1, E / sum_c value_c * (1 - haircut_c))`
    /// less the notional of the account's other positions.
    event TierConfigured(uint8 indexed tier, uint256 maxLeverage);

    /// @notice A market was listed or reconfigured.
    event MarketConfigured(uint256 indexed market, IRiskTypes.MarketConfig config);

    /// @notice A market's Greeks sizing was set.
    event GreeksConfigured(uint256 indexed market, IRiskTypes.GreeksConfig config);

    /// @notice The risk admin proposed a market configuration that tightens the current one; anyone may execute
    /// it (`executeMarketConfig`) from `executableAt` on, unless it is cancelled or replaced first.
    event MarketConfigProposed(uint256 indexed market, IRiskTypes.MarketConfig config, uint256 executableAt);

    /// @notice The risk admin proposed a collateral configuration that tightens the current one.
    event CollateralConfigProposed(address indexed asset, IRiskTypes.CollateralConfig config, uint256 executableAt);

    /// @notice The risk admin proposed a lower leverage limit for a tier.
    event TierProposed(uint8 indexed tier, uint256 maxLeverage, uint256 executableAt);

    /// @notice The risk admin proposed Greeks sizing that tightens the current one.
    event GreeksConfigProposed(uint256 indexed market, IRiskTypes.GreeksConfig config, uint256 executableAt);

    /// @notice A pending change was cancelled before it was executed.
    /// @param hash The hash of the cancelled change's ABI encoding.
    event ChangeCancelled(bytes32 indexed key, bytes32 hash, address indexed by);

    /// @notice The risk oracle moved a market parameter.
    event RiskParameterUpdated(
        uint256 indexed market,
        IRiskTypes.RiskParameter indexed parameter,
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
    /// @param price The price the breach was evaluated at (see `source`), WAD USD.
    /// @param source Where `price` came from: Chainlink, the stored pool TWAP where it diverged and showed
    /// the larger breach, or the live pool TWAP because the Chainlink price was not fresh.
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
        IRiskTypes.PriceSource source,
        uint256 notional,
        uint256 cap,
        Bound binding,
        uint256 keeperFee
    );
}
