/**
 * Compiles a set of Solidity files on their own with a given solcjs, allowing imports only from within the given
 * folders: the check that Ballast's interfaces stand alone (no third-party import) under the lowest compiler their
 * pragma allows, and the ABI of each contract they declare.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The folders whose files an integrator compiles without any dependency. */
export const STANDALONE_DIRS = ["contracts/interfaces", "contracts/types"] as const;

/** The subset of the solcjs API this uses. */
export interface Solc {
  compile(input: string, callbacks: { import: (file: string) => { contents: string } | { error: string } }): string;
  version(): string;
}

export interface StandaloneResult {
  errors: string[];
  warnings: string[];
  /** Imports that left the allowed folders (each also an error). */
  escapes: string[];
  /** ABI per contract name. */
  abis: Map<string, { type: string; name?: string; inputs?: { type: string }[]; outputs?: { type: string }[] }[]>;
}

/** Every `.sol` file under the folders, relative to `root`, with forward slashes. */
export function solidityFiles(root: string, dirs: readonly string[] = STANDALONE_DIRS): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".sol") ? [`${dir}/${e.name}`] : [],
    );
  return dirs.flatMap(walk).sort();
}

/** Compiles `files` (relative to `root`) with `solc`; an import outside `allowed` folders is an error. */
export function compileStandalone(
  solc: Solc,
  root: string,
  files: string[],
  allowed: readonly string[] = STANDALONE_DIRS,
): StandaloneResult {
  const escapes: string[] = [];
  const inside = (file: string) => allowed.some((dir) => file.startsWith(`${dir}/`));
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(path.join(root, f), "utf8") }]));
  const input = { language: "Solidity", sources, settings: { outputSelection: { "*": { "*": ["abi"] } } } };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (file) => {
        if (!inside(file)) {
          escapes.push(file);
          return { error: `import outside ${allowed.join(", ")}: ${file}` };
        }
        return { contents: readFileSync(path.join(root, file), "utf8") };
      },
    }),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: StandaloneResult["abis"] extends Map<string, infer A> ? A : never }>>;
  };
  const abis: StandaloneResult["abis"] = new Map();
  for (const byName of Object.values(output.contracts ?? {})) for (const [name, c] of Object.entries(byName)) abis.set(name, c.abi);
  const messages = output.errors ?? [];
  return {
    errors: messages.filter((m) => m.severity === "error").map((m) => m.formattedMessage),
    warnings: messages.filter((m) => m.severity === "warning").map((m) => m.formattedMessage),
    escapes,
    abis,
  };
}

/** `name(types)->(types)` of every function of an ABI, sorted. */
export function functionShapes(abi: NonNullable<ReturnType<StandaloneResult["abis"]["get"]>>): string[] {
  return abi
    .filter((f) => f.type === "function")
    .map((f) => `${f.name}(${(f.inputs ?? []).map((i) => i.type).join(",")})->(${(f.outputs ?? []).map((o) => o.type).join(",")})`)
    .sort();
}
