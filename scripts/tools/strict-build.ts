/**
 * `npm run build:strict`: a forced full compile that fails on any compiler warning in the project's own
 * sources (`contracts/`, `test/`). Warnings inside npm packages (Chainlink's 0.6.6 proxy shadows names)
 * are not counted: the project does not own that code.
 */
import { spawnSync } from "node:child_process";

import { ownWarnings } from "./compilerWarnings.js";

const run = spawnSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--force"], { encoding: "utf8" });
const output = `${run.stdout}\n${run.stderr}`;
if (run.status !== 0) {
  process.stderr.write(output);
  process.exit(run.status ?? 1);
}

const own = ownWarnings(output);
if (own.length > 0) {
  process.stderr.write(`${own.join("\n\n")}\n\nbuild:strict: ${own.length} compiler warning(s) in project sources\n`);
  process.exit(1);
}
process.stdout.write("build:strict: no compiler warnings in project sources\n");
