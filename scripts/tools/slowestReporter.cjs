/**
 * Mocha reporter of `npm test`: mocha's spec output, then the slowest 20 tests and the slowest 10 hooks (a
 * deployment in a `before` hook is where much of the time goes), so every run shows where its time went.
 * With SLOWEST_OUT=<file>, every test's and hook's duration is also written there as JSON. Reports only:
 * nothing here asserts a time. CommonJS because mocha loads reporters with `require`.
 * It also counts the run's pending (skipped) tests, `SlowestReporter.pending`: Hardhat's mocha task reports
 * every test that did not fail as passing, and `hardhat.config.ts` corrects its summary with this count.
 */
const fs = require("node:fs");
const Mocha = require("mocha");

const { Spec } = Mocha.reporters;
const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END, EVENT_HOOK_END } = Mocha.Runner.constants;

const line = ([ms, title, file]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${title}  [${(file ?? "").replace(`${process.cwd()}/`, "")}]`;

class SlowestReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const tests = [];
    const hooks = [];
    runner.on(EVENT_TEST_PASS, (t) => tests.push([t.duration ?? 0, t.fullTitle(), t.file]));
    runner.on(EVENT_TEST_FAIL, (t) => tests.push([t.duration ?? 0, t.fullTitle(), t.file]));
    SlowestReporter.pending = 0;
    runner.on(EVENT_TEST_PENDING, () => (SlowestReporter.pending += 1));
    runner.on(EVENT_HOOK_END, (h) => hooks.push([h.duration ?? 0, h.fullTitle(), h.file]));
    runner.once(EVENT_RUN_END, () => {
      tests.sort((a, b) => b[0] - a[0]);
      hooks.sort((a, b) => b[0] - a[0]);
      if (process.env.SLOWEST_OUT) fs.writeFileSync(process.env.SLOWEST_OUT, JSON.stringify({ tests, hooks }, null, 1));
      console.log("\nslowest 20 tests:");
      for (const row of tests.slice(0, 20)) console.log(line(row));
      console.log("slowest 10 hooks:");
      for (const row of hooks.slice(0, 10)) console.log(line(row));
    });
  }
}

/** Pending (skipped) tests of the last run. */
SlowestReporter.pending = 0;

module.exports = SlowestReporter;
