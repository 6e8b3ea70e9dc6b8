import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { Random } from "../../scripts/lib/random.js";
import { BrowserUnavailableError, chromiumSource, launchChromium } from "../../scripts/lib/report/browser.js";
import { renderReport, writeReport } from "../../scripts/lib/report/render.js";
import { loadReport, screenshotReport } from "../../scripts/lib/report/screenshot.js";
import type { PolicyEvent, PolicySeries, PolicySummary, ReportData, SeriesPoint } from "../../scripts/lib/report/types.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-report-"));
const HOSTILE = `</script><script>window.__pwned = 1</script><!-- & "quotes" 'single'`;

/** A synthetic run: one price path, three policies; "tiered" has no cap, no binding bounds and no deleverages. */
function syntheticReport(steps = 2_000, seed = 11): ReportData {
  const random = new Random(seed);
  const t0 = 1_560_988_800;
  let price = 300;
  const prices: { t: number; price: number }[] = [];
  for (let i = 0; i < steps; i++) {
    price *= Math.exp(0.006 * random.gaussian() - (i > steps / 2 && i < (steps * 3) / 5 ? 0.004 : 0));
    prices.push({ t: t0 + i * 300, price });
  }
  const series: PolicySeries[] = ["ballast", "static", "tiered"].map((policy, k) => {
    const points: SeriesPoint[] = [];
    const events: PolicyEvent[] = [];
    let oi = 5e6;
    let badDebt = 0;
    for (const [i, { t, price: p }] of prices.entries()) {
      oi = Math.max(0, oi * (1 + 0.01 * random.gaussian()) + 2e4);
      const point: SeriesPoint = { t, price: p, openInterest: oi, badDebt };
      if (policy !== "tiered") point.cap = policy === "ballast" ? 8e6 * (p / 300) : 9e6;
      if (policy === "ballast") {
        const stressed = i > steps / 2 && i < (steps * 3) / 5;
        point.binding = stressed
          ? { "volatility-target": 30 + random.int(0, 10), depth: 10, "liquidation-distance": random.int(0, 5) }
          : { "liquidation-distance": 40 + random.int(0, 5), depth: 5, none: 3 };
      }
      if (random.next() < 0.02 * (k + 1)) {
        events.push({ t, kind: "liquidation", notional: random.uniform(1e4, 5e5), account: `0x${i.toString(16).padStart(40, "0")}` });
        badDebt += k * random.uniform(0, 2e4);
      }
      if (policy !== "tiered" && random.next() < 0.03) events.push({ t, kind: "deleverage", notional: random.uniform(5e3, 2e5) });
      points.push(point);
    }
    return { policy, points, events };
  });
  const policies: PolicySummary[] = series.map((s, k) => ({
    policy: s.policy,
    badDebt: s.points.at(-1)!.badDebt,
    liquidations: s.events.filter((e) => e.kind === "liquidation").length,
    liquidatedNotional: s.events.filter((e) => e.kind === "liquidation").reduce((sum, e) => sum + e.notional, 0),
    writeOffs: k,
    deleverages: s.events.filter((e) => e.kind === "deleverage").length,
    deleveragedNotional: s.events.filter((e) => e.kind === "deleverage").reduce((sum, e) => sum + e.notional, 0),
    blockedIncreases: 10 * k,
    maxPoolImpact: 0.012345 * (k + 1),
    calmCapacity: k === 2 ? Infinity : 7.5e6,
    finalEquity: 1e7 - k * 1e5,
  }));
  return {
    title: `Ballast vs static vs tiered caps ${HOSTILE}`,
    subtitle: `ETH/USDT synthetic, seed ${seed}`,
    summary: {
      path: { file: "synthetic.csv", steps, start: prices[0]!.price, end: prices.at(-1)!.price, maxDrawdown: 0.2345 },
      policies,
      seed,
      params: { deviation: 0.005, heartbeat: 3_600, z: 2.33, markets: ["ETH"], note: HOSTILE, big: 10n ** 30n },
    },
    series,
  };
}

/** What a page did while loading: console errors and warnings, page errors, and every request it made. */
interface PageLog {
  console: string[];
  pageErrors: string[];
  requests: string[];
}

function watch(page: Page): PageLog {
  const log: PageLog = { console: [], pageErrors: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.pageErrors.push(e.message));
  page.on("request", (r) => log.requests.push(r.url()));
  return log;
}

interface CanvasReport {
  id: string;
  chart: string;
  width: number;
  height: number;
  differsFromBlank: boolean;
  inkedPixels: number;
  datasets: number;
  points: number;
}

