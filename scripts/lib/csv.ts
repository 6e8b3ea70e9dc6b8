import { readFile } from "node:fs/promises";

import { InputError } from "./errors.js";

/** One data row of a CSV file, with its 1-based line number for error messages. */
export interface CsvRow {
  line: number;
  fields: Record<string, string>;
}

/**
 * Reads a comma-separated file whose header must be exactly one of `headers` (the columns in order).
 * Blank lines are ignored; a row with the wrong number of fields is an error naming its line.
 * @returns The header that matched and the data rows.
 */
export async function readCsv(
  file: string,
  headers: readonly (readonly string[])[],
): Promise<{ header: readonly string[]; rows: CsvRow[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? "file not found" : `cannot read file (${code ?? String(error)})`, file);
  }
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== "");
  if (headerIndex < 0) throw new InputError("file is empty", file);
  const got = lines[headerIndex]!.split(",").map((h) => h.trim());
  const header = headers.find((h) => h.length === got.length && h.every((name, i) => name === got[i]));
  if (header === undefined) {
    const expected = headers.map((h) => `"${h.join(",")}"`).join(" or ");
    throw new InputError(`wrong header "${got.join(",")}": expected ${expected}`, file, headerIndex + 1);
  }
  const rows: CsvRow[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const values = raw.split(",").map((v) => v.trim());
    if (values.length !== header.length) {
      throw new InputError(`expected ${header.length} fields (${header.join(",")}), found ${values.length}`, file, i + 1);
    }
    rows.push({ line: i + 1, fields: Object.fromEntries(header.map((name, k) => [name, values[k]!])) });
  }
  if (rows.length === 0) throw new InputError("file has a header but no data rows", file);
  return { header, rows };
}

/** Parses a base-10 integer field (optionally signed) as a bigint, or throws naming the line and column. */
export function integerField(row: CsvRow, column: string, file: string, signed = false): bigint {
  const value = row.fields[column]!;
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(value)) {
    throw new InputError(`column "${column}": expected a base-10 ${signed ? "" : "non-negative "}integer, got "${value}"`, file, row.line);
  }
  return BigInt(value);
}

/** Parses a decimal number field, or throws naming the line and column. */
export function decimalField(row: CsvRow, column: string, file: string): number {
  const value = row.fields[column]!;
  const parsed = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw new InputError(`column "${column}": expected a decimal number, got "${value}"`, file, row.line);
  return parsed;
}
