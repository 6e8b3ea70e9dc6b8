/**
 * The test tiers. `npm test` (tier `ci`): unit, integration (one smoke scenario included), the invariant
 * suite at its CI size, and every Solidity test outside `test/fork`. `npm run test:fork` (tier `fork`): every
 * scenario of the fork suite. Files are listed heaviest first so that mocha's parallel workers finish
 * together (longest-processing-time-first scheduling); new files join at the end of their tier.
 */
import { readdirSync } from "node:fs";
import path from "node:path";

export const TIERS = {
  ci: ["test/unit", "test/integration", "test/invariant"],
  fork: ["test/fork"],
  all: ["test/unit", "test/integration", "test/invariant", "test/fork"],
} as const;

export type Tier = keyof typeof TIERS;

/** Files measured to take longest (the slowest-tests summary of `npm test` shows the current ones). */
export const HEAVIEST_FIRST: readonly string[] = [
  "test/fork/optionsVolSpike.test.ts",
  "test/fork/oracleIncidents.test.ts",
  "test/fork/cascade.test.ts",
  "test/integration/demo.test.ts",
  "test/integration/riskModule/accountRule.test.ts",
  "test/integration/keeper/prefilter.test.ts",
  "test/integration/simulateCli.test.ts",
  "test/integration/volReplay.test.ts",
  "test/integration/depthCli.test.ts",
  "test/integration/keeper/lifecycle.test.ts",
  "test/integration/gasSnapshot.test.ts",
  "test/integration/cli.test.ts",
  "test/unit/blackScholes.test.ts",
  "test/integration/keeper/faults.test.ts",
  "test/integration/riskModule/depth.test.ts",
  "test/integration/riskModule/oracleFaults.test.ts",
  "test/integration/riskModule/greeks.test.ts",
];

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The tier's test files, relative to the project root: Solidity tests (`*.t.sol`) and mocha tests (`*.test.ts`). */
export function tierFiles(tier: Tier, root = process.cwd()): { solidity: string[]; mocha: string[] } {
  const files = TIERS[tier].flatMap((dir) => walk(path.join(root, dir)).map((f) => path.relative(root, f).split(path.sep).join("/")));
  const rank = (f: string) => {
    const i = HEAVIEST_FIRST.indexOf(f);
    return i === -1 ? HEAVIEST_FIRST.length : i;
  };
  const mocha = files.filter((f) => f.endsWith(".test.ts")).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const solidity = files.filter((f) => f.endsWith(".t.sol")).sort();
  return { solidity, mocha };
}
