// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IMarginEngine} from "../../interfaces/IMarginEngine.sol";

/// @title SyntheticMarginEngine
/// @notice TEST DOUBLE for the keeper's scan benchmark, NOT an engine. It reports any number of accounts
/// without storing them: each account's snapshot is derived from the hash of its address (one collateral
/// balance of 100 to 10,000 units of a stablecoin and one position in one market, long or short, at
/// 0.5x to 3x leverage, or at 30x for one account in `overCapOneIn`). The risk module, oracles, pool and
/// lens that evaluate these accounts stay real. Positions cannot be reduced (`reducePosition` reverts). It emits
/// `IMarginEngine.PositionChanged` so that keepers discover the accounts.
contract SyntheticMarginEngine is IMarginEngine {
    /// @notice This double holds no positions that could be reduced.
    error ReductionNotSupported();

    uint256 private constant _WAD = 1e18;

    /// @notice The stablecoin every account holds (6 decimals).
    address public immutable collateral;
    /// @notice The one market every account trades.
    uint256 public immutable market;
    /// @notice Entry price of every position, WAD USD.
    uint256 public immutable referencePrice;
    /// @notice One account in this many is leveraged 30x.
    uint256 public immutable overCapOneIn;

    constructor(address collateral_, uint256 market_, uint256 referencePrice_, uint256 overCapOneIn_) {
        collateral = collateral_;
        market = market_;
        referencePrice = referencePrice_;
        overCapOneIn = overCapOneIn_;
    }

    /// @inheritdoc IMarginEngine
    function accountSnapshot(address account) external view returns (AccountSnapshot memory snapshot) {
        (uint256 units, int256 size) = _derive(account);
        snapshot.collateral = new CollateralBalance[](1);
        snapshot.collateral[0] = CollateralBalance({asset: collateral, amount: units * 1e6});
        snapshot.positions = new PositionSnapshot[](1);
        snapshot.positions[0] = PositionSnapshot({market: market, size: size, entryPrice: referencePrice});
    }

    /// @inheritdoc IMarginEngine
    function openInterest(uint256) external pure returns (uint256 longSize, uint256 shortSize) {
        return (0, 0);
    }

    /// @inheritdoc IMarginEngine
    function reducePosition(address, uint256, uint256, address, uint256) external pure {
        revert ReductionNotSupported();
    }

    /// @notice Emits `PositionChanged` for each account (with its derived size), so that keepers discover them.
    function announce(address[] calldata accounts) external {
        for (uint256 i; i < accounts.length; ++i) {
            (, int256 size) = _derive(accounts[i]);
            emit PositionChanged(accounts[i], market, 0, size, referencePrice, 0);
        }
    }

    function _derive(address account) private view returns (uint256 units, int256 size) {
        uint256 h = uint256(keccak256(abi.encodePacked(account)));
        units = 100 + (h % 9_901);
        uint256 tenths = (h >> 64) % overCapOneIn == 0 ? 300 : 5 + ((h >> 128) % 26);
        uint256 notional = (units * _WAD * tenths) / 10;
        size = int256((notional * _WAD) / referencePrice);
        if ((h >> 200) & 1 == 1) size = -size;
    }
}
