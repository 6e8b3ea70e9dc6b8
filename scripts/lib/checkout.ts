/**
 * What a tool reports about the code it runs from: the package version and the git checkout's commit and
 * dirty flag (`--version`, provenance records). Node only, so that the keeper's runtime build, which runs
 * from `dist/keeper/` with no devDependencies and usually outside a git checkout, can use it too.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
let git: Promise<{ commit: string | null; dirty: boolean | null }> | undefined;

/** The checkout's commit and dirty flag (read once per process); nulls outside a git checkout or without git. */
export function gitState(): Promise<{ commit: string | null; dirty: boolean | null }> {
  git ??= (async () => {
    try {
      const [{ stdout: head }, { stdout: status }] = await Promise.all([
        run("git", ["rev-parse", "HEAD"], { encoding: "utf8" }),
        run("git", ["status", "--porcelain"], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }),
      ]);
      return { commit: head.trim(), dirty: status.trim() !== "" };
    } catch {
      return { commit: null, dirty: null };
    }
  })();
  return git;
}

let version: Promise<string> | undefined;

/**
 * The version in the project's package.json: the nearest one above this module, which is two levels up
 * from `scripts/lib/` and three from the keeper's build (`dist/keeper/lib/`, the image's `/app`).
 */
export function packageVersion(): Promise<string> {
  version ??= (async () => {
    let dir = new URL("./", import.meta.url);
    for (;;) {
      try {
        const text = await readFile(new URL("package.json", dir), "utf8");
        return (JSON.parse(text) as { version: string }).version;
      } catch (error) {
        const parent = new URL("../", dir);
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent.href === dir.href) throw error;
        dir = parent;
      }
    }
  })();
  return version;
}