/** Runs in the page: per chart canvas, its size, whether it differs from a blank canvas, and its Chart.js data. */
const INSPECT_CANVASES = `[...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const blank = document.createElement("canvas");
  blank.width = canvas.width;
  blank.height = canvas.height;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
  const chart = Chart.getChart(canvas);
  return {
    id: canvas.id,
    chart: canvas.dataset.chart,
    width: canvas.width,
    height: canvas.height,
    differsFromBlank: canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL(),
    inkedPixels: inked,
    datasets: chart ? chart.data.datasets.length : -1,
    points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1,
  };
})`;

async function open(browser: Browser, data: ReportData, name: string): Promise<{ page: Page; log: PageLog; url: string }> {
  const file = path.join(dir, name);
  await writeReport(file, data);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log = watch(page);
  await loadReport(page, file);
  return { page, log, url: pathToFileURL(file).href };
}

describe("report rendering (no browser)", () => {
  it("embeds Chart.js and the data inline, with no external URL, and escapes </script> in the JSON", () => {
    const data = syntheticReport(50);
    const html = renderReport(data);
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.not.match(/https?:\/\//i, "an external URL");
    expect(html).to.not.match(/\b(src|href)\s*=/i, "a src or href attribute");
    expect(html).to.contain("Chart.js v4.6.1").and.contain("Released under the MIT License");
    expect(html).to.contain("Content-Security-Policy").and.contain("default-src 'none'");
    // The hostile strings appear once as escaped text in <title>, <h1> and the params list, never raw.
    expect(html.split(HOSTILE)).to.have.length(1);
    const json = /<script type="application\/json" id="report-data">([^]*?)<\/script>/.exec(html)![1]!;
    expect(json).to.not.contain("<").and.not.contain(">");
    const parsed = JSON.parse(json) as ReportData;
    expect(parsed.title).to.equal(data.title);
    expect(parsed.summary.params.big).to.equal("1000000000000000000000000000000");
    expect(parsed.summary.policies[2]!.calmCapacity).to.equal(null);
  });

  it("formats the summary in USD, counts as integers, the pool impact as a percentage, and an infinite capacity as ∞", () => {
    const html = renderReport(syntheticReport(50));
    const row = /<tr data-policy="tiered">(.*?)<\/tr>/.exec(html)![1]!;
    const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]);
    expect(cells).to.have.length(10);
    expect(cells[3]).to.equal("2"); // bad-debt write-offs
    expect(cells[6]).to.equal("20"); // blocked increases
    expect(cells[7]).to.equal("3.70 %"); // max pool impact
    expect(cells[8]).to.equal("∞"); // calm capacity
    expect(cells[9]).to.equal("$9,800,000"); // final equity
  });
});

