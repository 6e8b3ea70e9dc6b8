#!/usr/bin/env node
/**
 * A `solc` executable for Foundry made of the `solc` npm package (solcjs, WebAssembly): no compiler can be downloaded
 * on the machines that build Ballast, and forge accepts a compiler path (`solc` in foundry.toml, with
 * `offline = true`). Answers `--version` as solc does and compiles standard JSON from stdin (`--standard-json`);
 * imports forge did not inline are read from the working directory. Override the package with FORGE_SOLCJS (a
 * module path, e.g. another solcjs version).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const solc = require(process.env.FORGE_SOLCJS || "solc");
const args = process.argv.slice(2);

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write("forge-solc: only --version and --standard-json are supported\n");
  process.exit(2);
}
const input = fs.readFileSync(0, "utf8");
const allowed = (args[args.indexOf("--allow-paths") + 1] || "").split(",").filter(Boolean);
const findImports = (file) => {
  for (const base of [process.cwd(), ...allowed]) {
    const candidate = path.resolve(base, file);
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
  }
  return { error: `File not found: ${file}` };
};
process.stdout.write(solc.compile(input, { import: findImports }));
