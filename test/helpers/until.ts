/**
 * Polls `predicate` until it holds; throws `timed out waiting for: <what>` after `timeoutMs`. The one polling wait
 * of the keeper's integration, unit and end-to-end tests (each tier passes its own timeout and interval).
 */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
