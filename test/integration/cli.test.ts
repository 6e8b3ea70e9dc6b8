import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { COMMANDS } from "../../scripts/commands/index.js";
import { type Command, type Io, runCommand } from "../../scripts/lib/cli.js";
import type { Flag } from "../../scripts/lib/cli/flags.js";
import { ConfigError } from "../../scripts/keeper/errors.js";
import { FLAG_OPTIONS, loadConfig, usage } from "../../scripts/keeper/config.js";

/**
 * One table drives every command: each row is a command as `npm run` starts it, and each column a promise
 * every command keeps (help with every flag, its default and an example; the version; "did you mean" for an
 * unknown flag; numbers validated with the flag named; one error style and exit code). The keeper parses
 * with its own configuration table (`scripts/keeper/config.ts`), so its row drives `loadConfig` and `usage`.
 */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

interface Row {
  name: string;
  entry: string;
  /** Every flag of the command. */
  flags: string[];
  help(): Promise<Outcome>;
  run(argv: string[]): Promise<Outcome>;
  /** A flag taking a whole number that rejects -3, if the command has one. */
  numberFlag?: string;
  /** Arguments a run needs besides the flag under test (e.g. the scenario's name). */
  base: string[];
}

async function inProcess(command: Command, argv: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await runCommand(command, argv, io);
  return { code, stdout, stderr };
}

function numberFlagOf(command: Command): string | undefined {
  return Object.entries(command.flags).find(([, f]) => ["<n>", "<s>", "<x>"].includes((f as Flag<unknown>).value))?.[0];
}

const rows: Row[] = [
  ...COMMANDS.map(({ command, entry }): Row => ({
    name: command.name,
    entry,
    flags: Object.keys(command.flags),
    help: () => inProcess(command, ["--help"]),
    run: (argv) => inProcess(command, argv),
    ...(numberFlagOf(command) === undefined ? {} : { numberFlag: numberFlagOf(command)! }),
    base: command.positional?.choices?.[0] === undefined ? [] : [command.positional.choices[0]],
  })),
  {
    name: "keeper",
    entry: "scripts/keeper.ts",
    flags: Object.keys(FLAG_OPTIONS).filter((f) => f !== "help"),
    help: async () => {
      expect(loadConfig({ argv: ["--help"], env: {} }).help).to.equal(true);
      return { code: 0, stdout: `${usage()}\n`, stderr: "" };
    },
    run: async (argv) => {
      try {
        loadConfig({ argv, env: {} });
        return { code: 0, stdout: "", stderr: "" };
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return { code: 2, stdout: "", stderr: `error: ${(error as Error).message}\n` };
      }
    },
    numberFlag: "start-block",
    base: [],
  },
];

describe("every command line (one table: help, version, unknown flags, numbers, error style)", () => {
  it("the table covers every npm script that starts a command", () => {
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
    // `npm run keeper` starts bin/keeper.mjs, which runs scripts/keeper.ts in a development install (and the
    // compiled dist/keeper/keeper.js in a runtime-only one).
    const started = Object.values(scripts)
      .map((s) => /^tsx (scripts\/\S+\.ts)/.exec(s)?.[1] ?? (/^(exec )?node bin\/keeper\.mjs\b/.test(s) ? "scripts/keeper.ts" : undefined))
      .filter((e): e is string => e !== undefined && !e.startsWith("scripts/tools/"));
    expect([...new Set(started)].sort()).to.deep.equal(rows.map((r) => r.entry).sort());
  });

  for (const row of rows) {
    describe(`npm run ${row.name}`, () => {
      it("--help prints usage, every flag with its default (or required), and an example; exit 0", async () => {
        const out = await row.help();
        expect(out.code).to.equal(0);
        expect(out.stdout).to.match(/^usage: npm (run |test)/);
        for (const flag of row.flags) {
          const line = out.stdout.split("\n").find((l) => l.trimStart().startsWith(`--${flag} `) || l.trim() === `--${flag}`);
          expect(line, `--${flag} in --help`).to.not.equal(undefined);
          if (row.name !== "keeper") expect(line, `--${flag}'s default`).to.match(/\((default|required|optional)[^)]*\)$/);
        }
        expect(out.stdout).to.match(/\nexamples?:\n {2}\S/);
      });

      it("an unknown flag near a real one exits 2 with `error: unknown flag ... (did you mean ...?)`", async () => {
        const target = row.flags.find((f) => f.length >= 5 && f !== "version") ?? row.flags[0]!;
        const typo = `${target.slice(0, -1)}`;
        const out = await row.run([...row.base, `--${typo}x`]);
        expect(out.code).to.equal(2);
        expect(out.stdout).to.equal("");
        expect(out.stderr).to.match(/^error: /);
        expect(out.stderr).to.contain(`unknown flag --${typo}x (did you mean --${target}?)`);
      });

      if (row.numberFlag !== undefined) {
        it("a negative number is validated as a value, naming its flag: exit 2", async () => {
          const out = await row.run([...row.base, `--${row.numberFlag}`, "-3"]);
          expect(out.code).to.equal(2);
          expect(out.stderr).to.match(/^error: /);
          expect(out.stderr).to.contain(`--${row.numberFlag}: expected`).and.contain("-3");
          expect(out.stderr).to.not.contain("ambiguous");
        });
      }
    });
  }

  it("every command's entry file, started as npm starts it, prints `ballast <version> <name>` for --version (exit 0)", async function () {
    this.timeout(120_000);
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    const spawnVersion = (entry: string) =>
      new Promise<Outcome>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", entry, "--version"], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    const queue = [...rows];
    const results = new Map<string, Outcome>();
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let row = queue.shift(); row !== undefined; row = queue.shift()) results.set(row.name, await spawnVersion(row.entry));
      }),
    );
    for (const row of rows) {
      const out = results.get(row.name)!;
      expect(out.code, `${row.name}: ${out.stderr}`).to.equal(0);
      expect(out.stdout).to.match(new RegExp(`^ballast ${version.replace(/\./g, "\\.")} ${row.name} \\(`));
    }
    // The keeper as `npm run keeper` starts it: bin/keeper.mjs, one process (the runtime build's --version is
    // checked by test/e2e/runtime.test.ts).
    const bin = spawnSync(process.execPath, ["bin/keeper.mjs", "--version"], { encoding: "utf8" });
    expect(bin.status, bin.stderr).to.equal(0);
    expect(bin.stdout).to.match(new RegExp(`^ballast ${version.replace(/\./g, "\\.")} keeper \\(`));
  });

  it("no entry file imports generated code (TypeChain types, artifacts) before the command has built it", () => {
    const visited = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (visited.has(file)) return;
      visited.add(file);
      const source = readFileSync(file, "utf8");
      // Static value imports only: `import type` is erased, `await import()` runs after the build.
      for (const m of source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)) {
        const spec = m[1]!;
        if (/typechain-types|artifacts\//.test(spec)) offenders.push(`${file} -> ${spec}`);
        if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts"));
      }
    };
    for (const row of rows) visit(path.resolve(row.entry));
    expect(offenders).to.deep.equal([]);
  });
});
