import type { Summary } from "../report/types.js";

const usd = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
const price = (v: number) => v.toLocaleString("en-US", { maximumSignificantDigits: 6 });

/** A fixed-width table of a simulation summary, one row per policy, for the terminal. */
export function formatSummaryTable(summary: Summary): string {
  const header = [
    "policy",
    "bad debt",
    "liquidations",
    "liq. notional",
    "write-offs",
    "deleverages",
    "delev. notional",
    "blocked",
    "max impact",
    "calm capacity",
    "final equity",
  ];
  const rows = summary.policies.map((p) => [
    p.policy,
    usd(p.badDebt),
    String(p.liquidations),
    usd(p.liquidatedNotional),
    String(p.writeOffs),
    String(p.deleverages),
    usd(p.deleveragedNotional),
    String(p.blockedIncreases),
    `${(p.maxPoolImpact * 100).toFixed(2)} %`,
    usd(p.calmCapacity),
    usd(p.finalEquity),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const { path } = summary;
  return [
    `${path.file}: ${path.steps} steps, ${price(path.start)} -> ${price(path.end)}, max drawdown ${(path.maxDrawdown * 100).toFixed(1)} % (seed ${summary.seed}; USD)`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}
