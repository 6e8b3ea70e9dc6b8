/**
 * The one error style of Ballast's commands: `error: ...` on stderr, exit 2 for usage, 1 for bad input or a
 * failed run. Depends on nothing but the error classes, so that the keeper's runtime build (which has no
 * devDependencies) uses it too.
 */
import { InputError, UsageError } from "../errors.js";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const PROCESS_IO: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export const invocation = (name: string) => (name === "test" ? "npm test --" : `npm run ${name} --`);

/** Prints `error: ...` (and for usage errors where to find the usage) and returns the exit code. */
export function reportError(error: unknown, name: string, io: Io = PROCESS_IO, usage?: string): number {
  if (error instanceof UsageError) {
    const lines = error.message.split("\n");
    io.stderr(
      `error: ${lines.join("\nerror: ")}\n${usage ?? `usage: ${invocation(name)} --help  (every flag, its default and an example)`}\n`,
    );
    return 2;
  }
  if (error instanceof InputError) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  const text = error instanceof Error ? (process.env.DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
  io.stderr(`error: ${text}\n`);
  return 1;
}
