/**
 * Account discovery: every account that ever had a `PositionChanged` on the engine, from `startBlock`,
 * kept current block by block, across reorganizations. Accounts are only ever added.
 *
 * - Far behind the head (more than `reorgHistory` blocks), logs are read in block ranges of at most
 *   `logChunkBlocks`; a range the node refuses as too large is halved and retried, and the range grows back
 *   (doubling) after successes.
 * - Near the head, the headers of the new blocks are read first; their parent hashes must chain onto the
 *   hash kept for the previous block, and every log read must carry the hash of the header of its block
 *   (else the chain moved during the read, and the step is redone).
 * - Reorg: when a new block's parent hash differs from the hash kept for its parent, the keeper walks back
 *   through the kept hashes to the last block still on the canonical chain, rewinds `safeDepth` more blocks,
 *   and re-reads the logs from there. An account seen on the abandoned branch stays tracked (harmless: its
 *   status is simply healthy or empty).
 */
import { dataSlice, getAddress, type Log, type Provider } from "ethers";

import { POSITION_CHANGED_TOPIC } from "./abi.js";
import { mapLimit } from "./chunks.js";
import { describeError, FatalError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import { isRangeTooLarge, type Rpc } from "./rpc.js";

export interface DiscoveryOptions {
  engine: string;
  startBlock: number;
  logChunkBlocks: number;
  reorgHistory: number;
  safeDepth: number;
  /** Header reads in flight when following the head. */
  concurrency: number;
  /** Read every engine log (not only `PositionChanged`) and report the addresses they name in `touched`. */
  allLogs?: boolean;
}

export interface SyncResult {
  /** Accounts seen for the first time, in order. */
  added: string[];
  /** Addresses named by an indexed topic of an engine log in the blocks read (with `allLogs`; else only
   * `PositionChanged` accounts): their snapshots may have changed. */
  touched: Set<string>;
  /** Markets seen for the first time. */
  newMarkets: bigint[];
  reorged: boolean;
}

interface Header {
  number: number;
  hash: string;
  parentHash: string;
}

/** Sparse block hashes kept beyond the dense window. */
const SPARSE_HASHES = 64;

/** The chain moved while a step read it: redo the step. */
class ChainMoved extends Error {}

/** The node refused a block range as too large. */
class RangeRefused extends FatalError {
  constructor(cause: unknown) {
    super(`range refused: ${describeError(cause)}`, { cause });
  }
}

export class AccountDiscovery {
  private readonly accountSet = new Set<string>();
  readonly accounts: string[] = [];
  /** Markets seen in `PositionChanged` (or restored from the checkpoint), in discovery order. */
  readonly markets = new Set<bigint>();
  private readonly hashes = new Map<number, string>();
  /** Sparse hashes further back (every `reorgHistory`-th block and the end of each far range), to find deep fork points. */
  private readonly sparse = new Map<number, string>();
  private chunk: number;
  lastBlock: number;
  lastBlockHash = "";
  /** When a block was last read (progress of a long catch-up). */
  lastProgressAt = Date.now();

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly options: DiscoveryOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {
    this.chunk = options.logChunkBlocks;
    this.lastBlock = options.startBlock - 1;
  }

  /**
   * Resumes from a checkpoint: its accounts, markets and last block (checked to be still canonical). A
   * checkpoint without markets (version 1) is resumed from `startBlock`: its accounts are kept, and the logs
   * are read again once to learn the markets.
   */
  async restore(checkpoint: {
    lastBlock: number;
    lastBlockHash: string;
    accounts: readonly string[];
    markets?: readonly bigint[];
  }): Promise<void> {
    for (const account of checkpoint.accounts) this.add(account);
    if (checkpoint.markets === undefined) {
      this.logger.warn(
        { checkpointBlock: checkpoint.lastBlock, startBlock: this.options.startBlock },
        "checkpoint without markets (version 1): re-reading the logs from startBlock once to learn them",
      );
      return;
    }
    for (const market of checkpoint.markets) this.markets.add(market);
    this.lastBlock = checkpoint.lastBlock;
    this.lastBlockHash = checkpoint.lastBlockHash;
    this.hashes.clear();
    this.hashes.set(checkpoint.lastBlock, checkpoint.lastBlockHash);
    const header = await this.header(checkpoint.lastBlock).catch(() => undefined);
    if (header === undefined || header.hash !== checkpoint.lastBlockHash) {
      // The checkpoint's block is gone (a reorg while the keeper was down, or a node without it): the
      // fork point is unknown, so re-read a whole history window below it.
      const rewind = Math.max(this.options.startBlock - 1, checkpoint.lastBlock - this.options.reorgHistory - this.options.safeDepth);
      this.logger.warn(
        { block: checkpoint.lastBlock, expected: checkpoint.lastBlockHash, found: header?.hash, rewindTo: rewind },
        "checkpoint block is not canonical; re-reading logs below it",
      );
      this.metrics.reorgs.inc();
      await this.rewindTo(rewind);
    }
  }

  /**
   * Reads the last `blocks` blocks again (after the keeper switched to another RPC endpoint, which may
   * disagree near the head).
   */
  async rewind(blocks: number): Promise<void> {
    if (this.lastBlock < this.options.startBlock) return;
    await this.rewindTo(Math.max(this.options.startBlock - 1, this.lastBlock - blocks));
  }

  get accountCount(): number {
    return this.accounts.length;
  }

  has(account: string): boolean {
    return this.accountSet.has(account);
  }

  /** Reads every block up to `head`. */
  async syncTo(head: number): Promise<SyncResult> {
    const result: SyncResult = { added: [], touched: new Set(), newMarkets: [], reorged: false };
    let redo = 0;
    while (this.lastBlock < head) {
      try {
        if (head - this.lastBlock > this.options.reorgHistory) await this.readFar(head, result);
        else await this.readNear(head, result);
        redo = 0;
      } catch (error) {
        if (!(error instanceof ChainMoved)) throw error;
        if (++redo > 5) throw new Error(`the chain kept moving while reading blocks ${this.lastBlock + 1}..${head}`);
        this.logger.debug({ error: error.message }, "chain moved during a read; redoing the step");
      }
    }
    return result;
  }

  /** Far from the head: one range of logs, then the hash of its last block. */
  private async readFar(head: number, result: SyncResult): Promise<void> {
    const from = this.lastBlock + 1;
    const to = Math.min(from + this.chunk - 1, head - this.options.reorgHistory);
    const logs = await this.logsInRange(from, to);
    const end = await this.header(to);
    this.absorb(logs, result);
    this.hashes.clear();
    this.advance(end);
    this.remember(end);
  }

  /** Near the head: headers of every new block, a parent-hash check, then the logs, checked against them. */
  private async readNear(head: number, result: SyncResult): Promise<void> {
    const from = this.lastBlock + 1;
    const to = Math.min(head, from + this.chunk - 1);
    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const headers = await mapLimit(numbers, this.options.concurrency, (n) => this.header(n));
    const parent = this.hashes.get(from - 1);
    if (parent !== undefined && headers[0]!.parentHash !== parent) {
      await this.handleReorg(from - 1);
      result.reorged = true;
      return;
    }
    for (let i = 1; i < headers.length; i++) {
      if (headers[i]!.parentHash !== headers[i - 1]!.hash)
        throw new ChainMoved(`block ${headers[i]!.number} does not chain onto ${headers[i - 1]!.number}`);
    }
    const logs = await this.logsInRange(from, to);
    for (const log of logs) {
      const header = headers[log.blockNumber - from];
      if (header === undefined || log.blockHash !== header.hash)
        throw new ChainMoved(`log of block ${log.blockNumber} has another block hash`);
    }
    this.absorb(logs, result);
    for (const header of headers) {
      this.advance(header);
      if (header.number % this.options.reorgHistory === 0) this.remember(header);
    }
    this.prune();
  }

  private remember(header: Header): void {
    this.sparse.set(header.number, header.hash);
    if (this.sparse.size > SPARSE_HASHES) this.sparse.delete(Math.min(...this.sparse.keys()));
  }

  /**
   * The block `mismatch` (a block we kept a hash for) is no longer canonical: find the fork point among
   * the kept hashes, rewind `safeDepth` below it.
   */
  private async handleReorg(mismatch: number): Promise<void> {
    this.metrics.reorgs.inc();
    const dense = [...this.hashes.keys()].filter((n) => n <= mismatch).sort((a, b) => b - a);
    const sparse = [...this.sparse.keys()].filter((n) => n <= mismatch && !this.hashes.has(n)).sort((a, b) => b - a);
    let fork: number | undefined;
    for (const n of [...dense, ...sparse]) {
      const header = await this.header(n);
      if (header.hash === (this.hashes.get(n) ?? this.sparse.get(n))) {
        fork = n;
        break;
      }
    }
    for (const n of [...this.sparse.keys()]) if (fork === undefined || n > fork) this.sparse.delete(n);
    // No kept hash is canonical any more: the fork point is unknown, so re-read everything (rare, safe).
    const rewind = fork === undefined ? this.options.startBlock - 1 : Math.max(this.options.startBlock - 1, fork - this.options.safeDepth);
    if (fork === undefined) {
      this.logger.error({ mismatch, rewindTo: rewind }, "reorg deeper than every kept block hash; re-reading all logs from startBlock");
    } else {
      this.logger.warn({ forkPoint: fork, depth: mismatch - fork, rewindTo: rewind }, "reorg detected; re-reading logs");
    }
    await this.rewindTo(rewind);
  }

  private async rewindTo(block: number): Promise<void> {
    for (const n of [...this.hashes.keys()]) if (n > block) this.hashes.delete(n);
    this.lastBlock = block;
    if (block >= this.options.startBlock && block >= 0) {
      const header = await this.header(block);
      this.hashes.set(block, header.hash);
      this.lastBlockHash = header.hash;
    } else {
      this.lastBlockHash = "";
    }
  }

  private advance(header: Header): void {
    this.lastProgressAt = Date.now();
    this.hashes.set(header.number, header.hash);
    this.lastBlock = header.number;
    this.lastBlockHash = header.hash;
  }

  private prune(): void {
    const floor = this.lastBlock - this.options.reorgHistory;
    for (const n of this.hashes.keys()) if (n < floor) this.hashes.delete(n);
  }

  private absorb(logs: readonly Log[], result: SyncResult): void {
    for (const log of logs) {
      for (const topic of log.topics.slice(1)) {
        if (/^0x0{24}[0-9a-fA-F]{40}$/.test(topic)) result.touched.add(getAddress(dataSlice(topic, 12)));
      }
      if (log.topics[0] !== POSITION_CHANGED_TOPIC || log.topics.length < 3) continue;
      const account = getAddress(dataSlice(log.topics[1]!, 12));
      const market = BigInt(log.topics[2]!);
      if (this.add(account)) result.added.push(account);
      if (!this.markets.has(market)) {
        this.markets.add(market);
        result.newMarkets.push(market);
      }
    }
  }

  /** Adds an account; true when it is new. */
  add(account: string): boolean {
    const address = getAddress(account);
    if (this.accountSet.has(address)) return false;
    this.accountSet.add(address);
    this.accounts.push(address);
    return true;
  }

  private async header(n: number): Promise<Header> {
    const block = await this.rpc.call("eth_getBlockByNumber", () => this.provider.getBlock(n));
    if (block === null || block.hash === null) throw new ChainMoved(`block ${n} is not available yet`);
    return { number: block.number, hash: block.hash, parentHash: block.parentHash };
  }

  /** `PositionChanged` logs of `[from, to]`, in ranges the node accepts. */
  private async logsInRange(from: number, to: number): Promise<Log[]> {
    const logs: Log[] = [];
    let start = from;
    while (start <= to) {
      const end = Math.min(to, start + this.chunk - 1);
      try {
        const part = await this.rpc.call("eth_getLogs", async () => {
          try {
            return await this.provider.getLogs({
              address: this.options.engine,
              ...(this.options.allLogs === true ? {} : { topics: [POSITION_CHANGED_TOPIC] }),
              fromBlock: start,
              toBlock: end,
            });
          } catch (error) {
            // A refused range is not retried as is: it is halved below.
            if (end > start && isRangeTooLarge(error)) throw new RangeRefused(error);
            throw error;
          }
        });
        logs.push(...part);
        start = end + 1;
        if (this.chunk < this.options.logChunkBlocks) this.chunk = Math.min(this.options.logChunkBlocks, this.chunk * 2);
      } catch (error) {
        if (end === start) throw error;
        // A range refused (too large, too many results) or failing: halve it and go on.
        this.chunk = Math.max(1, Math.floor((end - start + 1) / 2));
        this.logger[error instanceof RangeRefused ? "info" : "warn"](
          { from: start, to: end, next: this.chunk, error: describeError(error) },
          "eth_getLogs range refused or failed; shrinking it",
        );
      }
    }
    return logs;
  }
}
