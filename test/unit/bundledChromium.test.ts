import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { bundledChromium, bundledPackage } from "../../scripts/lib/report/bundledChromium.js";

describe("the npm-shipped Chromium (@sparticuz/chromium, unpacked once per version)", () => {
  it("two first uses at once (an empty cache) end with one complete copy: both get the same executable, fonts and libraries, and no staging folder is left", async function () {
    this.timeout(120_000);
    const root = await mkdtemp(path.join(tmpdir(), "ballast-chromium-"));
    try {
      const [a, b] = await Promise.all([bundledChromium({ cacheRoot: root }), bundledChromium({ cacheRoot: root })]);
      expect(a).to.deep.equal(b);
      const { version } = (await bundledPackage())!;
      expect(path.dirname(a.executablePath)).to.equal(path.join(root, `ballast-chromium-${version}`));
      const binary = await stat(a.executablePath);
      expect(binary.size).to.be.greaterThan(100_000_000);
      expect(binary.mode & 0o111, "executable").to.not.equal(0);
      expect(await readdir(path.dirname(a.executablePath))).to.include.members(["fonts", "lib", "fonts.conf", ".ready"]);
      expect(await readdir(root)).to.deep.equal([`ballast-chromium-${version}`]);
      expect(a.env.FONTCONFIG_FILE).to.equal(path.join(root, `ballast-chromium-${version}`, "fonts.conf"));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
