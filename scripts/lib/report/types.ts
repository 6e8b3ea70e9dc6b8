/**
 * The data of a simulation report (`renderReport`). Amounts are in quote units (USD), times in unix
 * seconds. The HTML embeds this object verbatim as JSON, so a reader can extract it again.
 */

import type { Provenance } from "../provenance.js";

/** The outcome of one policy over the whole path. */
export interface PolicySummary {
  policy: string;
  badDebt: number;
  /** Liquidations that closed a position. */
  liquidations: number;
  liquidatedNotional: number;
  /**
   * Liquidations of accounts without a position: they close nothing and only write off, as bad debt, the
   * negative equity an earlier close (a deleverage or the trader's own cut, realized at a loss larger than the
   * collateral) left behind. Counted apart from liquidations.
   */
  writeOffs: number;
  deleverages: number;
  deleveragedNotional: number;
  blockedIncreases: number;
  maxPoolImpact: number;
  calmCapacity: number;
  finalEquity: number;
}

export interface Summary {
  /** The price path: its file, number of steps, first and last price, and max drawdown of the close (a fraction). */
  path: { file: string; steps: number; start: number; end: number; maxDrawdown: number };
  policies: PolicySummary[];
  seed: number;
  params: Record<string, unknown>;
  /** What produced the run (tool, commit, chain, inputs with their SHA-256, parameters): set by the tools that write it. */
  provenance?: Provenance;
}

/** The state of one policy at one step. */
export interface SeriesPoint {
  t: number;
  price: number;
  openInterest: number;
  /** Aggregate cap, for policies that have one. */
  cap?: number;
  /** Cumulative bad debt so far. */
  badDebt: number;
  /** Bound name -> number of positions bound by it, for policies that report it. */
  binding?: Record<string, number>;
}

export interface PolicyEvent {
  t: number;
  kind: "liquidation" | "deleverage";
  notional: number;
  account?: string;
}

export interface PolicySeries {
  policy: string;
  points: SeriesPoint[];
  events: PolicyEvent[];
}

export interface ReportData {
  title: string;
  subtitle?: string;
  summary: Summary;
  series: PolicySeries[];
}
