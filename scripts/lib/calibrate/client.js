// The calibration report's in-page script: plain browser JavaScript, inlined by report.ts after Chart.js. It
// reads the embedded JSON, draws every <canvas data-chart="..."> and sets <html data-report-state> to "ready"
// or "failed" (errors listed in #report-errors), as the simulation report's script does.
(() => {
  "use strict";
  const root = document.documentElement;
  const errors = [];
  const fail = (where, error) => {
    const message = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    errors.push(message);
    console.error(`ballast calibration report: ${message}`);
  };
  const finish = () => {
    const list = document.getElementById("report-errors");
    if (errors.length > 0 && list !== null) {
      for (const message of errors) list.append(Object.assign(document.createElement("li"), { textContent: message }));
      list.hidden = false;
    }
    requestAnimationFrame(() => requestAnimationFrame(() => (root.dataset.reportState = errors.length === 0 ? "ready" : "failed")));
  };
  let data;
  try {
    data = JSON.parse(document.getElementById("report-data").textContent);
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
  const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 2 });
  const pct = (v) => `${(v * 100).toFixed(2)} %`;
  const finite = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

  const builders = {
    frontier() {
      const point = (r) => ({ x: finite(r.pBadDebt), y: finite(r.capacity), key: r.key, early: r.stoppedEarly });
      return {
        type: "scatter",
        data: {
          datasets: [
            {
              label: "parameter sets tried",
              // Sets stopped before any calm path have no capacity: not drawn.
              data: data.results.filter((r) => finite(r.capacity) !== null).map(point),
              backgroundColor: "rgba(120,120,120,0.45)",
              pointRadius: 3,
            },
            {
              label: "frontier",
              type: "line",
              data: data.frontier.map(point),
              borderColor: COLORS[0],
              backgroundColor: COLORS[0],
              pointRadius: 4,
              showLine: true,
            },
            ...(data.chosen
              ? [{ label: "recommended", data: [point(data.chosen)], backgroundColor: COLORS[1], pointRadius: 9, pointStyle: "star" }]
              : []),
          ],
        },
        options: {
          parsing: false,
          scales: {
            x: { title: { display: true, text: "paths ending with bad debt" }, ticks: { callback: (v) => pct(v) } },
            y: { title: { display: true, text: "calm capacity (USD)" }, ticks: { callback: (v) => usd.format(v) } },
          },
          plugins: {
            tooltip: {
              callbacks: {
                label: (item) =>
                  `${item.raw.key}${item.raw.early ? " (stopped early)" : ""}: ${pct(item.parsed.x)}, ${usd.format(item.parsed.y)}`,
              },
            },
          },
        },
      };
    },

    gap() {
      const rows = data.gapCurve;
      return {
        type: "line",
        data: {
          labels: rows.map((r) => r.gap.toFixed(2)),
          datasets: [
            { label: "calm capacity", data: rows.map((r) => finite(r.capacity)), borderColor: COLORS[0], yAxisID: "capacity" },
            { label: "paths with bad debt", data: rows.map((r) => finite(r.pBadDebt)), borderColor: COLORS[1], yAxisID: "risk" },
          ],
        },
        options: {
          scales: {
            x: { title: { display: true, text: "gap floor of the stressed log-move" } },
            capacity: { position: "left", ticks: { callback: (v) => usd.format(v) } },
            risk: { position: "right", ticks: { callback: (v) => pct(v) }, grid: { drawOnChartArea: false } },
          },
        },
      };
    },

    paths() {
      return {
        type: "line",
        data: {
          datasets: data.breaking.map((p, i) => ({
            label: `path ${p.id} (${p.kind})`,
            data: p.prices.map((y, x) => ({ x, y: finite(y) })),
            borderColor: COLORS[i % COLORS.length],
            pointRadius: 0,
            borderWidth: 1.5,
          })),
        },
        options: {
          parsing: false,
          scales: { x: { type: "linear", title: { display: true, text: "hour" } }, y: { title: { display: true, text: "price" } } },
        },
      };
    },
  };

  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const kind = canvas.dataset.chart;
    try {
      const build = builders[kind];
      if (build === undefined) throw new Error(`unknown chart "${kind}"`);
      new Chart(canvas, build());
    } catch (error) {
      fail(`chart ${kind}`, error);
    }
  }
  finish();
})();