describe("report in headless Chromium", function () {
  let browser: Browser;

  before(async function () {
    // No skip: without Chromium this hook fails with BrowserUnavailableError, which says to install Debian's chromium.
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("draws every chart with no console or page errors and no request beyond the file itself", async () => {
    const data = syntheticReport();
    const { page, log, url } = await open(browser, data, "report.html");
    const canvases = (await page.evaluate(INSPECT_CANVASES)) as CanvasReport[];
    expect(canvases.map((c) => c.id)).to.deep.equal([
      "chart-price",
      "chart-open-interest",
      "chart-events",
      "chart-bad-debt",
      "chart-bad-debt-time",
      "chart-binding-ballast",
    ]);
    for (const c of canvases) {
      expect(c.width, c.id).to.be.greaterThan(100);
      expect(c.height, c.id).to.be.greaterThan(100);
      expect(c.differsFromBlank, `${c.id} is blank`).to.equal(true);
      expect(c.inkedPixels, c.id).to.be.greaterThan(2_000);
      expect(c.datasets, c.id).to.be.greaterThan(0);
    }
    const byId = Object.fromEntries(canvases.map((c) => [c.id, c]));
    // OI: ballast and static have a cap line, tiered does not. Events: tiered has no deleverages. Binding: 4 bounds.
    expect(byId["chart-open-interest"]!.datasets).to.equal(5);
    expect(byId["chart-events"]!.datasets).to.equal(5);
    expect(byId["chart-binding-ballast"]!.datasets).to.equal(4);
    expect(byId["chart-price"]!.points).to.equal(2_000);
    expect(log.requests, "requests").to.deep.equal([url]);
    expect(log.pageErrors, "page errors").to.deep.equal([]);
    expect(log.console, "console errors").to.deep.equal([]);
    await page.close();
  });

  it("shows one summary row per policy, and the hostile title as text without running it", async () => {
    const data = syntheticReport(300);
    const { page } = await open(browser, data, "hostile.html");
    const rows = (await page.evaluate(`[...document.querySelectorAll("#summary tbody tr")].map((r) => r.dataset.policy)`)) as string[];
    expect(rows).to.deep.equal(["ballast", "static", "tiered"]);
    expect(await page.title()).to.equal(data.title);
    expect(await page.locator("h1").textContent()).to.equal(data.title);
    expect(await page.evaluate("window.__pwned")).to.equal(undefined);
    expect(await page.evaluate(`JSON.parse(document.getElementById("report-data").textContent).summary.params.note`)).to.equal(HOSTILE);
    expect(await page.evaluate(`document.querySelectorAll("script").length`)).to.equal(4);
    await page.close();
  });

  it("handles policies without points, events, caps or binding bounds: notes instead of charts, no errors", async () => {
    const full = syntheticReport(100);
    const data: ReportData = {
      ...full,
      subtitle: undefined,
      summary: { ...full.summary, params: {} },
      series: full.series.map((s) => ({ policy: s.policy, points: [], events: [] })),
    };
    const { page, log } = await open(browser, data, "empty.html");
    const canvases = (await page.evaluate(INSPECT_CANVASES)) as CanvasReport[];
    expect(canvases.map((c) => c.id)).to.deep.equal(["chart-bad-debt"]);
    expect(canvases[0]!.differsFromBlank).to.equal(true);
    expect(await page.locator("p.empty").count()).to.equal(5);
    expect(log.console).to.deep.equal([]);
    expect(log.pageErrors).to.deep.equal([]);
    await page.close();

    // A single point per policy, one with a cap and binding bounds, no events: every chart still draws.
    const single: ReportData = {
      ...full,
      series: [
        {
          policy: "ballast",
          points: [{ t: 1_700_000_000, price: 2_000, openInterest: 1e6, cap: 2e6, badDebt: 0, binding: { depth: 2 } }],
          events: [],
        },
        { policy: "static", points: [{ t: 1_700_000_000, price: 2_000, openInterest: 1e6, badDebt: 0 }], events: [] },
      ],
    };
    const second = await open(browser, single, "single.html");
    const drawn = (await second.page.evaluate(INSPECT_CANVASES)) as CanvasReport[];
    expect(drawn.map((c) => c.chart)).to.deep.equal(["price", "open-interest", "bad-debt", "bad-debt-time", "binding"]);
    for (const c of drawn) expect(c.differsFromBlank, c.id).to.equal(true);
    expect(second.log.console).to.deep.equal([]);
    expect(second.log.pageErrors).to.deep.equal([]);
    await second.page.close();
  });

  it("screenshotReport writes a full-page PNG taller than the viewport", async () => {
    const html = path.join(dir, "shot.html");
    const png = path.join(dir, "out", "shot.png");
    await writeReport(html, syntheticReport(500));
    await screenshotReport(html, png);
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
    expect(bytes.readUInt32BE(16), "width").to.equal(1280);
    expect(bytes.readUInt32BE(20), "height").to.be.greaterThan(900);
    expect((await stat(png)).size).to.be.greaterThan(20_000);
  });

  it("without CHROMIUM_PATH launches the Chromium that npm ci installed (@sparticuz/chromium), no apt package", async () => {
    const env = { ...process.env };
    delete env.CHROMIUM_PATH;
    expect(chromiumSource(env)).to.deep.equal({ kind: "bundled" });
    const own = await launchChromium(env);
    try {
      expect(own.version()).to.match(/^\d+\./);
    } finally {
      await own.close();
    }
  });

  it("fails with a hint, never skips, when CHROMIUM_PATH names a missing Chromium", async () => {
    const env = { ...process.env, CHROMIUM_PATH: path.join(dir, "no-chromium") };
    let error: unknown;
    await launchChromium(env).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(BrowserUnavailableError);
    expect((error as Error).message)
      .to.contain("not found")
      .and.contain("no-chromium")
      .and.contain("CHROMIUM_PATH")
      .and.contain("npm ci");

    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = env.CHROMIUM_PATH;
    try {
      let shot: unknown;
      await screenshotReport(path.join(dir, "shot.html"), path.join(dir, "never.png")).catch((e: unknown) => (shot = e));
      expect(shot).to.be.instanceOf(BrowserUnavailableError);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});
