import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * `npm run test:package` (and `.ci/run`): packs the npm package from this repository, installs the tarball offline
 * (`npm install --offline <tarball>`: the package has no dependencies to fetch) into a scratch Hardhat 3 project and a
 * scratch Foundry project, and in each compiles a small engine written against the package
 * (`test/package/fixtures`) and runs the package's conformance kit on it. The scratch projects use this repository's
 * installed Hardhat, solcjs and forge (`@foundry-rs/forge`): no compiler or tool is downloaded.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(import.meta.dirname, "fixtures");
const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
const env = {
  ...process.env,
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${path.join(ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH}`,
};

function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  return execFileSync(command, args, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
}

/** A scratch project with the tarball installed offline and the fixtures copied in (`.sol.tmpl` -> `.sol`). */
function scratchProject(scratch: string, name: string, tarball: string, layout: { contracts: string; test: string }): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `scratch-${name}`, private: true, type: "module" }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], dir);
  for (const [from, to] of [
    ["contracts", layout.contracts],
    ["test", layout.test],
  ] as const) {
    mkdirSync(path.join(dir, to), { recursive: true });
    for (const file of readdirSync(path.join(FIXTURES, from))) {
      const source = readFileSync(path.join(FIXTURES, from, file), "utf8").replace('"../contracts/', `"../${layout.contracts}/`);
      writeFileSync(path.join(dir, to, file.replace(/\.tmpl$/, "")), source);
    }
  }
  return dir;
}

describe("the npm package @ballast/risk-module installs and works outside this repository", function () {
  this.timeout(900_000);
  let scratch: string;
  let tarball: string;

  let repositoryManifest: string;

  before(() => {
    repositoryManifest = readFileSync(path.join(ROOT, "package.json"), "utf8");
    scratch = mkdtempSync(path.join(tmpdir(), "ballast-package-"));
    // `npm pack` runs the prepack step (scripts/tools/prepack.ts): it builds abi/ and dist/ from the artifacts.
    run("npm", ["pack", "--pack-destination", scratch], ROOT);
    tarball = path.join(scratch, `ballast-risk-module-${version}.tgz`);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("npm pack ships the Solidity sources, every ABI, the TypeScript entry, docs, LICENSE and CHANGELOG, and nothing from test/ or scripts/", () => {
    const files = run("tar", ["-tzf", tarball], scratch)
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => f.replace(/^package\//, ""));
    expect(files).to.include.members([
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "docs/INTEGRATION.md",
      "dist/index.js",
      "dist/index.d.ts",
      "contracts/interfaces/IMarginEngine.sol",
      "contracts/interfaces/IHedgingEngine.sol",
      "contracts/interfaces/external/IAggregatorV3.sol",
      "contracts/RiskModule.sol",
      "contracts/periphery/RiskLens.sol",
      "contracts/examples/ExampleMarginEngine.sol",
      "contracts/conformance/MarginEngineConformance.sol",
      "abi/RiskModule.json",
      "abi/VolatilityOracle.json",
      "abi/RiskLens.json",
      "abi/ValidationLogic.json",
      "abi/IMarginEngine.json",
    ]);
    expect(files.filter((f) => /^(test|scripts|contracts\/test)\//.test(f) || f.endsWith(".ts") !== f.endsWith(".d.ts"))).to.deep.equal([]);
    const riskModule = JSON.parse(run("tar", ["-xzOf", tarball, "package/abi/RiskModule.json"], scratch)) as {
      bytecode: string;
      linkReferences: Record<string, Record<string, unknown>>;
    };
    expect(riskModule.bytecode.length).to.be.greaterThan(1_000);
    expect(Object.values(riskModule.linkReferences).flatMap((l) => Object.keys(l))).to.have.members([
      "DepthLogic",
      "GovernanceLogic",
      "KeeperLogic",
      "ValidationLogic",
    ]);
    // The packed manifest has nothing to install (the keeper service's runtime packages and the repository's scripts
    // stay in the repository), and the repository's own manifest is back in place after the pack.
    const packed = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], scratch)) as Record<string, unknown>;
    expect(packed).to.include({ name: "@ballast/risk-module", version });
    expect(packed).to.not.have.any.keys("dependencies", "devDependencies", "scripts");
    expect(repositoryManifest).to.equal(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(existsSync(path.join(ROOT, "package.json.prepack"))).to.equal(false);
  });

  it("installs offline into a scratch Hardhat 3 project, where a small engine compiles against it and passes the package's conformance kit, and its TypeScript entry exports the ABIs", () => {
    const dir = scratchProject(scratch, "hardhat", tarball, { contracts: "contracts", test: "test" });
    symlinkSync(path.join(ROOT, "node_modules/hardhat"), path.join(dir, "node_modules/hardhat"), "dir");
    writeFileSync(
      path.join(dir, "hardhat.config.js"),
      `export default { solidity: { compilers: [{ version: "0.8.37", path: ${JSON.stringify(path.join(ROOT, "node_modules/solc/soljson.js"))}, settings: { evmVersion: "osaka" } }] } };\n`,
    );
    // Only the tarball and the fixtures: no @chainlink, @uniswap, @openzeppelin or @prb package is installed.
    expect(
      readdirSync(path.join(dir, "node_modules"))
        .filter((f) => !f.startsWith("."))
        .sort(),
    ).to.deep.equal(["@ballast", "hardhat"]);
    const output = run(
      process.execPath,
      [path.join(dir, "node_modules/hardhat/dist/src/cli.js"), "--config", "hardhat.config.js", "test", "solidity"],
      dir,
    );
    expect(output, output).to.match(/14 passing/);
    expect(output).to.not.match(/failing/);
    writeFileSync(
      path.join(dir, "abis.js"),
      'import { riskModuleAbi, iMarginEngineAbi } from "@ballast/risk-module";\n' +
        "console.log(JSON.stringify([riskModuleAbi.some((f) => f.name === 'deleverage'), iMarginEngineAbi.some((f) => f.name === 'PositionChanged')]));\n",
    );
    expect(JSON.parse(run(process.execPath, ["abis.js"], dir))).to.deep.equal([true, true]);
  });

  it("installs offline into a scratch Foundry project, where the same engine builds with forge and passes the conformance kit", () => {
    const dir = scratchProject(scratch, "foundry", tarball, { contracts: "src", test: "test" });
    writeFileSync(
      path.join(dir, "foundry.toml"),
      [
        "[profile.default]",
        'src = "src"',
        'test = "test"',
        'libs = ["node_modules"]',
        `solc = ${JSON.stringify(path.join(ROOT, "scripts/tools/forge-solc.cjs"))}`,
        "offline = true",
        'evm_version = "osaka"',
        "",
      ].join("\n"),
    );
    writeFileSync(path.join(dir, "remappings.txt"), "@ballast/risk-module/=node_modules/@ballast/risk-module/\n");
    const output = run("forge", ["test"], dir);
    expect(output).to.match(/14 tests passed, 0 failed/);
  });
});
