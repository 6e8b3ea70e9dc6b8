/**
 * The command-line layer shared by every Ballast command: declare a command with `defineCommand` and its
 * flags with `flag.*`, start it with `main` (see `scripts/lib/cli/command.ts` for what every command then
 * does the same way). `runCli` gives a command with its own parser (the keeper's configuration table) the
 * same `--version` and error style. The keeper's runtime build imports `./cli/run.js` and `./cli/argv.js`
 * directly: this module also re-exports the command layer, whose commands may build with Hardhat.
 */
import type { ZodError } from "zod";

import * as flag from "./cli/flags.js";

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
export { runCli } from "./cli/run.js";
export { closest, didYouMean, editDistance } from "./cli/suggest.js";
export { toolVersion } from "./cli/version.js";

/** One line per zod issue, naming its field: `--decimals: expected a number`. */
export function formatIssues(error: ZodError, prefix = "--"): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${prefix}${issue.path.join(".")}: ` : ""}${issue.message}`).join("\n");
}
