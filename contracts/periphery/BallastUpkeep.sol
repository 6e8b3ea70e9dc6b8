// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBallastUpkeep} from "../interfaces/IBallastUpkeep.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IRiskLens} from "../interfaces/IRiskLens.sol";
import {IRiskModule} from "../interfaces/IRiskModule.sol";
import {IRiskTypes} from "../interfaces/IRiskTypes.sol";

/// @title BallastUpkeep
/// @notice Chainlink Automation and Gelato upkeep of Ballast's deleverage (see `IBallastUpkeep`). No admin, no funds.
contract BallastUpkeep is IBallastUpkeep {
    /// @inheritdoc IBallastUpkeep
    IRiskModule public immutable module;
    /// @inheritdoc IBallastUpkeep
    IRiskLens public immutable lens;
    /// @inheritdoc IBallastUpkeep
    uint256 public immutable pageSize;
    /// @inheritdoc IBallastUpkeep
    uint256 public immutable maxDeleverages;

    IMarginEngine private immutable _engine;
    address[] private _accounts;
    mapping(address account => uint256 position) private _positionOf; // index + 1; zero when not tracked

    constructor(IRiskModule module_, IRiskLens lens_, uint256 pageSize_, uint256 maxDeleverages_) {
        if (address(module_) == address(0)) revert InvalidParameter(0);
        if (address(lens_) == address(0)) revert InvalidParameter(1);
        if (pageSize_ == 0) revert InvalidParameter(2);
        if (maxDeleverages_ == 0) revert InvalidParameter(3);
        (module, lens, pageSize, maxDeleverages) = (module_, lens_, pageSize_, maxDeleverages_);
        _engine = module_.engine();
    }

    /// @inheritdoc IBallastUpkeep
    function track(address[] calldata accounts) external returns (uint256 added) {
        for (uint256 i; i < accounts.length; ++i) {
            if (_positionOf[accounts[i]] == 0 && _holdsPosition(accounts[i]) && _track(accounts[i])) ++added;
        }
    }

    /// @inheritdoc IBallastUpkeep
    function untrack(address[] calldata accounts) external returns (uint256 removed) {
        for (uint256 i; i < accounts.length; ++i) {
            if (_positionOf[accounts[i]] != 0 && !_holdsPosition(accounts[i]) && _untrack(accounts[i])) ++removed;
        }
    }

    /// @inheritdoc IBallastUpkeep
    function checkLog(
        Log calldata log,
        bytes calldata
    ) external view returns (bool upkeepNeeded, bytes memory performData) {
        if (
            log.source != address(_engine) ||
            log.topics.length < 2 ||
            log.topics[0] != IMarginEngine.PositionChanged.selector
        ) return (false, "");
        address account = address(uint160(uint256(log.topics[1])));
        if ((_positionOf[account] != 0) == _holdsPosition(account)) return (false, "");
        address[] memory accounts = new address[](1);
        accounts[0] = account;
        return (true, abi.encode(accounts, new uint256[](0)));
    }

    /// @inheritdoc IBallastUpkeep
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        return _check();
    }

    /// @inheritdoc IBallastUpkeep
    function checker() external view returns (bool canExec, bytes memory execPayload) {
        bytes memory performData;
        (canExec, performData) = _check();
        execPayload = abi.encodeCall(this.performUpkeep, (performData));
    }

    /// @inheritdoc IBallastUpkeep
    function performUpkeep(bytes calldata performData) external {
        (address[] memory accounts, uint256[] memory markets) = abi.decode(performData, (address[], uint256[]));
        if ((accounts.length != markets.length && markets.length != 0) || accounts.length > maxDeleverages) {
            revert InvalidPerformData(accounts.length, markets.length);
        }
        if (markets.length == 0 && accounts.length != 0) {
            // A log-trigger upkeep's data: tracking brought up to date, each account judged on the engine now.
            for (uint256 i; i < accounts.length; ++i) {
                if (_holdsPosition(accounts[i])) _track(accounts[i]);
                else _untrack(accounts[i]);
            }
            return;
        }
        uint256 deleveraged;
        for (uint256 i; i < accounts.length; ++i) {
            // The module judges the position afresh and reverts when there is nothing to do: nothing here is trusted.
            try module.deleverage(accounts[i], markets[i]) returns (uint256) {
                ++deleveraged;
            } catch (bytes memory reason) {
                emit DeleverageSkipped(accounts[i], markets[i], reason);
            }
        }
        emit UpkeepPerformed(accounts.length, deleveraged);
    }

    /// @inheritdoc IBallastUpkeep
    function trackedCount() external view returns (uint256) {
        return _accounts.length;
    }

    /// @inheritdoc IBallastUpkeep
    function trackedAccounts(uint256 offset, uint256 limit) external view returns (address[] memory accounts) {
        uint256 end = offset + limit > _accounts.length ? _accounts.length : offset + limit;
        accounts = new address[](end > offset ? end - offset : 0);
        for (uint256 i; i < accounts.length; ++i) accounts[i] = _accounts[offset + i];
    }

    function _holdsPosition(address account) private view returns (bool) {
        return _engine.accountSnapshot(account).positions.length != 0;
    }

    /// @dev Adds `account` to the tracked set (no-op when it is in it); the one write of an addition.
    function _track(address account) private returns (bool added) {
        if (_positionOf[account] != 0) return false;
        _accounts.push(account);
        _positionOf[account] = _accounts.length;
        emit AccountTracked(account);
        return true;
    }

    /// @dev Removes `account` from the tracked set (no-op when it is not in it); the one write of a removal.
    function _untrack(address account) private returns (bool removed) {
        uint256 position = _positionOf[account];
        if (position == 0) return false;
        address last = _accounts[_accounts.length - 1];
        _accounts[position - 1] = last;
        _positionOf[last] = position;
        _accounts.pop();
        delete _positionOf[account];
        emit AccountUntracked(account);
        return true;
    }

    /// @dev Reads this block's page through the lens and picks the over-cap accounts, highest `notional / cap` first.
    function _check() private view returns (bool found, bytes memory performData) {
        uint256 count = _accounts.length;
        uint256 size = pageSize < count ? pageSize : count;
        address[] memory page = new address[](size);
        uint256 start = size == 0 ? 0 : (block.number * size) % count;
        for (uint256 i; i < size; ++i) page[i] = _accounts[(start + i) % count];
        IRiskLens.AccountStatusEntry[] memory entries = lens.statusBatch(module, page);
        address[] memory accounts = new address[](maxDeleverages);
        uint256[] memory markets = new uint256[](maxDeleverages);
        uint256[] memory ratios = new uint256[](maxDeleverages);
        uint256 n;
        for (uint256 i; i < entries.length; ++i) {
            IRiskModule.AccountStatus memory s = entries[i].status;
            if (!entries[i].ok || s.status != IRiskTypes.Status.OverCap) continue;
            // Insertion into the top `maxDeleverages` by ratio.
            uint256 j = n < maxDeleverages ? n++ : maxDeleverages;
            while (j > 0 && ratios[j - 1] < s.ratio) {
                if (j < maxDeleverages)
                    (accounts[j], markets[j], ratios[j]) = (accounts[j - 1], markets[j - 1], ratios[j - 1]);
                --j;
            }
            if (j < maxDeleverages)
                (accounts[j], markets[j], ratios[j]) = (entries[i].account, s.worst.market, s.ratio);
        }
        address[] memory pickedAccounts = new address[](n);
        uint256[] memory pickedMarkets = new uint256[](n);
        for (uint256 i; i < n; ++i) (pickedAccounts[i], pickedMarkets[i]) = (accounts[i], markets[i]);
        return (n != 0, abi.encode(pickedAccounts, pickedMarkets));
    }
}
