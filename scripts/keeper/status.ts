/** Account statuses as the lens (`statusBatch`) and the status preview (`StatusPreviewed`) report them. */
import { lensInterface } from "./abi.js";
import type { AccountStatus } from "./types.js";

/** One entry of `statusBatch` (or of `StatusPreviewed`) as ethers decodes it. */
export interface StatusEntry {
  account: string;
  ok: boolean;
  status: {
    status: bigint;
    equity: bigint;
    requirement: bigint;
    buffer: bigint;
    freeEquity: bigint;
    worst: {
      market: bigint;
      size: bigint;
      price: bigint;
      source: bigint;
      notional: bigint;
      cap: bigint;
      binding: bigint;
      deleverageNotional: bigint;
    };
    ratio: bigint;
  };
  reason: string;
}

export function toAccountStatus(e: StatusEntry): AccountStatus {
  return {
    account: e.account,
    ok: e.ok,
    status: Number(e.status.status),
    equity: e.status.equity,
    requirement: e.status.requirement,
    buffer: e.status.buffer,
    freeEquity: e.status.freeEquity,
    worst: {
      market: e.status.worst.market,
      size: e.status.worst.size,
      price: e.status.worst.price,
      source: Number(e.status.worst.source),
      notional: e.status.worst.notional,
      cap: e.status.worst.cap,
      binding: Number(e.status.worst.binding),
      deleverageNotional: e.status.worst.deleverageNotional,
    },
    ratio: e.status.ratio,
    reason: e.reason,
  };
}

/** Decodes the return data of `statusBatch`. */
export function decodeStatusBatch(data: string): AccountStatus[] {
  const [entries] = lensInterface.decodeFunctionResult("statusBatch", data) as unknown as [StatusEntry[]];
  return entries.map(toAccountStatus);
}
