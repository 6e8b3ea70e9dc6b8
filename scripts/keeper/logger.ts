/**
 * The keeper's one logger: pino, structured JSON, one line per event. Secrets never reach the output:
 * fields named like keys are redacted by path, and, as a second line of defence, every line is scrubbed
 * of the signer's private key (with or without `0x`, any case) before it is written.
 */
import { pino, type DestinationStream, type Logger } from "pino";

import type { LogLevel } from "./config.js";

export type { Logger } from "pino";

/** Paths redacted wherever they appear (pino `redact`). */
export const REDACTED_PATHS = [
  "privateKey",
  "*.privateKey",
  "*.*.privateKey",
  "key",
  "*.key",
  "mnemonic",
  "*.mnemonic",
  "signingKey",
  "*.signingKey",
  "env.KEEPER_PRIVATE_KEY",
  "KEEPER_PRIVATE_KEY",
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go (default stdout). */
  destination?: DestinationStream;
  /** Secrets to scrub from every line (the private key). */
  secrets?: readonly (string | undefined)[];
  /** Fields on every line. */
  base?: Record<string, unknown>;
}

/** A regular expression matching any of the secrets as hex, with or without `0x`, in any case. */
export function secretPattern(secrets: readonly (string | undefined)[]): RegExp | undefined {
  const parts = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 8)
    .map((s) => s.replace(/^0x/i, ""))
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return parts.length === 0 ? undefined : new RegExp(`(0x)?(${parts.join("|")})`, "gi");
}

export function createLogger(options: LoggerOptions): Logger {
  const pattern = secretPattern(options.secrets ?? []);
  return pino(
    {
      level: options.level,
      base: { service: "ballast-keeper", ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: pattern === undefined ? {} : { streamWrite: (line: string) => line.replace(pattern, "[redacted]") },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that discards everything (library default when the caller passes none). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
