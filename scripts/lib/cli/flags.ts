/**
 * Flags of Ballast's commands, declared once: each builder returns the flag's kind (value or switch), its
 * placeholder, its help line, the default shown in `--help`, and the zod schema that turns the text given
 * (or its absence) into the value, with a message that names what was expected and what was given.
 */
import { z } from "zod";

import { closest } from "./suggest.js";

export interface Flag<T> {
  /** `string`: takes a value (`--out <dir>`); `boolean`: a switch (`--quiet`). */
  kind: "string" | "boolean";
  /** Placeholder of the value in usage, e.g. `<n>`; empty for a switch. */
  value: string;
  help: string;
  /** What `--help` shows after the help line: `default 50`, `required`, `optional`. */
  shownDefault: string;
  /** From the parsed text (undefined when the flag is absent) to the value. */
  schema: z.ZodType<T, string | boolean | undefined>;
}

type Opt<D> = D extends undefined ? undefined : never;

const show = (n: number) => String(n);

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
}

const given = (text: string) => `got ${JSON.stringify(text)}`;

/** A whole number in [min, max]. */
export function int(help: string, options: { min: number; max: number; value?: string; required: true }): Flag<number>;
export function int<D extends number | undefined = undefined>(
  help: string,
  options: { min: number; max: number; default?: D; value?: string; shown?: string },
): Flag<number | Opt<D>>;
export function int(
  help: string,
  options: { min: number; max: number; default?: number; value?: string; required?: true; shown?: string },
): Flag<number | undefined> {
  const range = `a whole number from ${show(options.min)} to ${show(options.max)}`;
  return {
    kind: "string",
    value: options.value ?? "<n>",
    help,
    shownDefault: options.shown ?? defaultText(options.default, options.required),
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return absent(ctx, options.default, options.required) as number | undefined;
      const t = String(text).trim();
      const n = /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < options.min || n > options.max) return fail(ctx, `expected ${range}, ${given(String(text))}`);
      return n;
    }),
  };
}

/** A decimal number in [min, max]. */
export function number<D extends number | undefined = undefined>(
  help: string,
  options: { min: number; max: number; default?: D; value?: string; shown?: string },
): Flag<number | Opt<D>> {
  const range = `a number from ${show(options.min)} to ${show(options.max)}`;
  return {
    kind: "string",
    value: options.value ?? "<x>",
    help,
    shownDefault: options.shown ?? defaultText(options.default, false),
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return options.default as number | Opt<D>;
      const t = String(text).trim();
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
      if (!Number.isFinite(n) || n < options.min || n > options.max) return fail(ctx, `expected ${range}, ${given(String(text))}`);
      return n;
    }),
  };
}

/** A range `min:max` of decimal numbers within [lo, hi] (e.g. `--stress-vol 1.5:3`). */
export function range(
  help: string,
  options: { lo: number; hi: number; default: readonly [number, number]; value?: string; below?: boolean },
): Flag<[number, number]> {
  const within = `${options.below === true ? "below" : "at most"} ${show(options.hi)}`;
  return {
    kind: "string",
    value: options.value ?? "<min:max>",
    help,
    shownDefault: `default ${options.default.join(":")}`,
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return [...options.default] as [number, number];
      const t = String(text).trim();
      if (!/^\d+(\.\d+)?:\d+(\.\d+)?$/.test(t)) return fail(ctx, `expected min:max, e.g. ${options.default.join(":")}, ${given(t)}`);
      const [a, b] = t.split(":").map(Number) as [number, number];
      if (a > b) return fail(ctx, `min must not exceed max, ${given(t)}`);
      const over = options.below === true ? b >= options.hi : b > options.hi;
      if (a < options.lo || over) return fail(ctx, `expected values from ${show(options.lo)} ${within}, ${given(t)}`);
      return [a, b];
    }),
  };
}

/** Any non-empty text (a file, a directory, a name); `required` names what it is when it is missing. */
export function string(help: string, options: { value: string; required: true | string }): Flag<string>;
export function string<D extends string | undefined = undefined>(
  help: string,
  options: { value: string; default?: D },
): Flag<string | Opt<D>>;
export function string(help: string, options: { value: string; default?: string; required?: true | string }): Flag<string | undefined> {
  return {
    kind: "string",
    value: options.value,
    help,
    shownDefault: defaultText(options.default, options.required),
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return absent(ctx, options.default, options.required) as string | undefined;
      if (String(text).trim() === "") return fail(ctx, "expected a non-empty value");
      return String(text);
    }),
  };
}

/** One of a fixed list. */
export function choice<const C extends readonly string[], D extends C[number] | undefined = undefined>(
  help: string,
  choices: C,
  options: { default?: D; value?: string } = {},
): Flag<C[number] | Opt<D>> {
  return {
    kind: "string",
    value: options.value ?? `<${choices.join("|")}>`,
    help,
    shownDefault: defaultText(options.default, false),
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return options.default as C[number] | Opt<D>;
      const t = String(text);
      if ((choices as readonly string[]).includes(t)) return t as C[number];
      const near = closest(t, choices);
      return fail(ctx, `expected one of ${choices.join(", ")}, ${given(t)}${near === undefined ? "" : ` (did you mean ${near}?)`}`);
    }),
  };
}

/** A switch: true when given. */
export function bool(help: string): Flag<boolean> {
  return { kind: "boolean", value: "", help, shownDefault: "default off", schema: z.any().transform((v: unknown) => v === true) };
}

/** A comma-separated list of whole numbers in [min, max]. */
export function intList(help: string, options: { min: number; max: number; default: readonly number[]; value?: string }): Flag<number[]> {
  return {
    kind: "string",
    value: options.value ?? "<n,n,...>",
    help,
    shownDefault: `default ${options.default.join(",")}`,
    schema: z.any().transform((text: unknown, ctx) => {
      if (text === undefined) return [...options.default];
      const parts = String(text).split(",");
      const values = parts.map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : Number.NaN));
      if (values.some((n) => !Number.isSafeInteger(n) || n < options.min || n > options.max)) {
        return fail(
          ctx,
          `expected comma-separated whole numbers from ${show(options.min)} to ${show(options.max)}, ${given(String(text))}`,
        );
      }
      return values;
    }),
  };
}

function defaultText(value: unknown, required: boolean | string | undefined): string {
  if (required !== undefined && required !== false) return "required";
  if (value === undefined) return "optional, no default";
  return `default ${typeof value === "number" ? show(value) : String(value)}`;
}

function absent(ctx: z.RefinementCtx, value: unknown, required: boolean | string | undefined): unknown {
  if (required !== undefined && required !== false) return fail(ctx, typeof required === "string" ? `required: ${required}` : "required");
  return value;
}
