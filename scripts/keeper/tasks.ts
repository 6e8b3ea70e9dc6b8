/**
 * The keeper is a set of tasks behind one small interface: each learns the markets the keeper finds, and
 * acts on each block by adding the transactions it wants to the block's batch. The loop (`keeper.ts`)
 * runs them in order (poke, deleverage, depth upkeep, hedge) on one block and submits the batch at once:
 * the transaction manager sends it in that order at consecutive nonces, so a deleverage that depends on a
 * poke (`after`) is mined right behind it, in the same block.
 */
import type { SyncResult } from "./discovery.js";
import type { TxJob, TxOutcome } from "./txManager.js";

/** A transaction a task wants sent, and what to do with its outcome. */
export interface Planned {
  job: TxJob;
  onOutcome(outcome: TxOutcome): void;
}

/** One block, as the tasks see it; tasks earlier in the order fill `pendingFeeds` and `prerequisites`. */
export interface BlockContext {
  /** The block every read is made at. */
  number: number;
  /** The chain's head when the block was taken. */
  head: number;
  /** What discovery read up to this block. */
  sync: SyncResult;
  /** Feeds whose volatility poke is in this batch: later tasks read and simulate as if it were mined. */
  pendingFeeds: string[];
  /** Keys of this batch's jobs that later jobs must follow (the pokes). */
  prerequisites: string[];
  /** The transactions to send for this block, in order. */
  batch: Planned[];
}

export interface KeeperTask {
  readonly name: string;
  /** Markets the keeper did not know yet (from the engine's logs, or the checkpoint at start). */
  learnMarkets(markets: readonly bigint[]): Promise<void> | void;
  /** Reads at `block.number` and adds the task's transactions to `block.batch`. */
  run(block: BlockContext): Promise<void>;
}

export function blockContext(number: number, head: number, sync: SyncResult): BlockContext {
  return { number, head, sync, pendingFeeds: [], prerequisites: [], batch: [] };
}
