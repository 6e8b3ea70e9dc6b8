import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { pendingAsSkipped } from "../../scripts/tools/mochaSummary.js";

const ROOT = path.join(import.meta.dirname, "../..");

describe("test summary: pending mocha tests are counted as skipped, never as passing (scripts/tools/mochaSummary.ts)", () => {
  it("hardhat test on a file with one passing and two pending tests sums up 1 passing and 2 skipped", async () => {
    const hardhat = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [hardhat, "test", "--no-compile", "test/fixtures/mocha/pending.fixture.ts"],
      { cwd: ROOT, env: { ...process.env, BALLAST_TEST_JOBS: "1" } },
    );
    expect(stdout).to.contain("1 passing (1 mocha)");
    expect(stdout).to.contain("2 skipped (2 mocha)");
    expect(stdout).not.to.contain("3 passing");
  });

  it("moves the pending count from passed to skipped in a passing or a failing result, and refuses more pending than passed", () => {
    const ok = { success: true, value: { summary: { passed: 10, failed: 0, skipped: 1, todo: 0 } } };
    expect(pendingAsSkipped(ok, 4).value.summary).to.deep.equal({ passed: 6, failed: 0, skipped: 5, todo: 0 });
    const failed = { success: false, error: { summary: { passed: 3, failed: 1 } } };
    expect(pendingAsSkipped(failed, 3).error.summary).to.deep.equal({ passed: 0, failed: 1, skipped: 3 });
    expect(pendingAsSkipped(ok, 0).value.summary.passed).to.equal(6);
    expect(() => pendingAsSkipped({ success: true, value: { summary: { passed: 1 } } }, 2)).to.throw(/2 pending tests but only 1/);
    expect(pendingAsSkipped("no summary", 2)).to.equal("no summary");
  });
});
