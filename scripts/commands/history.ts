/** The flags of a command that reads a market's history (simulate, calibrate): a price path or Chainlink rounds. */
import { flag } from "../lib/cli.js";

export const HISTORY_FLAGS = {
  prices: flag.string("a price path: header timestamp,open,high,low,close or timestamp,price (unix seconds, ascending)", {
    value: "<file.csv>",
  }),
  rounds: flag.string("real Chainlink rounds instead: header roundId,answer,startedAt,updatedAt,answeredInRound", {
    value: "<file.csv>",
  }),
  decimals: flag.int("decimals of the rounds' answers (with --rounds)", { min: 0, max: 36 }),
};

/** Exactly one source, and `--decimals` with rounds only. */
export function historyProblems(a: {
  prices: string | undefined;
  rounds: string | undefined;
  decimals: number | undefined;
}): [string, string][] {
  const problems: [string, string][] = [];
  if ((a.prices === undefined) === (a.rounds === undefined)) problems.push(["prices", "give exactly one of --prices and --rounds"]);
  if (a.rounds !== undefined && a.decimals === undefined) problems.push(["decimals", "required with --rounds (e.g. 8)"]);
  if (a.rounds === undefined && a.decimals !== undefined) problems.push(["decimals", "only with --rounds"]);
  return problems;
}
