#!/usr/bin/env node
// The keeper's command (`npm run keeper`, `ballast-keeper`): one Node process, no wrapper, so that signals
// (SIGINT, SIGTERM) reach the keeper itself. In a development install (tsx present) it runs the TypeScript
// source; in a runtime-only install (`npm ci --omit=dev`, no tsx) it runs the compiled build
// (`npm run build:keeper` writes dist/keeper/). See docs/KEEPER.md, "Deploying".
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const built = new URL("dist/keeper/keeper.js", root);

let register;
try {
  ({ register } = await import("tsx/esm/api"));
} catch {
  register = undefined;
}
if (register !== undefined && existsSync(new URL("scripts/keeper.ts", root))) {
  register();
  await import(new URL("scripts/keeper.ts", root).href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write(
    `error: no keeper build at ${fileURLToPath(built)} and no tsx to run the source: run npm run build:keeper in a full install (npm ci) first\n`,
  );
  process.exitCode = 1;
}
