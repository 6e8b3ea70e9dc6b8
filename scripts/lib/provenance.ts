/**
 * Where an output came from, written into every JSON the simulator and the calibrator produce: the commit of
 * the code, the tool and its version, the seed, the SHA-256 of every input file, and the parameters. No
 * wall-clock time: the same inputs give byte-identical outputs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export interface Provenance {
  tool: string;
  version: string;
  /** `git rev-parse HEAD` of the working tree (with `-dirty` when it has uncommitted changes), or "unknown". */
  commit: string;
  seed: number;
  /** Input files by role, with their SHA-256. */
  inputs: Record<string, { file: string; sha256: string }>;
  parameters: Record<string, unknown>;
}

/** The commit of the code that runs (`-dirty` when the work tree differs from it); "unknown" outside git. */
export function currentCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return dirty === "" ? head : `${head}-dirty`;
  } catch {
    return "unknown";
  }
}

/** The project's version (package.json). */
export function toolVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("../../package.json") as { version: string }).version;
}

export async function sha256File(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** A provenance record for `tool` run with `seed` on `inputs` (role -> file) and `parameters`. */
export async function provenance(
  tool: string,
  seed: number,
  inputs: Record<string, string | undefined>,
  parameters: Record<string, unknown>,
): Promise<Provenance> {
  const hashed: Provenance["inputs"] = {};
  for (const [role, file] of Object.entries(inputs)) if (file !== undefined) hashed[role] = { file, sha256: await sha256File(file) };
  return { tool, version: toolVersion(), commit: currentCommit(), seed, inputs: hashed, parameters };
}
