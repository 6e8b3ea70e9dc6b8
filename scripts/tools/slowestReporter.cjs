const Mocha = require("mocha");
const fs = require("node:fs");
const { Spec } = Mocha.reporters;
const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_RUN_END, EVENT_HOOK_END, EVENT_SUITE_END } = Mocha.Runner.constants;
class Slowest extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const rows = [];
    const files = new Map();
    runner.on(EVENT_TEST_PASS, (t) => rows.push([t.duration ?? 0, t.fullTitle(), t.file]));
    runner.on(EVENT_TEST_FAIL, (t) => rows.push([t.duration ?? 0, t.fullTitle(), t.file]));
    const hooks = [];
    runner.on(EVENT_HOOK_END, (h) => hooks.push([h.duration ?? 0, h.fullTitle(), h.file]));
    runner.once(EVENT_RUN_END, () => {
      rows.sort((a, b) => b[0] - a[0]);
      const out = process.env.SLOWEST_OUT;
      hooks.sort((a, b) => b[0] - a[0]);
      if (out) fs.writeFileSync(out, JSON.stringify({ tests: rows, hooks }, null, 1));
      console.log("slowest 20 tests:");
      for (const [d, t, f] of rows.slice(0, 20))
        console.log(`${(d / 1000).toFixed(1).padStart(7)} s  ${t}  [${f?.replace(process.cwd() + "/", "")}]`);
      console.log("slowest 10 hooks:");
      for (const [d, t, f] of hooks.slice(0, 10))
        console.log(`${(d / 1000).toFixed(1).padStart(7)} s  ${t}  [${f?.replace(process.cwd() + "/", "")}]`);
    });
  }
}
module.exports = Slowest;
