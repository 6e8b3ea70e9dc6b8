import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

/**
 * The keeper's runtime build (`npm run build:keeper`, installed with `npm ci --omit=dev`) has only the
 * `dependencies` of package.json. Every module it can load, statically or with `import()`, must import
 * nothing else: node's own modules, those packages, and the project's files. `import type` is erased.
 */
function valueImports(source: string): string[] {
  const specs: string[] = [];
  // `import x from "y"`, `import { a, type B } from "y"`, `export { a } from "y"`, `export * from "y"`.
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+"([^"]+)";/gms)) specs.push(m[1]!);
  // `import "y";` (side effects) and `import("y")` (dynamic).
  for (const m of source.matchAll(/^\s*import\s+"([^"]+)";/gm)) specs.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function packageOf(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

describe("keeper runtime build: imports only its runtime dependencies", () => {
  it("every module reachable from scripts/keeper.ts imports only node:*, the package's dependencies and project files", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    const allowed = new Set(Object.keys(pkg.dependencies));
    const visited = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (visited.has(file)) return;
      visited.add(file);
      for (const spec of valueImports(readFileSync(file, "utf8"))) {
        if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts"));
        else if (!spec.startsWith("node:") && !allowed.has(packageOf(spec)))
          offenders.push(`${path.relative(process.cwd(), file)} -> ${spec}`);
      }
    };
    visit(path.resolve("scripts/keeper.ts"));
    expect(offenders).to.deep.equal([]);
    // The shared modules the keeper uses are in the graph (the one file writer, runCli), and the command
    // layer's entry module, which re-exports commands that build with Hardhat, is not.
    const rel = [...visited].map((f) => path.relative(process.cwd(), f).split(path.sep).join("/"));
    expect(rel).to.include.members(["scripts/lib/files.ts", "scripts/lib/cli/run.ts", "scripts/lib/cli/argv.ts"]);
    expect(rel).to.not.include("scripts/lib/cli.ts");
    expect(rel).to.not.include("scripts/lib/cli/command.ts");
  });

  it("the walk sees value imports and ignores type-only ones", () => {
    const source = [
      'import { a } from "hardhat";',
      'import type { B } from "typescript";',
      'export { c } from "./c.js";',
      'import "side-effect";',
      'const d = await import("tsx");',
      'import {\n  type E,\n  f,\n} from "multi";',
    ].join("\n");
    expect(valueImports(source).sort()).to.deep.equal(["./c.js", "hardhat", "multi", "side-effect", "tsx"]);
  });
});
