/**
 * Hedge mode's opt-ins: the accounts that approved this keeper as their hedger, from the engine's
 * `HedgerApproved(account, hedger, approved)` logs filtered by the keeper's address (the latest log of an
 * account wins; a revoke removes it). Reorg-safe without a checkpoint: logs at least `safeDepth` blocks
 * deep are folded into the settled set once; the newer ones are read again at every sync and applied on
 * top, so a log that a reorganization removes stops counting at the next sync. The set is rebuilt from
 * `startBlock` when the keeper starts (one filtered query per range).
 */
import { getAddress, type Log, type Provider, zeroPadValue } from "ethers";

import { engineInterface, HEDGER_APPROVED_TOPIC } from "./abi.js";
import { blockRanges } from "./chunks.js";
import type { Rpc } from "./rpc.js";

export interface OptInOptions {
  engine: string;
  /** The keeper's address: only approvals of it count. */
  hedger: string;
  startBlock: number;
  safeDepth: number;
  logChunkBlocks: number;
}

export class OptIns {
  private readonly settled = new Map<string, boolean>();
  /** Last block folded into `settled`. */
  private settledTo: number;
  private current = new Set<string>();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly options: OptInOptions,
  ) {
    this.settledTo = options.startBlock - 1;
  }

  /** Brings the set up to `head`. */
  async syncTo(head: number): Promise<void> {
    const safe = head - this.options.safeDepth;
    if (safe > this.settledTo) {
      for (const log of await this.logs(this.settledTo + 1, safe)) this.apply(this.settled, log);
      this.settledTo = safe;
    }
    const view = new Map(this.settled);
    if (head > this.settledTo) for (const log of await this.logs(this.settledTo + 1, head)) this.apply(view, log);
    this.current = new Set([...view].filter(([, approved]) => approved).map(([account]) => account));
  }

  /** The accounts that approve the keeper now (at the last sync), in a stable order. */
  accounts(): string[] {
    return [...this.current].sort();
  }

  private apply(state: Map<string, boolean>, log: Log): void {
    const parsed = engineInterface.parseLog(log);
    if (parsed === null) return;
    state.set(getAddress(parsed.args.account as string), parsed.args.approved as boolean);
  }

  /** `HedgerApproved` logs of the keeper in `[from, to]`, in block and log order. */
  private async logs(from: number, to: number): Promise<Log[]> {
    const out: Log[] = [];
    for (const [start, end] of blockRanges(from, to, this.options.logChunkBlocks)) {
      const part = await this.rpc.call("eth_getLogs", () =>
        this.provider.getLogs({
          address: this.options.engine,
          topics: [HEDGER_APPROVED_TOPIC, null, zeroPadValue(this.options.hedger, 32)],
          fromBlock: start,
          toBlock: end,
        }),
      );
      out.push(...part);
    }
    return out.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  }
}
