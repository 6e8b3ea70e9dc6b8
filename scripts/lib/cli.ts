import { parseArgs, type ParseArgsConfig } from "node:util";

import { z } from "zod";

import { InputError, UsageError } from "./errors.js";

/**
 * Parses `argv` with node's `parseArgs` (string options only) and validates the result with a zod schema,
 * turning every problem into one `UsageError` that lists each bad flag.
 */
export function parseCli<S extends z.ZodType>(argv: string[], options: ParseArgsConfig["options"], schema: S): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error));
  return parsed.data;
}

/** One line per issue, naming the flag: `--decimals: expected a number, received "x"`. */
export function formatIssues(error: z.ZodError, prefix = "--"): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${prefix}${issue.path.join(".")}: ` : ""}${issue.message}`).join("\n");
}

/**
 * Runs a command-line entry point: prints a clear message and sets a non-zero exit code on failure
 * (2 for usage errors, 1 for bad input or a failed run). Stack traces only with `DEBUG`.
 */
export async function runCli(main: () => Promise<void>, usage: string): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      process.exitCode = 2;
    } else if (error instanceof InputError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`error: ${error instanceof Error ? (process.env.DEBUG ? error.stack : error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

/** A string flag holding a non-negative integer. */
export const intFlag = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "expected a non-negative integer").transform(Number).pipe(z.number().int().min(min).max(max));

/** A string flag holding a decimal number. */
export const numberFlag = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, "expected a decimal number")
    .transform(Number)
    .pipe(z.number().min(min).max(max));
