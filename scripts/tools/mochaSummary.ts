/**
 * Hardhat's mocha task (`@nomicfoundation/hardhat-mocha`) sums a run up as `passed: total - failures`, so a
 * pending test (`it.skip`, `this.skip()`: the fork suite's mainnet twins without an RPC) was counted as passing
 * in the summary line ("86 passing (86 mocha)" for 43 passing and 43 pending). This moves the run's pending tests,
 * counted by the reporter (`slowestReporter.cjs`), from `passed` to `skipped`.
 */
interface TestSummary {
  passed: number;
  skipped?: number;
}

/** The mocha task's result (`{ success, value }` or `{ success: false, error }`, each holding a `summary`), corrected in place. */
export function pendingAsSkipped<T>(result: T, pending: number): T {
  if (pending === 0 || typeof result !== "object" || result === null) return result;
  const payload = "value" in result ? result.value : "error" in result ? result.error : undefined;
  if (typeof payload !== "object" || payload === null || !("summary" in payload)) return result;
  const summary = payload.summary as TestSummary;
  if (pending > summary.passed) throw new Error(`mocha summary: ${pending} pending tests but only ${summary.passed} counted as passing`);
  summary.passed -= pending;
  summary.skipped = (summary.skipped ?? 0) + pending;
  return result;
}
