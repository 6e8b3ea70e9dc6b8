import { integerField, readCsv } from "./csv.js";
import { InputError } from "./errors.js";

/** A Chainlink round as `getRoundData()` returns it (proxy round id: `(phaseId << 64) | aggregatorRoundId`). */
export interface Round {
  roundId: bigint;
  answer: bigint;
  startedAt: bigint;
  updatedAt: bigint;
  answeredInRound: bigint;
  /** Line of the round in its file, for messages. */
  line: number;
}

export const ROUNDS_HEADER = ["roundId", "answer", "startedAt", "updatedAt", "answeredInRound"] as const;

const UINT80_MAX = 2n ** 80n - 1n;

/** The phase id of a proxy round id. */
export const phaseOf = (roundId: bigint): bigint => roundId >> 64n;

/**
 * Reads a file of Chainlink rounds (header exactly `roundId,answer,startedAt,updatedAt,answeredInRound`,
 * base-10 integers, rows sorted by `updatedAt` and by round id). Every problem is an `InputError`
 * naming the file and line.
 */
export async function readRounds(file: string): Promise<Round[]> {
  const { rows } = await readCsv(file, [ROUNDS_HEADER]);
  const rounds: Round[] = [];
  for (const row of rows) {
    const round: Round = {
      roundId: integerField(row, "roundId", file),
      answer: integerField(row, "answer", file, true),
      startedAt: integerField(row, "startedAt", file),
      updatedAt: integerField(row, "updatedAt", file),
      answeredInRound: integerField(row, "answeredInRound", file),
      line: row.line,
    };
    if (round.roundId > UINT80_MAX || round.answeredInRound > UINT80_MAX) {
      throw new InputError("roundId and answeredInRound must fit in uint80", file, row.line);
    }
    if (round.updatedAt >= 2n ** 32n) throw new InputError(`updatedAt ${round.updatedAt} is not a unix time in seconds`, file, row.line);
    const previous = rounds.at(-1);
    if (previous !== undefined) {
      if (round.updatedAt < previous.updatedAt) {
        throw new InputError(
          `rows are not sorted by updatedAt (${round.updatedAt} after ${previous.updatedAt} on line ${previous.line})`,
          file,
          row.line,
        );
      }
      if (round.roundId <= previous.roundId) {
        throw new InputError(
          `round ids must increase (${round.roundId} after ${previous.roundId} on line ${previous.line})`,
          file,
          row.line,
        );
      }
    }
    rounds.push(round);
  }
  return rounds;
}
