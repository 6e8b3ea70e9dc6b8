import { gitState, packageVersion } from "../checkout.js";

/** `ballast 0.1.0 simulate (commit 1ab0826, with uncommitted changes)`: what `--version` prints. */
export async function toolVersion(name: string): Promise<string> {
  const [version, git] = await Promise.all([packageVersion(), gitState()]);
  const commit =
    git.commit === null ? "not a git checkout" : `commit ${git.commit.slice(0, 12)}${git.dirty ? ", with uncommitted changes" : ""}`;
  return `ballast ${version} ${name} (${commit})`;
}
