/**
 * Retries with exponential backoff and full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): the n-th wait is uniform in `[0, min(maxDelay, baseDelay * 2^n))`, which spreads retries of many
 * clients instead of synchronizing them. Errors are classified by `retryable`: a fatal error is rethrown at
 * once, a retryable one is retried until `attempts` are used, then wrapped in `RetryExhaustedError`. An
 * `AbortSignal` cancels the wait (and the next attempt) with `AbortedError`.
 */
import { AbortedError, FatalError, RetryableError, RetryExhaustedError } from "./errors.js";

export interface RetryOptions {
  /** Total attempts, at least 1. */
  attempts: number;
  /** Base of the exponential, milliseconds. */
  baseDelayMs: number;
  /** Ceiling of one wait, milliseconds. */
  maxDelayMs: number;
  /** Cancels waiting and further attempts. */
  signal?: AbortSignal;
  /** Whether an error is worth another attempt (default: `isRetryable`). */
  retryable?: (error: unknown) => boolean;
  /** Called before each wait, with the failed attempt number (1-based) and the chosen delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Uniform random in [0, 1) (default `Math.random`); tests pass a fixed one. */
  random?: () => number;
}

/** The default classification: `RetryableError` retries, `FatalError` and anything else do not. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RetryableError && !(error instanceof FatalError);
}

/** The full-jitter delay before retry number `retry` (0-based): uniform in `[0, min(max, base * 2^retry))`. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry, 52));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with `AbortedError` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, a fatal error occurs, attempts run out, or `signal` aborts. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (!retryable(error)) throw error;
      if (attempt >= attempts) throw new RetryExhaustedError(attempt, error);
      const delay = backoffDelay(attempt - 1, options.baseDelayMs, options.maxDelayMs, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

function abortReason(signal: AbortSignal): AbortedError {
  return signal.reason instanceof AbortedError
    ? signal.reason
    : new AbortedError(signal.reason instanceof Error ? signal.reason.message : "aborted");
}
