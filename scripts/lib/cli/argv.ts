/**
 * Helpers around node's `parseArgs` shared by the command layer (`command.ts`) and the keeper's own parser
 * (`scripts/keeper/config.ts`). No dependencies beyond node, so the keeper's runtime build can use them.
 */
import { didYouMean } from "./suggest.js";

/**
 * `--accounts -3` would make node's parser complain that the argument is ambiguous: a value that looks like
 * a negative number after a flag that takes a value is joined to it (`--accounts=-3`) and validated as any
 * other value.
 */
export function joinNegativeValues(argv: readonly string[], takesValue: (flag: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const flag = /^--([^=]+)$/.exec(arg)?.[1];
    if (flag !== undefined && takesValue(flag) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Turns node's `parseArgs` errors into one line naming the flag, with a "did you mean" for unknown flags. */
export function explainParseError(error: unknown, known: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined) {
    const name = option.replace(/^-+/, "");
    return `unknown flag ${option}${didYouMean(name, known, "--")}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined) {
    return /argument missing/.test(message) ? `${option}: needs a value` : `${option}: takes no value`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const value = /'([^']*)'/.exec(message)?.[1] ?? "";
    return `unexpected argument ${JSON.stringify(value)} (flags start with --)`;
  }
  return message;
}
