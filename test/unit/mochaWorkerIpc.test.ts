import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

const ROOT = path.join(import.meta.dirname, "../..");
const FIXTURES = ["test/fixtures/mocha/bigintFailure.fixture.ts", "test/fixtures/mocha/passing.fixture.ts"];

/** Mocha in parallel mode (two workers, as `npm test` runs it) on the fixtures, with the worker setup of hardhat.config.ts. */
async function runParallelMocha(): Promise<{ code: number; output: string }> {
  const args = ["--import", "tsx", "node_modules/mocha/bin/mocha.js", "--parallel", "--jobs", "2"];
  args.push("--require", "scripts/tools/mochaWorkerIpc.cjs", "--reporter", "spec", ...FIXTURES);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: "" } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("parallel npm test: a failure holding bigints is reported as the test that failed (scripts/tools/mochaWorkerIpc.cjs)", () => {
  it("names both failing tests and their values, and never reports an error outside the test suite", async () => {
    const { code, output } = await runParallelMocha();
    expect(code, output).to.equal(2);
    expect(output).to.contain("1 passing");
    expect(output).to.contain("2 failing");
    expect(output).to.contain("compares two different bigints");
    expect(output).to.contain("expected 100000000000000000001n to equal 100000000000000000000n");
    expect(output).to.contain("throws an error whose nested fields hold bigints");
    expect(output).not.to.contain("Do not know how to serialize a BigInt");
    expect(output).not.to.contain("outside test suite");
  });
});
