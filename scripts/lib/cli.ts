/**
 * The command-line layer shared by every Ballast command: declare a command with `defineCommand` and its
 * flags with `flag.*`, start it with `main` (see `scripts/lib/cli/command.ts` for what every command then
 * does the same way). `runCli` gives a command with its own parser (the keeper's configuration table) the
 * same `--version` and error style.
 */
import type { ZodError } from "zod";

import * as flag from "./cli/flags.js";
import { reportError } from "./cli/command.js";
import { toolVersion } from "./cli/version.js";

export { flag };
export {
  type ArgsOf,
  type Command,
  defineCommand,
  explainParseError,
  formatHelp,
  type Io,
  joinNegativeValues,
  main,
  parseCommand,
  reportError,
  runCommand,
} from "./cli/command.js";
export { closest, didYouMean, editDistance } from "./cli/suggest.js";
export { toolVersion } from "./cli/version.js";

/**
 * Runs an entry point that parses its own arguments (the keeper): `--version` prints the version; a failure
 * prints `error: ...` (usage errors followed by `usage`) and sets the exit code (2 usage, 1 input or runtime).
 */
export async function runCli(
  main: () => Promise<void>,
  usage: string,
  options: { name?: string; argv?: readonly string[] } = {},
): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  const name = options.name ?? "command";
  try {
    if (argv.includes("--version")) {
      process.stdout.write(`${await toolVersion(name)}\n`);
      return;
    }
    await main();
  } catch (error) {
    process.exitCode = reportError(error, name, undefined, usage);
  }
}

/** One line per zod issue, naming its field: `--decimals: expected a number`. */
export function formatIssues(error: ZodError, prefix = "--"): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${prefix}${issue.path.join(".")}: ` : ""}${issue.message}`).join("\n");
}
