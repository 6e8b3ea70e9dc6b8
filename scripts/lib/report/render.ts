import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { writeFileAtomic } from "../files.js";
import { BOUND_NAMES, Bound } from "../riskMath.js";
import {
  assertInlineable,
  escapeHtml,
  formatCount,
  formatDecimal,
  formatPercent,
  formatTime,
  formatUsd,
  jsonForScript,
  scriptHash,
} from "./html.js";
import type { PolicySummary, ReportData } from "./types.js";

/** The summary table's columns, in order, with their formats. */
const COLUMNS: readonly { key: Exclude<keyof PolicySummary, "policy">; title: string; format: (v: number) => string }[] = [
  { key: "badDebt", title: "Bad debt", format: formatUsd },
  { key: "liquidations", title: "Liquidations", format: formatCount },
  { key: "liquidatedNotional", title: "Liquidated notional", format: formatUsd },
  { key: "writeOffs", title: "Bad-debt write-offs", format: formatCount },
  { key: "deleverages", title: "Deleverages", format: formatCount },
  { key: "deleveragedNotional", title: "Deleveraged notional", format: formatUsd },
  { key: "blockedIncreases", title: "Blocked increases", format: formatCount },
  { key: "maxPoolImpact", title: "Max pool impact", format: formatPercent },
  { key: "calmCapacity", title: "Calm capacity", format: formatUsd },
  { key: "finalEquity", title: "Final equity", format: formatUsd },
];

const POLICY_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const BOUND_COLORS: Readonly<Record<Bound, string>> = {
  [Bound.None]: "#9e9e9e",
  [Bound.LiquidationDistance]: "#d62728",
  [Bound.VolatilityTarget]: "#9467bd",
  [Bound.Depth]: "#1f77b4",
  [Bound.OpenInterest]: "#ff7f0e",
  [Bound.CollateralTier]: "#2ca02c",
  [Bound.Greeks]: "#8c564b",
};

const bounds = Object.values(Bound).filter((b): b is Bound => typeof b === "number");

const inlined = new Map<string, string>();

/** A file's text checked to be safe inside a `<script>` element, read once per process. */
function inlineOnce(file: string, label: string, transform: (text: string) => string = (t) => t): string {
  let text = inlined.get(file);
  if (text === undefined) {
    text = assertInlineable(transform(readFileSync(file, "utf8")), label);
    inlined.set(file, text);
  }
  return text;
}

/**
 * Chart.js (UMD build, license banner kept without its URLs) and a page's own script (`client`, default this
 * report's `client.js`), read once: every offline report of the project inlines them the same way.
 */
export function inlineScripts(client: URL = new URL("client.js", import.meta.url)): { chart: string; client: string } {
  const require = createRequire(import.meta.url);
  const chartFile = path.join(path.dirname(require.resolve("chart.js")), "chart.umd.js");
  return {
    chart: inlineOnce(chartFile, chartFile, (t) => t.replace(/^ \* https?:\/\/\S+\r?\n/gm, "")),
    client: inlineOnce(fileURLToPath(client), path.basename(fileURLToPath(client))),
  };
}

/** A safe fragment of an element id. */
const idPart = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, "_");

/**
 * Renders a simulation report as one self-contained HTML document: Chart.js and the page's script inline,
 * the data embedded as JSON, inline CSS, and a Content-Security-Policy that allows nothing else (no
 * request can leave the page). Charts without data (no points, no events, no binding bounds) are left out
 * with a note rather than drawn empty.
 */
