/**
 * The keeper's health (`/health`): 503 when it cannot follow the chain, 200 otherwise, with a status that
 * says what needs attention.
 *
 * - `stale` (503): the head could not be read for `healthMaxAgeSeconds`, or the chain has a newer head
 *   than the last block processed and no block was processed for `healthMaxAgeSeconds`. A chain that simply
 *   makes no new blocks (an idle dev chain, automine) is not stale: the keeper has processed its head.
 * - `syncing` (200): a first catch-up still reading logs.
 * - `degraded` (200): the keeper follows the chain, but accounts cannot be evaluated (oracle) or its
 *   balance is below `minBalance`.
 * - `stopping` (503), `ok` (200).
 */
import type { HealthReport } from "./metrics.js";

export interface HealthInputs {
  now: number;
  stopping: boolean;
  maxAgeSeconds: number;
  firstTickDone: boolean;
  /** When discovery last read a block (a first catch-up's progress). */
  lastProgressAt: number;
  /** When a block was last processed. */
  lastProcessedAt: number;
  /** When the head was last read. */
  lastHeadAt: number;
  processed: number;
  head: number;
  accounts: number;
  owned: number;
  inFlight: number;
  unevaluable: number;
  balanceLow: boolean;
  balance: string | undefined;
}

export function healthReport(i: HealthInputs): HealthReport {
  const age = (i.now - i.lastProcessedAt) / 1000;
  const headAge = (i.now - i.lastHeadAt) / 1000;
  const syncing = !i.firstTickDone && (i.now - i.lastProgressAt) / 1000 <= i.maxAgeSeconds;
  const behind = i.head > i.processed && age > i.maxAgeSeconds;
  const blind = headAge > i.maxAgeSeconds && age > i.maxAgeSeconds;
  const following = i.firstTickDone ? !behind && !blind : syncing;
  const ok = !i.stopping && following;
  const status = i.stopping
    ? "stopping"
    : !ok
      ? "stale"
      : !i.firstTickDone
        ? "syncing"
        : i.unevaluable > 0 || i.balanceLow
          ? "degraded"
          : "ok";
  return {
    ok,
    body: {
      status,
      lastBlock: i.processed,
      head: i.head,
      lag: Math.max(0, i.head - i.processed),
      secondsSinceLastBlock: Math.round(age * 10) / 10,
      secondsSinceHeadRead: Math.round(headAge * 10) / 10,
      accounts: i.accounts,
      owned: i.owned,
      inFlight: i.inFlight,
      unevaluable: i.unevaluable,
      ...(i.balance === undefined ? {} : { balance: i.balance, balanceLow: i.balanceLow }),
    },
  };
}
