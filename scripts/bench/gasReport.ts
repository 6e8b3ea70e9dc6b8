import type { Connection } from "../lib/system.js";
import { measurePokeGas } from "./pokeGas.js";
import { measureRiskGas, type ReadFloorReport, type RiskGas, type TransactionReport } from "./riskGas.js";

/** The committed gas snapshot `npm test` compares against (regressions above 5 % fail). */
export const GAS_SNAPSHOT = "test/gas-snapshot.json";

export type GasReport = RiskGas & { poke: { oneRound: number; tenRounds: number } };

/**
 * Every gas case, on a fresh system deployed on `connection`; with `floor`, also each `validateIncrease` case
 * against its read floor with the per-component breakdown (`readFloor`) and the whole transactions of
 * `deleverage`, `refreshDepth` and `poke` broken down (`transactions`): `npm run bench:gas` writes both to
 * reports/bench/gas.json; the snapshot holds only the cases.
 */
export async function measureGas(
  connection: Connection,
  options: { floor?: boolean } = {},
): Promise<GasReport & { readFloor?: ReadFloorReport; transactions?: TransactionReport }> {
  const { readFloor, transactions, ...risk } = await measureRiskGas(connection, options);
  const { transaction: poke, ...pokeGas } = await measurePokeGas(connection.ethers, { breakdown: options.floor });
  return {
    ...risk,
    poke: pokeGas,
    ...(readFloor ? { readFloor } : {}),
    ...(transactions && poke ? { transactions: { ...transactions, poke } } : {}),
  };
}

/** Flattens a report to `path -> gas` pairs ("validateIncrease.onePositionCold" -> 126441). */
export function flattenGas(report: object, prefix = ""): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(report)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "number") out.set(path, value);
    else if (typeof value === "object" && value !== null) for (const [k, v] of flattenGas(value, path)) out.set(k, v);
  }
  return out;
}
