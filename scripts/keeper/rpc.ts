/**
 * Every RPC request of the keeper goes through `Rpc.call`: a deadline per request, retries with backoff
 * for transient failures (transport errors, timeouts, busy or lagging nodes), none for answers that will
 * not change (a revert with data, a rejected transaction), and a hook that counts errors per method.
 */
import { isError } from "ethers";

import { AbortedError, describeError, FatalError, RetryableError, RetryExhaustedError, RpcTimeoutError } from "./errors.js";
import { retry } from "./retry.js";

/** What a failed request means for the caller. */
export type RpcErrorKind = "transient" | "revert" | "fatal";

const REVERT_DATA = /^0x[0-9a-fA-F]{8,}$/;

/**
 * The revert data of a call that reverted with data, else undefined: from an ethers `CALL_EXCEPTION`, or
 * from the JSON-RPC error object of other EIP-1193 providers (`data`, `error.data`, `info.error.data`,
 * `data.data`).
 */
export function revertData(error: unknown): string | undefined {
  if (isError(error, "CALL_EXCEPTION")) {
    const data = error.data;
    return typeof data === "string" && REVERT_DATA.test(data) ? data : undefined;
  }
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } } };
  const inner = e.data as { data?: unknown } | undefined;
  for (const candidate of [
    e.data,
    e.error?.data,
    e.info?.error?.data,
    typeof inner === "object" && inner !== null ? inner.data : undefined,
  ]) {
    if (typeof candidate === "string" && REVERT_DATA.test(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Classifies an error thrown by an ethers provider. A `CALL_EXCEPTION` without revert data is transient:
 * ethers reports any JSON-RPC error of `eth_call` that way, including a node that failed.
 */
export function classifyRpcError(error: unknown): RpcErrorKind {
  if (error instanceof FatalError) return "fatal";
  if (error instanceof RpcTimeoutError || error instanceof RetryableError) return "transient";
  if (revertData(error) !== undefined) return "revert";
  if (isError(error, "CALL_EXCEPTION")) return "transient";
  if (
    isError(error, "INSUFFICIENT_FUNDS") ||
    isError(error, "NONCE_EXPIRED") ||
    isError(error, "REPLACEMENT_UNDERPRICED") ||
    isError(error, "TRANSACTION_REPLACED") ||
    isError(error, "INVALID_ARGUMENT") ||
    isError(error, "UNSUPPORTED_OPERATION") ||
    isError(error, "ACTION_REJECTED") ||
    isError(error, "NOT_IMPLEMENTED") ||
    isError(error, "UNCONFIGURED_NAME")
  ) {
    return "fatal";
  }
  if (error instanceof AbortedError) return "fatal";
  // NETWORK_ERROR, TIMEOUT, SERVER_ERROR, UNKNOWN_ERROR (any other JSON-RPC error), BAD_DATA, and errors
  // of the transport itself (connection reset, fetch failed).
  return "transient";
}

/** The JSON-RPC error message and code inside an ethers error, when there is one. */
export function rpcErrorDetail(wrapped: unknown): { code?: number; message: string } {
  const error = rootCause(wrapped);
  const inner =
    (error as { info?: { error?: { code?: unknown; message?: unknown } }; error?: { code?: unknown; message?: unknown } })?.info?.error ??
    (error as { error?: { code?: unknown; message?: unknown } })?.error;
  const message = typeof inner?.message === "string" ? inner.message : error instanceof Error ? error.message : String(error);
  return typeof inner?.code === "number" ? { code: inner.code, message } : { message };
}

/** The innermost `cause` of an error (through `RetryExhaustedError` and `TransientRpcError`). */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (
    let depth = 0;
    depth < 8 && (current instanceof RetryableError || current instanceof RetryExhaustedError) && current.cause !== undefined;
    depth++
  ) {
    current = current.cause;
  }
  return current;
}

/**
 * Whether a node refused an `eth_getLogs` because the block range (or the result) is too large. Nodes word
 * this differently (geth, erigon, Alchemy, Infura, QuickNode, Ankr); `-32005` is the common code.
 */
export function isRangeTooLarge(error: unknown): boolean {
  const { code, message } = rpcErrorDetail(error);
  if (code === -32005) return true;
  return /block range|range (is )?too (large|wide|big)|exceed(s|ed)? .*(range|limit)|too many (blocks|results|logs)|more than \d+ (results|logs)|query returned more than|response (size|is too large)|log response size|limit exceeded/i.test(
    message,
  );
}

export interface RpcOptions {
  /** Deadline of one request, milliseconds. */
  timeoutMs: number;
  /** Attempts per request, including the first. */
  attempts: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Stops retrying (and waiting) once aborted. */
  signal?: AbortSignal;
  /** Called on every failed attempt (for metrics and logs). */
  onError?: (label: string, error: unknown, kind: RpcErrorKind) => void;
}

/** Rejects with `RpcTimeoutError` when `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RpcTimeoutError(label, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class Rpc {
  constructor(readonly options: RpcOptions) {}

  /**
   * Runs one request with its deadline, retrying transient failures. `attempts` overrides the default
   * (1 = no retry; the caller handles failures itself).
   */
  async call<T>(label: string, fn: () => Promise<T>, attempts = this.options.attempts): Promise<T> {
    return retry(
      async () => {
        try {
          return await withTimeout(fn(), this.options.timeoutMs, label);
        } catch (error) {
          const kind = classifyRpcError(error);
          this.options.onError?.(label, error, kind);
          throw kind === "transient" && !(error instanceof RetryableError) ? new TransientRpcError(label, error) : error;
        }
      },
      {
        attempts,
        baseDelayMs: this.options.baseDelayMs ?? 250,
        maxDelayMs: this.options.maxDelayMs ?? 5_000,
        ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
      },
    );
  }
}

/** A transient failure of one request; `cause` is the provider's error. */
export class TransientRpcError extends RetryableError {
  override readonly name = "TransientRpcError";

  constructor(label: string, cause: unknown) {
    super(`${label}: ${describeError(cause)}`, { cause });
  }
}
