/** Typed errors shared by Ballast's command-line tools, the simulator and the keeper. */

/** Bad user input: a file, a line, a field. The message names all three where they are known. */
export class InputError extends Error {
  override readonly name = "InputError";

  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file === undefined ? message : `${file}${line === undefined ? "" : `:${line}`}: ${message}`);
  }
}

/** Bad command-line usage or configuration (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
