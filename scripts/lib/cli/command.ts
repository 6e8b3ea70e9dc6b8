/**
 * A command of Ballast (`npm run simulate`, `npm run demo`, ...), declared as a table of flags, and the one
 * way every command parses, validates, explains itself and fails:
 * - `--help` (`-h`): usage, every flag with its default, an example; `--version`: the tool's version;
 * - unknown flags get a "did you mean"; numbers are validated with the flag named; a negative number is a
 *   value (`--accounts -3` is "expected a whole number from 1 to 1000, got "-3"", not a parser puzzle);
 * - one error style: `error: ...` on stderr; exit 2 for usage, 1 for bad input or a failed run;
 * - a command that needs compiled artifacts builds them before it runs (after its `preflight` checks).
 */
import { parseArgs } from "node:util";

import { UsageError } from "../errors.js";
import { explainParseError, joinNegativeValues } from "./argv.js";
import type { Flag } from "./flags.js";
import { invocation, type Io, PROCESS_IO, reportError } from "./report.js";
import { closest } from "./suggest.js";
import { toolVersion } from "./version.js";

export { explainParseError, invocation, type Io, joinNegativeValues, reportError };

export type Flags = Record<string, Flag<unknown>>;
export type ArgsOf<F extends Flags> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

export interface Positional {
  name: string;
  help: string;
  choices?: readonly string[];
}

export interface Command<F extends Flags = Flags> {
  /** The npm script: `npm run <name>` (`npm test` for `test`). */
  name: string;
  /** The command line after `npm run <name> --`, e.g. `--prices <file.csv> --out <dir> [options]`. */
  synopsis: string;
  /** What it does, a sentence or two. */
  description: string;
  positional?: Positional;
  flags: F;
  /** Checks across flags; return problems as `[flag, message]` (flag without dashes, or "" for none). */
  check?: (args: ArgsOf<F>) => [string, string][];
  /** At least one example command line. */
  examples: readonly string[];
  /** Compile the contracts (and generate the TypeChain types) before `run`. */
  needsBuild: boolean;
  /**
   * Checks of the environment that need no artifacts (e.g. that the mainnet fork's RPC answers), run after
   * the flags are validated and before the build, so that a bad setting fails in seconds without compiling.
   */
  preflight?: (args: ArgsOf<F>, positional: string | undefined) => Promise<void>;
  run(args: ArgsOf<F>, positional: string | undefined): Promise<void>;
}

/** Declares a command (identity, for type inference). */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** `--help` text: usage, description, every flag with its default, the examples. */
export function formatHelp(command: Command): string {
  const rows: [string, string][] = [];
  if (command.positional !== undefined) {
    const p = command.positional;
    rows.push([`<${p.name}>`, `${p.help}${p.choices === undefined ? "" : `: ${p.choices.join(", ")}`} (required)`]);
  }
  for (const [name, flag] of Object.entries(command.flags)) {
    rows.push([`--${name}${flag.value === "" ? "" : ` ${flag.value}`}`, `${flag.help} (${flag.shownDefault})`]);
  }
  rows.push(["--help, -h", "print this help and exit"], ["--version", "print the version and exit"]);
  const width = Math.min(32, Math.max(...rows.map(([left]) => left.length)));
  return [
    `usage: ${invocation(command.name)} ${command.synopsis}`,
    "",
    command.description,
    "",
    "options:",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    "",
    `example${command.examples.length > 1 ? "s" : ""}:`,
    ...command.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

export type Parsed<F extends Flags> =
  { kind: "help" } | { kind: "version" } | { kind: "run"; args: ArgsOf<F>; positional: string | undefined };

/** Parses and validates `argv`; throws one `UsageError` listing every problem, each naming its flag. */
export function parseCommand<F extends Flags>(command: Command<F>, argv: readonly string[]): Parsed<F> {
  const names = Object.keys(command.flags);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const [name, flag] of Object.entries(command.flags)) options[name] = { type: flag.kind };
  const args = joinNegativeValues(argv, (flag) => options[flag]?.type === "string");
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: command.positional !== undefined }) as typeof parsed;
  } catch (error) {
    throw new UsageError(explainParseError(error, names));
  }
  if (parsed.values.help === true) return { kind: "help" };
  if (parsed.values.version === true) return { kind: "version" };

  const problems: string[] = [];
  let positional: string | undefined;
  if (command.positional !== undefined) {
    const p = command.positional;
    const [first, ...extra] = parsed.positionals;
    if (first === undefined) problems.push(`<${p.name}>: required${p.choices === undefined ? "" : `, one of ${p.choices.join(", ")}`}`);
    else if (p.choices !== undefined && !p.choices.includes(first)) {
      const near = closest(first, p.choices);
      problems.push(
        `unknown ${p.name} ${JSON.stringify(first)}${near === undefined ? "" : ` (did you mean ${near}?)`}: one of ${p.choices.join(", ")}`,
      );
    } else positional = first;
    if (extra.length > 0) problems.push(`unexpected argument ${JSON.stringify(extra[0])} (flags start with --)`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(command.flags)) {
    const result = flag.schema.safeParse(parsed.values[name]);
    if (result.success) values[name] = result.data;
    else problems.push(`--${name}: ${result.error.issues[0]?.message ?? "invalid"}`);
  }
  if (problems.length === 0 && command.check !== undefined) {
    for (const [flag, message] of command.check(values as ArgsOf<F>)) problems.push(flag === "" ? message : `--${flag}: ${message}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return { kind: "run", args: values as ArgsOf<F>, positional };
}

/**
 * Runs a command with `argv` and returns its exit code: 0, 1 (bad input, a failed run) or 2 (usage).
 * Errors are printed as `error: ...` on stderr (a stack trace only with `DEBUG`).
 */
export async function runCommand<F extends Flags>(command: Command<F>, argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
  try {
    const parsed = parseCommand(command, argv);
    if (parsed.kind === "help") {
      io.stdout(formatHelp(command as unknown as Command));
      return 0;
    }
    if (parsed.kind === "version") {
      io.stdout(`${await toolVersion(command.name)}\n`);
      return 0;
    }
    await command.preflight?.(parsed.args, parsed.positional);
    if (command.needsBuild) {
      const { ensureBuilt } = await import("../build.js");
      await ensureBuilt((line) => io.stderr(line));
    }
    await command.run(parsed.args, parsed.positional);
    return 0;
  } catch (error) {
    return reportError(error, command.name, io);
  }
}

/** The entry point of a command's script: runs it with the process's arguments and sets the exit code. */
export async function main<F extends Flags>(command: Command<F>): Promise<void> {
  process.exitCode = await runCommand(command, process.argv.slice(2));
}
