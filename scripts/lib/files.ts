import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";

export interface WriteOptions {
  /**
   * Also make the write survive a power loss: fsync the file before the rename and the directory after it
   * (the keeper's checkpoint). Reports need only atomicity (default false).
   */
  durable?: boolean;
  /** Permission bits of a newly created file (default 0o644; the keeper's checkpoint uses 0o600). */
  mode?: number;
}

/**
 * The one file writer of Ballast's tools: writes to a temporary file beside `file` (created exclusively),
 * then renames it over `file`, so that a reader, a crash or a concurrent writer never sees a partial file.
 * With `durable`, the file is fsynced before the rename and its directory after it. The temporary file is
 * removed when anything fails.
 */
export async function writeFileAtomic(file: string, contents: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const directory = path.dirname(path.resolve(file));
  await mkdir(directory, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "wx", options.mode ?? 0o644);
    try {
      await handle.writeFile(contents);
      if (options.durable === true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  if (options.durable === true) await syncDirectory(directory);
}

/**
 * Makes a rename in `directory` durable. Some file systems refuse fsync on a directory: the rename is then
 * as durable as the platform makes it.
 */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** JSON with bigints as decimal strings and two-space indentation, ending with a newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
