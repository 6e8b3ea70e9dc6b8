/**
 * `runCli`: the command layer's `--version` and error style for an entry point that parses its own
 * arguments (the keeper's configuration table). Kept apart from `command.ts` (whose commands may build the
 * contracts with Hardhat) so that the keeper's runtime build, installed without devDependencies, imports
 * nothing here but node, the error classes and the version lookup (`scripts/lib/checkout.ts`).
 */
import { reportError } from "./report.js";
import { toolVersion } from "./version.js";

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
