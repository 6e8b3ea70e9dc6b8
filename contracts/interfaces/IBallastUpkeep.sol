// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

import {IRiskLens} from "./IRiskLens.sol";
import {IRiskModule} from "./IRiskModule.sol";

/// @title IBallastUpkeep
/// @notice Hosted automation of Ballast's deleverage: an upkeep that Chainlink Automation (`checkUpkeep` /
/// `performUpkeep`, the `AutomationCompatibleInterface` signatures) or Gelato (`checker`) runs in place of, or beside,
/// the keeper (`npm run keeper`). It watches the accounts tracked in it, a page at a time through the lens, and
/// deleverages those over their caps.
/// @dev Who calls what, and when:
/// - anyone calls `track(accounts)` to watch accounts that hold a position in the module's engine (an indexer
///   following the engine's `PositionChanged`, the engine's front end, the accounts themselves), and
///   `untrack(accounts)` to drop accounts that no longer hold one;
/// - the automation network simulates `checkUpkeep` (or `checker`) every block: it reads one page of `pageSize`
///   tracked accounts (the page rotates with the block number, so every account is read within
///   `ceil(trackedCount / pageSize)` blocks) through `IRiskLens.statusBatch`, and returns the over-cap accounts
///   (each with its worst market, the highest `notional / cap` first, at most `maxDeleverages`);
/// - it then sends `performUpkeep(performData)`, which trusts nothing in its input: each pair goes to the module's
///   permissionless `deleverage`, which judges the position on fresh data and reverts when there is nothing to do;
///   such a revert is caught and reported (`DeleverageSkipped`), so one stale pair never blocks the others.
/// - optionally, a second upkeep of the same contract with Chainlink Automation's log trigger on the engine's
///   `PositionChanged` keeps the tracked set current without an indexer: `checkLog` asks for the account of the log
///   to be tracked (it holds a position and is not tracked) or untracked (it is tracked and holds none), and
///   `performUpkeep` with that data (accounts and no markets) re-judges each account on the engine's state.
/// Keeper fees are paid by the engine to this contract (the module pays `msg.sender` of `deleverage`); they stay in
/// its account in the engine. No admin, no funds; the parameters are fixed at construction.
interface IBallastUpkeep {
    /// @notice A log as Chainlink Automation's log trigger passes it to `checkLog` (the fields, in order, of the
    /// `Log` struct of Chainlink's `ILogAutomation`).
    struct Log {
        uint256 index;
        uint256 timestamp;
        bytes32 txHash;
        uint256 blockNumber;
        bytes32 blockHash;
        address source;
        bytes32[] topics;
        bytes data;
    }

    /// @notice `account` is watched from now on.
    event AccountTracked(address indexed account);

    /// @notice `account` is no longer watched (it holds no position).
    event AccountUntracked(address indexed account);

    /// @notice A candidate of `performUpkeep` was not deleveraged: `reason` is the module's revert data (for example
    /// `NothingToDeleverage` when it is within its cap by now).
    event DeleverageSkipped(address indexed account, uint256 indexed market, bytes reason);

    /// @notice `performUpkeep` ran over `candidates` pairs and deleveraged `deleveraged` of them.
    event UpkeepPerformed(uint256 candidates, uint256 deleveraged);

    /// @notice `performData` is not `abi.encode(address[] accounts, uint256[] markets)` of equal lengths (or of
    /// accounts and no markets) of at most `maxDeleverages`.
    error InvalidPerformData(uint256 accounts, uint256 markets);

    /// @notice A construction parameter is zero (`pageSize`, `maxDeleverages`) or an address is missing.
    error InvalidParameter(uint256 index);

    /// @notice Watches each of `accounts` that holds a position in the engine and is not watched yet. Permissionless.
    /// @return added How many were added.
    function track(address[] calldata accounts) external returns (uint256 added);

    /// @notice Stops watching each of `accounts` that holds no position. Permissionless.
    /// @return removed How many were removed.
    function untrack(address[] calldata accounts) external returns (uint256 removed);

    /// @notice Chainlink Automation's check, simulated off-chain: whether a page of tracked accounts holds an over-cap
    /// account, and the pairs to deleverage, `abi.encode(address[] accounts, uint256[] markets)`. `checkData` is
    /// ignored.
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Chainlink Automation's log-trigger check (`ILogAutomation.checkLog`'s selector), simulated off-chain on
    /// each `PositionChanged` of the engine: whether the log's account must be tracked (it holds a position and is
    /// not tracked) or untracked (it is tracked and holds none), and then `performData` =
    /// `abi.encode([account], new uint256[](0))`. Any other log (another source or event) needs nothing.
    /// `checkData` is ignored.
    function checkLog(
        Log calldata log,
        bytes calldata checkData
    ) external view returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Deleverages each pair of `performData` through the module, re-checked on-chain (see the notice); with
    /// accounts and no markets (a log-trigger upkeep's data), tracks each account that holds a position and untracks
    /// each that holds none, judged on the engine's state now. Permissionless.
    function performUpkeep(bytes calldata performData) external;

    /// @notice Gelato's check: `checkUpkeep`'s answer with the call to make, `performUpkeep(performData)`.
    function checker() external view returns (bool canExec, bytes memory execPayload);

    /// @notice The risk module whose accounts this upkeep deleverages.
    function module() external view returns (IRiskModule);

    /// @notice The lens the check reads through.
    function lens() external view returns (IRiskLens);

    /// @notice Accounts read per check.
    function pageSize() external view returns (uint256);

    /// @notice Most pairs one `performUpkeep` deleverages.
    function maxDeleverages() external view returns (uint256);

    /// @notice The number of tracked accounts.
    function trackedCount() external view returns (uint256);

    /// @notice Tracked accounts `[offset, offset + limit)` (fewer at the end).
    function trackedAccounts(uint256 offset, uint256 limit) external view returns (address[] memory accounts);
}
