import type { Connection } from "../lib/system.js";
import { measurePokeGas } from "./pokeGas.js";
import { measureRiskGas, type ReadFloorReport, type RiskGas } from "./riskGas.js";

/** The committed gas snapshot `npm test` compares against (regressions above 5 % fail). */
export const GAS_SNAPSHOT = "test/gas-snapshot.json";

export type GasReport = RiskGas & { poke: { oneRound: number; tenRounds: number } };

/**
 * Every gas case, on a fresh system deployed on `connection`; with `floor`, also each `validateIncrease` case
 * against its read floor with the per-component breakdown (`readFloor`: `npm run bench:gas` writes it to
 * reports/bench/gas.json; the snapshot holds only the cases).
 */
export async function measureGas(
  connection: Connection,
  options: { floor?: boolean } = {},
): Promise<GasReport & { readFloor?: ReadFloorReport }> {
  const { readFloor, ...risk } = await measureRiskGas(connection, options);
  return { ...risk, poke: await measurePokeGas(connection.ethers), ...(readFloor ? { readFloor } : {}) };
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
