/** Safe building blocks for a self-contained HTML document: escaping, embedded JSON, inline scripts, number formats. */

import { createHash } from "node:crypto";

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for the body of a `<script type="application/json">`: `<`, `>` and `&` (which JSON only allows inside
 * strings) become `\u003c`-style escapes, so no string can close the element (`</script>`) or open a comment;
 * U+2028/U+2029 are escaped too. Bigints become decimal strings; non-finite numbers become null, as in JSON.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Checks that JavaScript source can sit inside an inline `<script>` element unchanged (the HTML parser ends
 * the element at the first `</script`, and `<!--` switches it into an escaped mode).
 */
export function assertInlineable(source: string, name: string): string {
  const bad = /<\/script|<!--/i.exec(source);
  if (bad !== null) throw new Error(`cannot inline ${name}: it contains "${bad[0]}" at offset ${bad.index}`);
  return source;
}

/** The Content-Security-Policy source for an inline script with exactly this text. */
export function scriptHash(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

const usdFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const usdCents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const countFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 8 });

/** `$1,234,567` (cents below $100, `∞` and `n/a` for non-finite values). */
export function formatUsd(value: number): string {
  if (Number.isNaN(value)) return "n/a";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  return Math.abs(value) < 100 && value !== 0 ? usdCents.format(value) : usdFormat.format(value);
}

export function formatCount(value: number): string {
  return Number.isFinite(value) ? countFormat.format(value) : "n/a";
}

/** A fraction as a percentage: 0.1234 -> `12.34 %`. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)} %` : "n/a";
}

export function formatDecimal(value: number): string {
  return Number.isFinite(value) ? decimalFormat.format(value) : "n/a";
}

/** Unix seconds as `2019-06-20 00:00 UTC`. */
export function formatTime(seconds: number): string {
  return Number.isFinite(seconds) ? `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` : "n/a";
}
