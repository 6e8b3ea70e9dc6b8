/**
 * Keeps `docs/SPEC.md` true: requirement IDs are unique, every requirement row names at least one test, every
 * test file and title it names exists, and every file path it quotes exists.
 *
 * How SPEC names tests: "Test files:" paragraphs give abbreviations (`test/unit/rounds.test.ts` (C); a bare
 * name such as `governance` (G) is the one test file of that name). A row's "Proved by" cell lists, separated
 * by `;`, either an abbreviation alone (the whole file: "KF (all)"), an abbreviation with titles
 * ("V: `title`, `title…`"), or a quoted test file path. A title matches a test or suite whose full title
 * (suites and test joined by spaces) contains it; `…` stands for any text (`poke crosses…`, `…HorizonRises`).
 * Titles are read from the sources without running them: mocha's `describe`/`it` with a literal, a template
 * (its `${}` parts match anything) or an expression (matches anything), and Solidity test functions.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import ts from "typescript";

export interface SpecProblem {
  line: number;
  message: string;
}

/** A title as found in a source: literal text and wildcards (`null`) for what only runs can tell. */
type Pattern = (string | null)[];

export interface TestFile {
  file: string;
  /** Full titles of every suite and test: the suite chain and the title, joined by spaces. */
  titles: Pattern[];
}

const WILDCARD = null;

function join(a: Pattern, b: Pattern): Pattern {
  return a.length === 0 ? b : [...a, " ", ...b];
}

function patternOf(node: ts.Expression): Pattern {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) {
    const out: Pattern = [node.head.text];
    for (const span of node.templateSpans) out.push(WILDCARD, span.literal.text);
    return out;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...patternOf(node.left), ...patternOf(node.right)];
  }
  return [WILDCARD];
}

const SUITE = new Set(["describe", "context", "suite"]);
const TEST = new Set(["it", "specify", "test"]);

function calleeName(call: ts.CallExpression): string | undefined {
  let e: ts.Expression = call.expression;
  if (ts.isPropertyAccessExpression(e) && ["only", "skip"].includes(e.name.text)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

/** Every suite and test title of a mocha test file, read from its syntax tree. */
export function mochaTitles(file: string, source: string): Pattern[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
  const titles: Pattern[] = [];
  const visit = (node: ts.Node, suite: Pattern) => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const first = node.arguments[0];
      if (name !== undefined && first !== undefined && (SUITE.has(name) || TEST.has(name))) {
        const full = join(suite, patternOf(first));
        titles.push(full);
        for (const arg of node.arguments.slice(1)) visit(arg, SUITE.has(name) ? full : suite);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, suite));
  };
  visit(sf, []);
  return titles;
}

/** Test function names of a Solidity test (`test…`, `testFuzz_…`, `invariant…`), with the contract name as suite. */
export function solidityTitles(source: string): Pattern[] {
  const titles: Pattern[] = [];
  let contract = "";
  for (const line of source.split("\n")) {
    const c = /^\s*(?:abstract\s+)?contract\s+(\w+)/.exec(line);
    if (c !== null) {
      contract = c[1]!;
      titles.push([contract]);
    }
    const f = /function\s+((?:test|invariant)\w*)\s*\(/.exec(line);
    if (f !== null) titles.push([`${contract} ${f[1]!}`], [f[1]!]);
  }
  return titles;
}

/**
 * Whether some instance of `pattern` contains `text` (glob matching of `text` against a contiguous piece of
 * the pattern, whose wildcards match any text), starting on literal text of the pattern.
 */
export function patternContains(pattern: Pattern, text: string): boolean {
  // Flatten into characters and wildcards.
  const symbols: (string | null)[] = [];
  for (const part of pattern) {
    if (part === WILDCARD) symbols.push(WILDCARD);
    else symbols.push(...part);
  }
  // reach[j]: `text[0..i)` can end just before symbol j (any start allowed).
  let reach = new Array<boolean>(symbols.length + 1).fill(true);
  const closeOverWildcards = (r: boolean[]) => {
    for (let j = 0; j < symbols.length; j++) if (r[j] && symbols[j] === WILDCARD) r[j + 1] = true;
    return r;
  };
  let first = true;
  for (const ch of text) {
    const next = new Array<boolean>(symbols.length + 1).fill(false);
    for (let j = 0; j < symbols.length; j++) {
      if (!reach[j]) continue;
      // The wildcard absorbs the character; but the text must start on literal text, or anything would match.
      if (symbols[j] === WILDCARD) {
        if (!first) next[j] = true;
      }
      if (symbols[j] === ch) next[j + 1] = true;
    }
    first = false;
    // Text may also end inside a wildcard that runs past it.
    reach = closeOverWildcards(next);
    if (!reach.some(Boolean)) return false;
  }
  return true;
}

/** Whether a SPEC reference (`…` for any text) names a title of the file. */
export function referenceMatches(reference: string, titles: readonly Pattern[]): boolean {
  const fragments = reference
    .split("…")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (fragments.length === 0) return titles.length > 0;
  return titles.some((t) => fragments.every((f) => patternContains(t, f)));
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Test files under `test/` (mocha and Solidity), relative to `root`. */
export function testFiles(root: string): string[] {
  return walk(path.join(root, "test"))
    .map((f) => path.relative(root, f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".test.ts") || f.endsWith(".t.sol"));
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*\*/g, "\u0000")
      .replace(/\*/g, "[^/]*")
      .replace(/\u0000/g, ".*")}$`,
  );
}

/**
 * The references of a "Proved by" cell: split at `;`, and at `,` before another abbreviation ("UR, TS"),
 * never inside backticks.
 */
export function splitReferences(cell: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    if (ch === "`") quoted = !quoted;
    const splitsHere = !quoted && (ch === ";" || (ch === "," && /^\s*[A-Z]{1,3}(?=[\s:,;]|$)/.test(cell.slice(i + 1))));
    if (splitsHere) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== "");
}

