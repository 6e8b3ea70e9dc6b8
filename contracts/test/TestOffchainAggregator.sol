// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AggregatorInterface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorInterface.sol";
import {AggregatorV2V3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV2V3Interface.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol";

/// @title TestOffchainAggregator
/// @notice TEST DOUBLE. An aggregator that sits behind a real Chainlink `EACAggregatorProxy` and publishes
/// whatever rounds its owner transmits. It reproduces the read semantics of Chainlink's OCR aggregators:
/// one storage slot per round (`int192` answer, `uint32` timestamps), round ids from 1, `answeredInRound ==
/// roundId`, and for a round that does not exist either OCR2's behaviour (return zeros with the requested
/// id) or OCR1's (revert "No data present"). Fault injection (`setRound`) can write any round, including
/// incomplete ones (`answeredInRound < roundId`) that only legacy aggregators produce.
contract TestOffchainAggregator is AggregatorV2V3Interface, Ownable {
    /// @notice How a read of a round that does not exist behaves.
    enum MissingRound {
        ReturnZeros,
        Revert
    }

    struct Transmission {
        int192 answer;
        uint32 startedAt;
        uint32 updatedAt;
    }

    /// @notice Transmit batches must have equal lengths.
    error LengthMismatch(uint256 answers, uint256 timestamps);

    uint8 public immutable override decimals;
    MissingRound public immutable missingRound;
    string public override description;

    uint32 private _latestRoundId;
    bool private _hasIncompleteRounds;
    mapping(uint32 roundId => Transmission transmission) private _transmissions;
    mapping(uint32 roundId => uint32 answeredInRound) private _answeredIn;

    constructor(uint8 decimals_, string memory description_, MissingRound missingRound_) Ownable(msg.sender) {
        decimals = decimals_;
        description = description_;
        missingRound = missingRound_;
    }

    /// @notice Publishes a new round with `startedAt == updatedAt`.
    function transmit(int192 answer, uint32 updatedAt) public onlyOwner {
        uint32 roundId = _latestRoundId + 1;
        _latestRoundId = roundId;
        _transmissions[roundId] = Transmission(answer, updatedAt, updatedAt);
        emit NewRound(roundId, msg.sender, updatedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
    }

    /// @notice Publishes several rounds in order.
    function transmitBatch(int192[] calldata answers, uint32[] calldata updatedAts) external onlyOwner {
        if (answers.length != updatedAts.length) revert LengthMismatch(answers.length, updatedAts.length);
        for (uint256 i; i < answers.length; ++i) {
            transmit(answers[i], updatedAts[i]);
        }
    }

    /// @notice Fault injection: writes any round. `answeredInRound < roundId` makes an incomplete round.
    function setRound(
        uint32 roundId,
        int192 answer,
        uint32 startedAt,
        uint32 updatedAt,
        uint32 answeredInRound
    ) external onlyOwner {
        _transmissions[roundId] = Transmission(answer, startedAt, updatedAt);
        if (answeredInRound != roundId) {
            _answeredIn[roundId] = answeredInRound;
            _hasIncompleteRounds = true;
        } else {
            delete _answeredIn[roundId];
        }
        if (roundId > _latestRoundId) _latestRoundId = roundId;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure override returns (uint256) {
        return 6;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) public view override returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId > type(uint32).max || roundId == 0 || roundId > _latestRoundId) return _missing(roundId);
        Transmission memory t = _transmissions[uint32(roundId)];
        if (t.updatedAt == 0) return _missing(roundId);
        return (roundId, t.answer, t.startedAt, t.updatedAt, _answeredInRound(uint32(roundId)));
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        uint32 roundId = _latestRoundId;
        Transmission memory t = _transmissions[roundId];
        return (roundId, t.answer, t.startedAt, t.updatedAt, _answeredInRound(roundId));
    }

    /// @inheritdoc AggregatorInterface
    function latestAnswer() external view override returns (int256) {
        return _transmissions[_latestRoundId].answer;
    }

    /// @inheritdoc AggregatorInterface
    function latestTimestamp() external view override returns (uint256) {
        return _transmissions[_latestRoundId].updatedAt;
    }

    /// @inheritdoc AggregatorInterface
    function latestRound() external view override returns (uint256) {
        return _latestRoundId;
    }

    /// @inheritdoc AggregatorInterface
    function getAnswer(uint256 roundId) external view override returns (int256) {
        return roundId > type(uint32).max ? int256(0) : _transmissions[uint32(roundId)].answer;
    }

    /// @inheritdoc AggregatorInterface
    function getTimestamp(uint256 roundId) external view override returns (uint256) {
        return roundId > type(uint32).max ? 0 : _transmissions[uint32(roundId)].updatedAt;
    }

    function _answeredInRound(uint32 roundId) private view returns (uint80) {
        if (!_hasIncompleteRounds) return roundId;
        uint32 answeredIn = _answeredIn[roundId];
        return answeredIn == 0 ? roundId : answeredIn;
    }

    function _missing(uint80 roundId) private view returns (uint80, int256, uint256, uint256, uint80) {
        // OCR1's exact revert string: this double reproduces it, so it cannot use a custom error.
        // solhint-disable-next-line gas-custom-errors
        if (missingRound == MissingRound.Revert) revert("No data present");
        return (roundId, 0, 0, 0, roundId);
    }
}
