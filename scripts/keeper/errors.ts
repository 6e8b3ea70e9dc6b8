/** Typed errors of the keeper. Usage and input errors reuse the shared classes (`scripts/lib/errors.ts`). */
import { InputError, UsageError } from "../lib/errors.js";

/** A configuration field is missing or invalid. The message names every bad field and its source. */
export class ConfigError extends UsageError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** The checkpoint file cannot be used: unreadable, corrupted, or written for another chain or module. */
export class CheckpointError extends InputError {
  constructor(
    message: string,
    file: string,
    readonly reason: "corrupted" | "mismatch" | "unreadable" | "regression",
  ) {
    super(message, file);
  }
}

/** The chain or a contract is not what the configuration says (wrong chain, not a risk module, ...). */
export class ChainMismatchError extends InputError {}

/** An error worth retrying: a transport failure, a timeout, a node that is busy or behind. */
export class RetryableError extends Error {
  override readonly name: string = "RetryableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An error that retrying cannot fix. */
export class FatalError extends Error {
  override readonly name: string = "FatalError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Every attempt failed; `cause` is the last error. */
export class RetryExhaustedError extends Error {
  override readonly name = "RetryExhaustedError";

  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describeError(cause)}`, { cause });
  }
}

/** The operation was cancelled through its `AbortSignal`. */
export class AbortedError extends Error {
  override readonly name = "AbortedError";

  constructor(message = "aborted") {
    super(message);
  }
}

/** An RPC request took longer than its deadline. */
export class RpcTimeoutError extends RetryableError {
  override readonly name = "RpcTimeoutError";

  constructor(
    readonly label: string,
    readonly timeoutMs: number,
  ) {
    super(`${label} timed out after ${timeoutMs} ms`);
  }
}

/**
 * A short, single-line description of any thrown value (ethers errors carry their short message). When ethers
 * wraps a node's JSON-RPC error (an `eth_call` refused by the node becomes "missing revert data"), the node's
 * own message is added: it is what says why.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const short = (error as { shortMessage?: unknown }).shortMessage;
  const text = typeof short === "string" && short.length > 0 ? short : error.message.split("\n")[0]!;
  const node = (error as { info?: { error?: { message?: unknown } } }).info?.error?.message;
  return typeof node === "string" && node.length > 0 && !text.includes(node) ? `${text} (node: ${node.split("\n")[0]!})` : text;
}
