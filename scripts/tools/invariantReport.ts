/**
 * Prints what the Solidity invariant campaigns did (Hardhat's reporter only prints their runs): for each
 * invariant test, its runs, calls and reverted calls, and the calls per handler function, from the results EDR
 * returns. Installed in hardhat.config.ts as an override of `test solidity` (it runs the original task first).
 */

/** The fields of an invariant test result this report reads (`@nomicfoundation/edr` `InvariantTestKind`). */
interface InvariantKind {
  runs: bigint;
  calls: bigint;
  reverts: bigint;
  metrics: Record<string, { calls: bigint; reverts: bigint; discards: bigint }>;
}

interface SuiteResult {
  id: { name: string };
  testResults: { name: string; kind: unknown }[];
}

function isInvariant(kind: unknown): kind is InvariantKind {
  return typeof kind === "object" && kind !== null && "calls" in kind && "metrics" in kind && "runs" in kind;
}

const number = (value: bigint | number): string => Number(value).toLocaleString("en-US");

/** The report's lines for the suites of one `test solidity` run (empty when no invariant test ran). */
export function invariantReport(suites: readonly SuiteResult[]): string[] {
  const lines: string[] = [];
  for (const suite of suites) {
    for (const test of suite.testResults) {
      if (!isInvariant(test.kind)) continue;
      const { runs, calls, reverts, metrics } = test.kind;
      lines.push(`${suite.id.name}.${test.name}: ${number(runs)} runs, ${number(calls)} calls (${number(reverts)} reverted)`);
      const handlers = Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b));
      for (const [selector, m] of handlers) {
        const name = selector.includes(".") ? selector.slice(selector.lastIndexOf(".") + 1) : selector;
        lines.push(`  ${name}: ${number(m.calls)} calls (${number(m.reverts)} reverted)`);
      }
    }
  }
  return lines;
}

/** The suites of a `test solidity` task result (`{ success, value | error }` holding `suiteResults`). */
export function suitesOf(result: unknown): SuiteResult[] {
  if (typeof result !== "object" || result === null) return [];
  const payload = "value" in result ? result.value : "error" in result ? result.error : undefined;
  if (typeof payload !== "object" || payload === null || !("suiteResults" in payload)) return [];
  return (payload as { suiteResults: SuiteResult[] }).suiteResults;
}