/** Checks a SPEC document; returns its problems (empty when it is true). */
export function checkSpec(spec: string, root: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const lines = spec.split("\n");
  const tests = testFiles(root);
  const titleCache = new Map<string, Pattern[]>();
  const titlesOf = (file: string): Pattern[] => {
    let t = titleCache.get(file);
    if (t === undefined) {
      const source = readFileSync(path.join(root, file), "utf8");
      t = file.endsWith(".t.sol") ? solidityTitles(source) : mochaTitles(file, source);
      titleCache.set(file, t);
    }
    return t;
  };
  /** Test files a quoted name or glob stands for: a path (or glob) from the root, or a unique bare name. */
  const resolve = (name: string, lineNo: number): string[] => {
    if (name.includes("*")) {
      const re = globToRegExp(name);
      const found = tests.filter((f) => re.test(f));
      if (found.length === 0) problems.push({ line: lineNo, message: `\`${name}\` matches no test file` });
      return found;
    }
    if (name.includes("/")) {
      if (!existsSync(path.join(root, name))) problems.push({ line: lineNo, message: `\`${name}\` does not exist` });
      return tests.includes(name) ? [name] : [];
    }
    const found = tests.filter((f) => {
      const base = path.posix.basename(f);
      return base === name || base === `${name}.test.ts` || base === `${name}.t.sol`;
    });
    if (found.length !== 1) {
      problems.push({ line: lineNo, message: `\`${name}\` names ${found.length === 0 ? "no" : "more than one"} test file; give its path` });
      return [];
    }
    return found;
  };

  // Abbreviations from every "Test files:" paragraph (a paragraph ends at a blank line or a table).
  const abbreviations = new Map<string, string[]>();
  for (let i = 0; i < lines.length; i++) {
    if (!/Test files:/.test(lines[i]!)) continue;
    let paragraph = "";
    const start = i;
    for (; i < lines.length && lines[i]!.trim() !== "" && !lines[i]!.startsWith("|"); i++) paragraph += ` ${lines[i]}`;
    for (const m of paragraph.matchAll(/`([^`]+)`\s*\(([A-Z]{1,3})[,)]/g)) {
      const files = resolve(m[1]!, start + 1);
      const known = abbreviations.get(m[2]!);
      if (known !== undefined && known.join() !== files.join()) {
        problems.push({ line: start + 1, message: `abbreviation ${m[2]} names two different files` });
      }
      abbreviations.set(m[2]!, files);
    }
  }

  // Every quoted path-like name must exist.
  for (const [i, line] of lines.entries()) {
    for (const m of line.matchAll(/`((?:contracts|scripts|test|docs|deploy)\/[^`\s]*)`/g)) {
      const name = m[1]!.replace(/[:,]$/, "");
      if (name.includes("*")) {
        const re = globToRegExp(name);
        if (!walk(path.join(root, name.split("/")[0]!)).some((f) => re.test(path.relative(root, f).split(path.sep).join("/")))) {
          problems.push({ line: i + 1, message: `\`${name}\` matches no file` });
        }
      } else if (!existsSync(path.join(root, name))) problems.push({ line: i + 1, message: `\`${name}\` does not exist` });
    }
  }

  // Requirement rows: each ID once (two documents merged must not both keep a row under one ID).
  const seen = new Map<string, number>();
  for (const [i, line] of lines.entries()) {
    const row = /^\|\s*([A-Z]{1,4}-\d+)\s*\|/.exec(line);
    if (row === null) continue;
    const id = row[1]!;
    const first = seen.get(id);
    if (first !== undefined) problems.push({ line: i + 1, message: `${id}: duplicate requirement ID (first on line ${first})` });
    else seen.set(id, i + 1);
    const cells = line.split("|").map((c) => c.trim());
    const proved = cells[cells.length - 2] ?? "";
    let namedTests = 0;
    for (const part of splitReferences(proved)) {
      if (part === "") continue;
      const quotedFile = /^`([^`]+\.(?:test\.ts|t\.sol))`/.exec(part);
      const abbrev = /^([A-Z]{1,3})\b(?::|\s|$)/.exec(part);
      let files: string[] | undefined;
      let rest = part;
      if (quotedFile !== null) {
        files = resolve(quotedFile[1]!, i + 1);
        rest = part.slice(quotedFile[0].length);
      } else if (abbrev !== null && abbreviations.has(abbrev[1]!)) {
        files = abbreviations.get(abbrev[1]!)!;
        rest = part.slice(abbrev[1]!.length);
      } else if (abbrev !== null) {
        problems.push({ line: i + 1, message: `${id}: unknown test file abbreviation ${abbrev[1]}` });
        continue;
      } else {
        continue; // not a test reference (e.g. a command)
      }
      if (files.length === 0) continue;
      namedTests++;
      const titles = files.flatMap(titlesOf);
      if (titles.length === 0) problems.push({ line: i + 1, message: `${id}: ${files.join(", ")} holds no test` });
      if (!rest.trimStart().startsWith(":")) continue;
      for (const m of rest.matchAll(/`([^`]+)`/g)) {
        if (!referenceMatches(m[1]!, titles)) {
          problems.push({ line: i + 1, message: `${id}: no test titled \`${m[1]}\` in ${files.join(", ")}` });
        }
      }
    }
    if (namedTests === 0)
      problems.push({ line: i + 1, message: `${id}: no test proves it (name a test file or an abbreviation in "Proved by")` });
  }
  return problems;
}
