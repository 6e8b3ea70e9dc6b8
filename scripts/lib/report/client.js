// The report's in-page script: plain browser JavaScript, inlined by render.ts after Chart.js. It reads the
// embedded JSON, draws every <canvas data-chart="..."> the document declares, and sets
// <html data-report-state> to "ready" (every chart drawn) or "failed" (errors listed in #report-errors and
// logged with console.error), which screenshotReport and the browser test wait for.
(() => {
  "use strict";
  const root = document.documentElement;
  const errors = [];
  const fail = (where, error) => {
    const message = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    errors.push(message);
    console.error(`ballast report: ${message}`);
  };
  const finish = () => {
    const list = document.getElementById("report-errors");
    if (errors.length > 0 && list !== null) {
      for (const message of errors) list.append(Object.assign(document.createElement("li"), { textContent: message }));
      list.hidden = false;
    }
    // Two frames: the charts are drawn (animation is off) and painted before anyone is told so.
    requestAnimationFrame(() => requestAnimationFrame(() => (root.dataset.reportState = errors.length === 0 ? "ready" : "failed")));
  };

  let data;
  let config;
  try {
    data = JSON.parse(document.getElementById("report-data").textContent);
    config = JSON.parse(document.getElementById("report-config").textContent);
  } catch (error) {
    fail("embedded data", error);
    return finish();
  }
  if (typeof Chart === "undefined") {
    fail("Chart.js", new Error("not loaded"));
    return finish();
  }

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', sans-serif";

  const series = (data.series ?? []).map((s) => ({ ...s, points: s.points ?? [], events: s.events ?? [] }));
  const finite = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const withAlpha = (hex, alpha) => {
    const n = Number.parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  };
  const colorOf = (policy) => config.colors[policy] ?? "#555555";

  let xMin = Infinity;
  let xMax = -Infinity;
  for (const s of series) {
    for (const item of [...s.points, ...s.events]) {
      if (Number.isFinite(item.t)) {
        xMin = Math.min(xMin, item.t);
        xMax = Math.max(xMax, item.t);
      }
    }
  }
  const span = xMax - xMin;
  const iso = (t) => new Date(t * 1000).toISOString();
  const tickTime = (t) => (span < 3 * 86_400 ? iso(t).slice(5, 16).replace("T", " ") : iso(t).slice(0, 10));
  const fullTime = (t) => `${iso(t).slice(0, 19).replace("T", " ")} UTC`;
  const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 2 });
  const usdFull = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const price = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

  const timeScale = () => ({
    type: "linear",
    min: Number.isFinite(xMin) ? xMin : undefined,
    max: Number.isFinite(xMax) && xMax > xMin ? xMax : undefined,
    ticks: { callback: (v) => tickTime(v), maxRotation: 0, autoSkipPadding: 24 },
  });
  const usdScale = (extra = {}) => ({ ...extra, ticks: { callback: (v) => usd.format(v) } });
  const timeTooltip = (label) => ({
    callbacks: { title: (items) => (items.length > 0 ? fullTime(items[0].parsed.x) : ""), ...(label ? { label } : {}) },
  });
  const line = { pointRadius: 0, pointHitRadius: 4, borderWidth: 1.5, spanGaps: false };
  // Min-max decimation keeps every spike of a long path while drawing at most a few points per pixel.
  const decimation = { enabled: true, algorithm: "min-max" };
  const timeOptions = (y, tooltip) => ({
    parsing: false,
    normalized: true,
    interaction: { mode: "nearest", axis: "x", intersect: false },
    scales: { x: timeScale(), y },
    plugins: { decimation, tooltip: tooltip ?? timeTooltip() },
  });
  /** Every k-th point, and the last, so that at most `max` points remain (for charts decimation cannot serve). */
  const thin = (points, max) => {
    const stride = Math.max(1, Math.ceil(points.length / max));
    return stride === 1 ? points : points.filter((_, i) => i % stride === 0 || i === points.length - 1);
  };

  const builders = {
    price() {
      const source = series.find((s) => s.points.length > 0);
      return {
        type: "line",
        data: {
          datasets: [{ label: "price", data: source.points.map((p) => ({ x: p.t, y: finite(p.price) })), borderColor: "#222222", ...line }],
        },
        options: {
          ...timeOptions({ ticks: { callback: (v) => price.format(v) } }),
          plugins: { decimation, legend: { display: false }, tooltip: timeTooltip() },
        },
      };
    },

    "open-interest"() {
      const datasets = [];
      for (const s of series) {
        if (s.points.length === 0) continue;
        datasets.push({
          label: `${s.policy} open interest`,
          data: s.points.map((p) => ({ x: p.t, y: finite(p.openInterest) })),
          borderColor: colorOf(s.policy),
          backgroundColor: colorOf(s.policy),
          ...line,
        });
        if (s.points.some((p) => finite(p.cap) !== null)) {
          datasets.push({
            label: `${s.policy} cap`,
            data: s.points.map((p) => ({ x: p.t, y: finite(p.cap) })),
            borderColor: colorOf(s.policy),
            backgroundColor: withAlpha(colorOf(s.policy), 0.25),
            borderDash: [6, 4],
            ...line,
            borderWidth: 1,
          });
        }
      }
      return { type: "line", data: { datasets }, options: timeOptions(usdScale({ beginAtZero: true })) };
    },

    events() {
      const datasets = [];
      for (const s of series) {
        for (const kind of ["liquidation", "deleverage"]) {
          const events = s.events.filter((e) => e.kind === kind);
          if (events.length === 0) continue;
          datasets.push({
            label: `${s.policy} ${kind}s`,
            data: events.map((e) => ({ x: e.t, y: finite(e.notional), account: e.account })),
            pointStyle: kind === "liquidation" ? "crossRot" : "triangle",
            pointRadius: kind === "liquidation" ? 6 : 4,
            borderWidth: kind === "liquidation" ? 2 : 1,
            borderColor: colorOf(s.policy),
            backgroundColor: withAlpha(colorOf(s.policy), 0.35),
          });
        }
      }
      const label = (item) => {
        const who = item.raw.account ? ` ${item.raw.account}` : "";
        return `${item.dataset.label}${who}: ${usdFull.format(item.parsed.y)}`;
      };
      return {
        type: "scatter",
        data: { datasets },
        options: {
          parsing: false,
          scales: { x: timeScale(), y: usdScale({ beginAtZero: true, title: { display: true, text: "notional" } }) },
          plugins: { tooltip: timeTooltip(label) },
        },
      };
    },

    "bad-debt"() {
      const policies = data.summary.policies;
      return {
        type: "bar",
        data: {
          labels: policies.map((p) => p.policy),
          datasets: [
            {
              label: "bad debt",
              data: policies.map((p) => finite(p.badDebt)),
              backgroundColor: policies.map((p) => withAlpha(colorOf(p.policy), 0.7)),
              borderColor: policies.map((p) => colorOf(p.policy)),
              borderWidth: 1,
              minBarLength: 2,
            },
          ],
        },
        options: {
          scales: { y: usdScale({ beginAtZero: true }) },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => usdFull.format(item.parsed.y) } } },
        },
      };
    },

    "bad-debt-time"() {
      const datasets = series
        .filter((s) => s.points.length > 0)
        .map((s) => ({
          label: s.policy,
          data: s.points.map((p) => ({ x: p.t, y: finite(p.badDebt) })),
          borderColor: colorOf(s.policy),
          backgroundColor: colorOf(s.policy),
          stepped: true,
          ...line,
        }));
      return { type: "line", data: { datasets }, options: timeOptions(usdScale({ beginAtZero: true })) };
    },

    binding(canvas) {
      const s = series.find((x) => x.policy === canvas.dataset.policy);
      const points = thin(
        s.points.filter((p) => Number.isFinite(p.t)),
        2_000,
      );
      const seen = new Set(points.flatMap((p) => Object.keys(p.binding ?? {})));
      const rank = (name) => {
        const i = config.boundOrder.indexOf(name);
        return i < 0 ? config.boundOrder.length : i;
      };
      const names = [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
      const totals = points.map((p) => Object.values(p.binding ?? {}).reduce((sum, n) => sum + (finite(n) ?? 0), 0));
      const datasets = names.map((name, k) => {
        const color = config.boundColors[name] ?? config.extraColors[k % config.extraColors.length];
        return {
          label: name,
          data: points.map((p, i) => {
            const n = finite(p.binding?.[name]) ?? 0;
            return { x: p.t, y: totals[i] > 0 ? (100 * n) / totals[i] : 0, n };
          }),
          borderColor: color,
          backgroundColor: withAlpha(color, 0.55),
          fill: k === 0 ? "origin" : "-1",
          stepped: true,
          ...line,
          borderWidth: 1,
        };
      });
      const label = (item) => `${item.dataset.label}: ${item.raw.n} positions (${item.parsed.y.toFixed(1)} %)`;
      return {
        type: "line",
        data: { datasets },
        options: {
          parsing: false,
          normalized: true,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: timeScale(),
            y: {
              stacked: true,
              min: 0,
              max: 100,
              ticks: { callback: (v) => `${v} %` },
              title: { display: true, text: "share of positions" },
            },
          },
          plugins: { tooltip: timeTooltip(label) },
        },
      };
    },
  };

  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    try {
      const build = builders[canvas.dataset.chart];
      if (build === undefined) throw new Error(`unknown chart kind "${canvas.dataset.chart}"`);
      new Chart(canvas, build(canvas));
    } catch (error) {
      fail(`chart ${canvas.id}`, error);
    }
  }
  finish();
})();
