import { mkdir, mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { toJson, writeFileAtomic } from "../../scripts/lib/files.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-files-"));

describe("writeFileAtomic (the tools' one file writer)", () => {
  it("creates missing directories and replaces an existing file whole, leaving no temporary file", async () => {
    const file = path.join(dir, "a", "b", "out.json");
    await writeFileAtomic(file, "first\n");
    await writeFileAtomic(file, toJson({ n: 1n, x: [1, 2] }));
    expect(await readFile(file, "utf8")).to.equal('{\n  "n": "1",\n  "x": [\n    1,\n    2\n  ]\n}\n');
    expect(await readdir(path.dirname(file))).to.deep.equal(["out.json"]);
  });

  it("durable mode with mode 0o600 (the keeper's checkpoint) writes the file with those permissions", async () => {
    const file = path.join(dir, "checkpoint.json");
    await writeFileAtomic(file, "{}\n", { durable: true, mode: 0o600 });
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(await readFile(file, "utf8")).to.equal("{}\n");
  });

  it("concurrent writers of one file leave exactly one writer's complete contents", async () => {
    const file = path.join(dir, "race.txt");
    const contents = Array.from({ length: 8 }, (_, i) => `${String(i).repeat(50_000)}\n`);
    await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
    expect(contents).to.include(await readFile(file, "utf8"));
    expect((await readdir(dir)).filter((f) => f.startsWith("race.txt."))).to.deep.equal([]);
  });

  it("a write that fails (the target is a directory) throws and removes its temporary file", async () => {
    const target = path.join(dir, "is-a-dir");
    await mkdir(path.join(target, "child"), { recursive: true });
    let error: unknown;
    await writeFileAtomic(target, "x").catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect((await readdir(dir)).filter((f) => f.startsWith("is-a-dir.") && f.endsWith(".tmp"))).to.deep.equal([]);
  });
});
