/**
 * The calibration report: one self-contained HTML file in the style of the simulation report (Chart.js and the
 * page's script inline, the data embedded as JSON, a Content-Security-Policy that allows nothing else): the
 * frontier of calm capacity against the share of paths ending with bad debt, the gap floor's curve, the
 * recommended set against the defaults, the paths that break it (or its next riskier neighbour), and the EVM
 * verification.
 */
import { writeFileAtomic } from "../files.js";
import { escapeHtml, formatCount, formatDecimal, formatPercent, formatUsd, jsonForScript, scriptHash } from "../report/html.js";
import { definitionList, inlineScripts, REPORT_STYLE, reportHead } from "../report/render.js";
import type { CandidateResult } from "./sweep.js";
import { AXES, type Candidate } from "./space.js";

/** A path shown as breaking a parameter set. */
export interface BreakingPath {
  id: number;
  kind: string;
  /** Under which set it broke, and its bad debt there. */
  under: string;
  badDebt: number;
  volScale: number;
  gaps: { hour: number; move: number }[];
  prices: number[];
}

/** One path re-run on the EVM with the recommended set. */
export interface VerificationRow {
  id: number;
  kind: string;
  evm: { badDebt: number; liquidations: number; deleverages: number; calmCapacity: number };
  model: { badDebt: number; liquidations: number; deleverages: number; calmCapacity: number };
  agrees: boolean;
  mismatches: string[];
}

export interface CalibrationReport {
  title: string;
  market: { file: string; hours: number; annualVolatility: number; worstHour: number; worstDay: number };
  settings: Record<string, unknown>;
  defaults: Candidate;
  chosen: CandidateResult | undefined;
  results: CandidateResult[];
  frontier: CandidateResult[];
  gapCurve: { gap: number; capacity: number; pBadDebt: number }[];
  breaking: BreakingPath[];
  verification: VerificationRow[];
  provenance: Record<string, unknown>;
}

function formatValue(axis: keyof Candidate, value: number): string {
  if (axis === "horizon" || axis === "tauDown") return `${formatDecimal(value)} s`;
  return formatDecimal(value);
}

/** Renders the report (see the module comment). */
export function renderCalibrationReport(data: CalibrationReport): string {
  const { chart, client } = inlineScripts(new URL("client.js", import.meta.url));
  const c = data.chosen;
  const figure = (title: string, kind: string, available: boolean, note: string, wide = true): string =>
    `<figure class="${wide ? "wide" : ""}"><figcaption>${escapeHtml(title)}</figcaption>${
      available
        ? `<div class="chart"><canvas data-chart="${kind}" role="img" aria-label="${escapeHtml(title)}"></canvas></div>`
        : `<p class="empty">${escapeHtml(note)}</p>`
    }</figure>`;
  const paramRows = AXES.map(
    (a) =>
      `<tr><th scope="row">${escapeHtml(a.name)}</th><td>${escapeHtml(formatValue(a.name, data.defaults[a.name]))}</td><td>${
        c === undefined ? "n/a" : escapeHtml(formatValue(a.name, c.candidate[a.name]))
      }</td><td>${escapeHtml(`${formatDecimal(a.bounds[0])} – ${formatDecimal(a.bounds[1])}`)}</td></tr>`,
  ).join("\n");
  const verificationRows = data.verification
    .map(
      (v) =>
        `<tr><th scope="row">${v.id} (${escapeHtml(v.kind)})</th><td>${formatUsd(v.evm.badDebt)} / ${formatUsd(v.model.badDebt)}</td><td>${formatCount(
          v.evm.liquidations,
        )} / ${formatCount(v.model.liquidations)}</td><td>${formatCount(v.evm.deleverages)} / ${formatCount(v.model.deleverages)}</td><td>${formatUsd(
          v.evm.calmCapacity,
        )} / ${formatUsd(v.model.calmCapacity)}</td><td>${v.agrees ? "yes" : `no: ${escapeHtml(v.mismatches.join("; "))}`}</td></tr>`,
    )
    .join("\n");
  const breakingRows = data.breaking
    .map(
      (b) =>
        `<tr><th scope="row">${b.id}</th><td>${escapeHtml(b.kind)}</td><td>${formatDecimal(b.volScale)}</td><td>${escapeHtml(
          b.gaps.map((g) => `${formatPercent(g.move)} at h${g.hour}`).join(", ") || "none",
        )}</td><td>${escapeHtml(b.under)}</td><td>${formatUsd(b.badDebt)}</td></tr>`,
    )
    .join("\n");
  const facts: [string, string][] = [
    ["History", data.market.file],
    ["Hours", formatCount(data.market.hours)],
    ["Annualized volatility", formatPercent(data.market.annualVolatility)],
    ["Worst hour", formatPercent(data.market.worstHour)],
    ["Worst day", formatPercent(data.market.worstDay)],
    ...Object.entries(data.settings).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  ];
  const chosenText =
    c === undefined
      ? "No parameter set met the target: see the frontier for the safest sets found."
      : `Recommended: calm capacity ${formatUsd(c.capacity)}, bad debt on ${formatPercent(c.pBadDebt)} of ${formatCount(
          c.evaluated,
        )} paths, ${formatPercent(c.deleveragedShare)} of positions deleveraged on calm paths.`;
  return `${reportHead(data.title, [chart, client], STYLE)}
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="subtitle">${escapeHtml(chosenText)}</p>
<dl class="facts">${definitionList(facts)}</dl>
</header>
<ul id="report-errors" hidden></ul>
<section>
<h2>Recommended parameters</h2>
<div class="table"><table id="parameters">
<thead><tr><th scope="col">Parameter</th><th scope="col">Default</th><th scope="col">Recommended</th><th scope="col">Hard bounds</th></tr></thead>
<tbody>
${paramRows}
</tbody>
</table></div>
</section>
<section>
<h2>Charts</h2>
<div class="charts">
${figure("Calm capacity against the share of paths ending with bad debt", "frontier", data.results.length > 0, "No parameter set was evaluated.")}
${figure("The gap floor: capacity and bad-debt probability", "gap", data.gapCurve.length > 0, "The gap floor was not swept.", false)}
${figure("Paths that break the recommended set (or its riskier neighbour)", "paths", data.breaking.length > 0, "No path breaks the recommended set or its neighbour.", false)}
</div>
</section>
<section>
<h2>Paths that break it</h2>
<div class="table"><table id="breaking">
<thead><tr><th scope="col">Path</th><th scope="col">Kind</th><th scope="col">Volatility ×</th><th scope="col">Gaps</th><th scope="col">Under</th><th scope="col">Bad debt</th></tr></thead>
<tbody>
${breakingRows}
</tbody>
</table></div>
</section>
<section>
<h2>Verification on the EVM (EVM / model)</h2>
<div class="table"><table id="verification">
<thead><tr><th scope="col">Path</th><th scope="col">Bad debt</th><th scope="col">Liquidations</th><th scope="col">Deleverages</th><th scope="col">Calm capacity</th><th scope="col">Agree</th></tr></thead>
<tbody>
${verificationRows}
</tbody>
</table></div>
</section>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${chart}</script>
<script>${client}</script>
</body>
</html>
`;
}

export async function writeCalibrationReport(file: string, data: CalibrationReport): Promise<void> {
  await writeFileAtomic(file, renderCalibrationReport(data));
}

// The simulation report's style sheet, with taller charts.
const STYLE = `${REPORT_STYLE}.chart { height: 320px; }\n`;
