// SPDX-License-Identifier: MIT
pragma solidity >=0.8.4;

/// @title IAggregatorV3
/// @notice The three functions of a Chainlink price feed that Ballast calls, declared here so that Ballast's
/// interfaces import nothing from a third party (Morpho Blue declares its oracle the same way). The signatures
/// are those of Chainlink's `AggregatorV3Interface` (every release, `src/v0.8/interfaces/` in 0.8.0,
/// `src/v0.8/shared/interfaces/` in 1.x), so a Chainlink proxy (`EACAggregatorProxy`) or any contract that
/// implements that interface is an `IAggregatorV3`: convert with `IAggregatorV3(address(feed))`. In the ABI a
/// feed is an `address`.
interface IAggregatorV3 {
    /// @notice The number of decimals of the answers.
    function decimals() external view returns (uint8);

    /// @notice A round by its proxy round id (`(phaseId << 64) | aggregatorRoundId` for an `EACAggregatorProxy`).
    /// @dev Depending on the aggregator, a round that does not exist reverts or returns `updatedAt == 0`.
    function getRoundData(
        uint80 roundId_
    )
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
