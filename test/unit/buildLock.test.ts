import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { withBuildLock } from "../../scripts/lib/build.js";

describe("build lock (commands building at once in one checkout)", () => {
  it("serializes holders: no two run at once, each runs once, the lock is released", async () => {
    const cache = await mkdtemp(path.join(tmpdir(), "ballast-build-lock-"));
    let inside = 0;
    let most = 0;
    const ran: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        withBuildLock(cache, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 50));
          ran.push(i);
          inside--;
        }),
      ),
    );
    expect(most).to.equal(1);
    expect(ran.sort()).to.deep.equal([1, 2, 3]);
    expect(await withBuildLock(cache, async () => "free again")).to.equal("free again");
  });

  it("takes over a lock left by a process that is gone, and releases it when the build fails", async () => {
    const cache = await mkdtemp(path.join(tmpdir(), "ballast-build-lock-"));
    await mkdir(path.join(cache, "ballast-build.lock"));
    await writeFile(path.join(cache, "ballast-build.lock", "pid"), "2147483646");
    expect(await withBuildLock(cache, async () => 1)).to.equal(1);
    let error: unknown;
    await withBuildLock(cache, async () => {
      throw new Error("compile failed");
    }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("compile failed");
    expect(await withBuildLock(cache, async () => 2)).to.equal(2);
  });
});
