import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { checkSpec, mochaTitles, referenceMatches, splitReferences } from "../../scripts/tools/specCheck.js";

const root = await mkdtemp(path.join(tmpdir(), "ballast-spec-"));
await mkdir(path.join(root, "test/unit"), { recursive: true });
await writeFile(
  path.join(root, "test/unit/a.test.ts"),
  `describe("suite a", () => {\n  it("adds two numbers", () => {});\n  for (const k of [1, 2]) it(\`case \${k} holds\`, () => {});\n});\n`,
);
await writeFile(
  path.join(root, "test/unit/Props.t.sol"),
  "contract PropsTest {\n  function testFuzz_capShrinksAsSigmaRises(uint256 x) public {}\n}\n",
);

const spec = (rows: string) =>
  [
    "Test files: `test/unit/a.test.ts` (A), `test/unit/Props.t.sol` (P).",
    "",
    "| ID    | Requirement | Proved by |",
    "| ----- | ----------- | --------- |",
    rows,
  ].join("\n");

describe("npm run lint:spec (docs/SPEC.md names only tests that exist)", () => {
  it("accepts titles, prefixes with …, template titles, Solidity tests, whole files and comma lists", () => {
    const problems = checkSpec(
      spec(
        [
          "| RM-01 | x | A: `adds two numbers`, `suite a adds…`; P: `testFuzz_capShrinksAsSigmaRises` |",
          "| RM-02 | y | A: `case 2 holds` |",
          "| RM-03 | z | A, P |",
          "| RM-04 | w | `test/unit/a.test.ts` (all) |",
        ].join("\n"),
      ),
      root,
    );
    expect(problems).to.deep.equal([]);
  });

  it("fails on a renamed test title, a missing test file, an unknown abbreviation and a requirement without a test", () => {
    const problems = checkSpec(
      spec(
        [
          "| RM-01 | x | A: `adds three numbers` |",
          "| RM-02 | y | `test/unit/gone.test.ts` (all) |",
          "| RM-03 | z | Q: `anything` |",
          "| RM-04 | w | `npm run lint` |",
        ].join("\n"),
      ),
      root,
    ).map((p) => p.message);
    expect(problems.some((m) => m.includes("RM-01: no test titled `adds three numbers`"))).to.equal(true);
    expect(problems.some((m) => m.includes("`test/unit/gone.test.ts` does not exist"))).to.equal(true);
    expect(problems.some((m) => m.includes("RM-03: unknown test file abbreviation Q"))).to.equal(true);
    expect(problems.some((m) => m.includes("RM-04: no test proves it"))).to.equal(true);
  });

  it("fails on a requirement ID used by two rows", () => {
    const problems = checkSpec(spec(["| RM-01 | x | A |", "| RM-02 | y | P |", "| RM-01 | z | A |"].join("\n")), root).map(
      (p) => p.message,
    );
    expect(problems).to.deep.equal(["RM-01: duplicate requirement ID (first on line 5)"]);
  });

  it("reads titles without running the tests: literals, templates as wildcards, suites joined to their tests", () => {
    const titles = mochaTitles("x.test.ts", readFileSync(path.join(root, "test/unit/a.test.ts"), "utf8"));
    expect(referenceMatches("suite a case 1 holds", titles)).to.equal(true);
    expect(referenceMatches("…holds", titles)).to.equal(true);
    expect(referenceMatches("subtracts", titles)).to.equal(false);
    expect(splitReferences("UR, TS; V: `a, B c`, `d`")).to.deep.equal(["UR", "TS", "V: `a, B c`, `d`"]);
  });

  it("the project's docs/SPEC.md passes", () => {
    expect(checkSpec(readFileSync("docs/SPEC.md", "utf8"), process.cwd())).to.deep.equal([]);
  });
});
