/**
 * The opt-in mainnet fork's pre-flight: `MAINNET_RPC_URL` must answer and `FORK_BLOCK` must be a block
 * number, checked in seconds with errors that name the variable and its value (the URL without its path
 * and query, which often hold an API key) before Hardhat is asked to fork (which otherwise retries for about
 * a minute and reports neither, or fails with a stack for a `FORK_BLOCK` that is not a number).
 */
import { InputError, UsageError } from "./errors.js";

/** The block the fork starts at by default (hardhat.config.ts pins the same one). */
export const DEFAULT_FORK_BLOCK = 21_500_000;

/** `FORK_BLOCK` as a block number (the default when unset); a `UsageError` naming the value otherwise. */
export function forkBlock(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FORK_BLOCK;
  if (raw === undefined || raw.trim() === "") return DEFAULT_FORK_BLOCK;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw.trim()))) {
    throw new UsageError(
      `FORK_BLOCK: expected a block number (a non-negative integer; the fork is pinned for reproducible runs), got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw.trim());
}

/** The URL without path, query or credentials. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" || u.pathname === "" ? "" : "/…"}`;
  } catch {
    return "(not a URL)";
  }
}

async function rpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error !== undefined) throw new Error(body.error.message ?? "JSON-RPC error");
  return body.result;
}

/**
 * Checks the mainnet fork's configuration: `FORK_BLOCK` (a `UsageError`), then that `MAINNET_RPC_URL`
 * answers, serves chain 1 and has the block (an `InputError`), each within `timeoutMs`.
 */
export async function checkMainnetFork(env: Record<string, string | undefined> = process.env, timeoutMs = 5_000): Promise<void> {
  const block = forkBlock(env);
  const url = env.MAINNET_RPC_URL ?? "";
  if (url === "") throw new UsageError("MAINNET_RPC_URL: required for the mainnet fork (an archive node's JSON-RPC URL)");
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`MAINNET_RPC_URL: expected an http(s):// URL, got ${shown(url)}`);
  const where = `MAINNET_RPC_URL (${shown(url)})`;
  let chainId: unknown;
  let head: unknown;
  try {
    chainId = await rpc(url, "eth_chainId", [], timeoutMs);
    head = await rpc(url, "eth_blockNumber", [], timeoutMs);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : `${(error as Error).message}${cause ? ` (${cause})` : ""}`;
    throw new InputError(`${where}: cannot reach the RPC: ${reason}`);
  }
  if (typeof chainId !== "string" || BigInt(chainId) !== 1n)
    throw new InputError(`${where}: serves chain ${String(chainId)}, not Ethereum mainnet (1)`);
  if (typeof head === "string" && BigInt(head) < BigInt(block)) {
    throw new InputError(`FORK_BLOCK ${block} is above the head of ${where} (${BigInt(head)})`);
  }
}
