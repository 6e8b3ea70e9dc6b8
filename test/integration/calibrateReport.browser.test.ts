import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import type { Browser } from "playwright-core";

import { type CalibrationReport, renderCalibrationReport, writeCalibrationReport } from "../../scripts/lib/calibrate/report.js";
import { defaultCandidate } from "../../scripts/lib/calibrate/space.js";
import type { CandidateResult } from "../../scripts/lib/calibrate/sweep.js";
import { launchChromium } from "../../scripts/lib/report/browser.js";
import { loadReport } from "../../scripts/lib/report/screenshot.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-calibration-report-"));
const HOSTILE = `</script><script>window.__pwned = 1</script>`;

/** A calibration as `npm run calibrate` reports it: the gap axis, a few other sets, a recommendation, a breaking path. */
function syntheticCalibration(): CalibrationReport {
  const result = (gap: number, capacity: number, pBadDebt: number, extra: Partial<CandidateResult> = {}): CandidateResult => ({
    key: `gap=${gap}`,
    candidate: { ...defaultCandidate(), gap },
    evaluated: 100,
    failures: Math.round(pBadDebt * 100),
    pBadDebt,
    capacity,
    deleveragedShare: 0.2,
    stoppedEarly: false,
    stage: "screen",
    feasible: pBadDebt === 0,
    worst: pBadDebt > 0 ? [{ id: 3, badDebt: 1_234 }] : [],
    ...extra,
  });
  const gaps = [0, 0.1, 0.2, 0.25, 0.3].map((g, i) => result(g, 1_140_000 - i * 130_000, [0.49, 0.48, 0.1, 0, 0][i]!));
  const chosen = { ...gaps[3]!, stage: "confirm" as const, evaluated: 1_000 };
  return {
    title: `Ballast calibration: synthetic ${HOSTILE}`,
    market: { file: "synthetic.csv", hours: 504, annualVolatility: 0.93, worstHour: -0.048, worstDay: -0.173 },
    settings: { paths: 1_000, hours: 168, note: HOSTILE },
    defaults: defaultCandidate(),
    chosen,
    results: [...gaps, result(0.25, Number.NaN, 1, { stoppedEarly: true }), chosen],
    frontier: gaps,
    gapCurve: gaps.map((r) => ({ gap: r.candidate.gap, capacity: r.capacity, pBadDebt: r.pBadDebt })),
    breaking: [
      {
        id: 3,
        kind: "stressed",
        under: "gap=0.2",
        badDebt: 1_234,
        volScale: 2.1,
        gaps: [{ hour: 40, move: -0.21 }],
        prices: Array.from({ length: 169 }, (_, h) => 268 * Math.exp(-0.002 * h)),
      },
    ],
    verification: [
      {
        id: 3,
        kind: "stressed",
        evm: { badDebt: 0, liquidations: 0, deleverages: 78, calmCapacity: 631_606 },
        model: { badDebt: 0, liquidations: 0, deleverages: 78, calmCapacity: 631_606 },
        agrees: true,
        mismatches: [],
      },
    ],
    provenance: { tool: "calibrate", seed: 1 },
  };
}

describe("calibration report", function () {
  let browser: Browser;

  before(async function () {
    // No skip: without Chromium this hook fails with BrowserUnavailableError, which says to install Debian's chromium.
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("is one self-contained file: no external URL, the data inline with </script> escaped, the recommended set in a table", () => {
    const html = renderCalibrationReport(syntheticCalibration());
    expect(html).to.not.match(/https?:\/\//i);
    expect(html).to.not.match(/\b(src|href)\s*=/i);
    expect(html).to.contain("default-src 'none'");
    expect(html.split(HOSTILE)).to.have.length(1);
    expect(html).to.match(/<tr><th scope="row">gap<\/th><td>0<\/td><td>0\.25<\/td>/);
  });

  it("draws the frontier, the gap curve and the breaking paths in headless Chromium, with no error and no request beyond the file", async () => {
    const file = path.join(dir, "report.html");
    await writeCalibrationReport(file, syntheticCalibration());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => requests.push(r.url()));
    await loadReport(page, file);
    const charts = (await page.evaluate(`[...document.querySelectorAll("canvas[data-chart]")].map((c) => {
      const chart = Chart.getChart(c);
      const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
      return { chart: c.dataset.chart, inked, points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1 };
    })`)) as { chart: string; inked: number; points: number }[];
    expect(charts.map((c) => c.chart)).to.deep.equal(["frontier", "gap", "paths"]);
    for (const c of charts) {
      expect(c.inked, c.chart).to.be.greaterThan(2_000);
      expect(c.points, c.chart).to.be.greaterThan(0);
    }
    expect(errors).to.deep.equal([]);
    expect(requests).to.deep.equal([pathToFileURL(file).href]);
    expect(await page.evaluate("window.__pwned")).to.equal(undefined);
    await page.close();
  });
});
