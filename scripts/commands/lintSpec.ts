/** `npm run lint:spec`: docs/SPEC.md names only tests and files that exist, and every requirement has a test. */
import { readFile } from "node:fs/promises";

import { defineCommand, flag } from "../lib/cli.js";
import { InputError } from "../lib/errors.js";

export const lintSpecCommand = defineCommand({
  name: "lint:spec",
  synopsis: "[--spec <file.md>]",
  description:
    "Checks that requirement IDs are unique, that every requirement row of the SPEC names at least one test, that every\n" +
    "test file and title a row names exists (titles read from the test sources without running them), and that every\n" +
    "quoted file path exists.",
  flags: {
    spec: flag.string("the requirements document", { value: "<file.md>", default: "docs/SPEC.md" }),
  },
  examples: ["npm run lint:spec"],
  needsBuild: false,
  async run(args) {
    const { checkSpec } = await import("../tools/specCheck.js");
    let text: string;
    try {
      text = await readFile(args.spec, "utf8");
    } catch (error) {
      throw new InputError(`cannot read: ${(error as Error).message}`, args.spec);
    }
    const problems = checkSpec(text, process.cwd());
    if (problems.length > 0) {
      throw new InputError(`${problems.length} problem(s):\n${problems.map((p) => `${args.spec}:${p.line}: ${p.message}`).join("\n")}`);
    }
    process.stdout.write(`lint:spec: ${args.spec} names only existing tests and files; every requirement has a test\n`);
  },
});
