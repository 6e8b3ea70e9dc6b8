import { writeFile } from "node:fs/promises";

import { Random } from "../../scripts/lib/random.js";
import { ROUNDS_HEADER, type Round } from "../../scripts/lib/rounds.js";

/**
 * Synthetic Chainlink rounds in the real file format: a random walk of a given volatility per round,
 * irregular spacing, proxy round ids starting in `phase`, and a phase change every `phaseLength` rounds.
 */
export function syntheticRounds(count: number, seed: number, phase = 6, phaseLength = Infinity): Round[] {
  const random = new Random(seed);
  let price = 2_000;
  let time = 1_680_000_000;
  let currentPhase = BigInt(phase);
  let aggregatorRound = 1_000n;
  const rounds: Round[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % phaseLength === 0) {
      currentPhase += 1n;
      aggregatorRound = 1n;
    }
    time += random.int(60, 3_600);
    price *= Math.exp(0.006 * random.gaussian());
    const roundId = (currentPhase << 64n) | aggregatorRound++;
    const answer = BigInt(Math.round(price * 1e8));
    rounds.push({ roundId, answer, startedAt: BigInt(time), updatedAt: BigInt(time), answeredInRound: roundId, line: i + 2 });
  }
  return rounds;
}

export async function writeRoundsCsv(file: string, rounds: readonly Round[]): Promise<void> {
  const lines = rounds.map((r) => [r.roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound].join(","));
  await writeFile(file, `${ROUNDS_HEADER.join(",")}\n${lines.join("\n")}\n`);
}