export function renderReport(data: ReportData): string {
  const { chart, client } = inlineScripts();
  const { summary } = data;
  const hasPoints = data.series.some((s) => s.points.length > 0);
  const hasEvents = data.series.some((s) => s.events.length > 0);
  const bindingPolicies = data.series.filter((s) => s.points.some((p) => p.binding !== undefined && Object.keys(p.binding).length > 0));

  const policyNames = [...new Set([...summary.policies.map((p) => p.policy), ...data.series.map((s) => s.policy)])];
  const config = {
    colors: Object.fromEntries(policyNames.map((name, i) => [name, POLICY_COLORS[i % POLICY_COLORS.length]!])),
    boundOrder: bounds.map((b) => BOUND_NAMES[b]),
    boundColors: Object.fromEntries(bounds.map((b) => [BOUND_NAMES[b], BOUND_COLORS[b]])),
    extraColors: POLICY_COLORS,
  };

  const figure = (title: string, kind: string, available: boolean, note: string, extra = "", policy?: string): string => {
    const id = `chart-${kind}${policy === undefined ? "" : `-${idPart(policy)}`}`;
    const policyAttr = policy === undefined ? "" : ` data-policy="${escapeHtml(policy)}"`;
    const body = available
      ? `<div class="chart"><canvas id="${escapeHtml(id)}" data-chart="${kind}"${policyAttr} role="img" aria-label="${escapeHtml(title)}"></canvas></div>`
      : `<p class="empty">${escapeHtml(note)}</p>`;
    return `<figure class="${extra}"><figcaption>${escapeHtml(title)}</figcaption>${body}</figure>`;
  };

  const figures = [
    figure("Price", "price", hasPoints, "No series points to draw.", "wide"),
    figure("Open interest (solid) and aggregate cap (dashed), per policy", "open-interest", hasPoints, "No series points to draw.", "wide"),
    figure(
      "Liquidations (×) and deleverages (▲): notional per event",
      "events",
      hasEvents,
      "No liquidation or deleverage events under any policy.",
      "wide",
    ),
    figure("Bad debt per policy", "bad-debt", summary.policies.length > 0, "No policies in the summary."),
    figure("Cumulative bad debt over time", "bad-debt-time", hasPoints, "No series points to draw."),
    ...(bindingPolicies.length > 0
      ? bindingPolicies.map((s) =>
          figure(`Binding bound over time (${s.policy}): share of positions`, "binding", true, "", "wide", s.policy),
        )
      : [figure("Binding bound over time", "binding", false, "No policy reports its binding bounds.", "wide")]),
  ];

  const rows = summary.policies
    .map(
      (p) =>
        `<tr data-policy="${escapeHtml(p.policy)}"><th scope="row">${escapeHtml(p.policy)}</th>${COLUMNS.map(
          (c) => `<td>${escapeHtml(c.format(p[c.key]))}</td>`,
        ).join("")}</tr>`,
    )
    .join("\n");

  let first = Infinity;
  let last = -Infinity;
  for (const s of data.series) {
    for (const { t } of s.points) {
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
  }
  const period = first <= last ? `${formatTime(first)} – ${formatTime(last)}` : "n/a";
  const facts: [string, string][] = [
    ["Price path", summary.path.file],
    ["Period", period],
    ["Steps", formatCount(summary.path.steps)],
    ["Start → end", `${formatEndpoint(summary.path.start)} → ${formatEndpoint(summary.path.end)}`],
    ["Max drawdown", formatPercent(summary.path.maxDrawdown)],
    ["Seed", String(summary.seed)],
  ];
  const params = Object.entries(summary.params).map(([key, value]): [string, string] => [key, formatParam(value)]);
  return `${reportHead(data.title, [chart, client], REPORT_STYLE)}
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
${data.subtitle === undefined ? "" : `<p class="subtitle">${escapeHtml(data.subtitle)}</p>`}
<dl class="facts">${definitionList(facts)}</dl>
</header>
<ul id="report-errors" hidden></ul>
<section>
<h2>Summary</h2>
<div class="table"><table id="summary">
<thead><tr><th scope="col">Policy</th>${COLUMNS.map((c) => `<th scope="col">${escapeHtml(c.title)}</th>`).join("")}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
</section>
<section>
<h2>Charts</h2>
<div class="charts">
${figures.join("\n")}
</div>
</section>
${params.length === 0 ? "" : `<section><h2>Parameters</h2><dl class="params">${definitionList(params)}</dl></section>`}
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script type="application/json" id="report-config">${jsonForScript(config)}</script>
<script>${chart}</script>
<script>${client}</script>
</body>
</html>
`;
}

/** Writes the report atomically (a reader never sees half a file). */
/** A report's `<dl>` of facts, escaped. */
export function definitionList(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("");
}

/**
 * The opening of an offline report page up to its `</head>`: a content security policy that runs exactly the
 * inlined `scripts` (by hash) and nothing from anywhere else, the title and the style sheet.
 */
export function reportHead(title: string, scripts: readonly string[], style: string): string {
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((script) => scriptHash(script)).join(" ")}`,
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en" data-report-state="loading">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>`;
}

export async function writeReport(file: string, data: ReportData): Promise<void> {
  await writeFileAtomic(file, renderReport(data));
}

/** A path endpoint: a price, or a date when it looks like unix seconds. */
function formatEndpoint(value: number): string {
  return Number.isInteger(value) && value >= 1e9 && value < 2 ** 32 ? formatTime(value) : formatDecimal(value);
}

function formatParam(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** The offline reports' style sheet (the simulation report and the calibration report). */
export const REPORT_STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.subtitle { margin: 0 0 12px; color: var(--muted); }
dl { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 8px 0 0; }
dl div { display: flex; gap: 6px; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
thead th { background: var(--panel); font-weight: 600; white-space: normal; vertical-align: bottom; }
th[scope="row"], thead th:first-child { text-align: left; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 20px; }
figure { margin: 0; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; margin-bottom: 8px; }
.chart { position: relative; height: 300px; }
.empty { color: var(--muted); font-style: italic; margin: 8px 0; }
#report-errors { color: #b00020; border: 1px solid #b00020; padding: 8px 24px; }
@media (max-width: 800px) { .charts { grid-template-columns: minmax(0, 1fr); } }
`;
