/** `npm test` and `npm run test:fork`: the test tiers (`scripts/tools/testTiers.ts`) through `hardhat test`. */
import { buildContractsAndTests } from "../lib/build.js";
import { defineCommand, flag } from "../lib/cli.js";
import { TIERS, tierFiles } from "../tools/testTiers.js";

export const testCommand = defineCommand({
  name: "test",
  synopsis: "[--tier ci|fork|all] [--jobs <n>]",
  description:
    "Compiles the contracts and the Solidity tests (at once) and runs a tier of tests with Hardhat: ci (npm test) = the Solidity tests, unit, integration\n" +
    "(one smoke scenario), the invariant suite at its CI size; fork (npm run test:fork) = every scenario; all = both.\n" +
    "Mocha runs the files in parallel workers, heaviest first, and prints the slowest tests at the end.",
  flags: {
    tier: flag.choice("which tests", Object.keys(TIERS) as ["ci", "fork", "all"], { default: "ci" }),
    jobs: flag.int("parallel mocha workers (1: in-process, serial)", { min: 1, max: 16, default: 2 }),
  },
  examples: ["npm test", "npm run test:fork", "npm test -- --tier all --jobs 1"],
  needsBuild: false,
  async run(args) {
    const { solidity, mocha } = tierFiles(args.tier);
    const files = [...solidity, ...mocha];
    process.stderr.write(
      `test: tier ${args.tier}: ${solidity.length} Solidity and ${mocha.length} mocha test files, ${args.jobs} mocha job(s)\n`,
    );
    // In-process: the workers' setting must be in the environment before Hardhat reads its configuration.
    process.env.BALLAST_TEST_JOBS = String(args.jobs);
    // Contracts and Solidity tests compile at once (two solcjs processes); the test task's own build then finds them.
    if (solidity.length > 0) {
      const started = Date.now();
      process.stderr.write("test: compiling the contracts and the Solidity tests at once (a clean clone: about 75 s)...\n");
      await buildContractsAndTests();
      process.stderr.write(`test: compiled in ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
    const { default: hre } = await import("hardhat");
    const result = (await hre.tasks.getTask("test").run({ testFiles: files })) as { success?: boolean } | undefined;
    const code = result?.success === false || (process.exitCode !== undefined && process.exitCode !== 0) ? 1 : 0;
    if (code !== 0) throw new Error("tests failed");
  },
});
