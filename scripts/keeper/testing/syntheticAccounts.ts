/** Deterministic account addresses for benchmarks and tests (no chain access, no Hardhat imports). */
import { getAddress, keccak256, toBeHex } from "ethers";

/** `count` deterministic account addresses (`keccak256(i)`), the same in every run. */
export function syntheticAccounts(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => getAddress(`0x${keccak256(toBeHex(offset + i + 1, 32)).slice(26)}`));
}
