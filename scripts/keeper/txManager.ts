/**
 * Transactions, safely. Every job (a deleverage, a poke) is keyed; while a key is in flight no second job
 * with that key starts. A job owns one nonce at a time and every (re)send of it uses that nonce, so at most
 * one of its transactions can ever be mined. Its lifecycle:
 *
 * 1. simulate with `eth_call`; a revert is mapped by the job to drop / wait / fail (nothing is sent);
 * 2. estimate gas; price with EIP-1559 fees under the configured caps;
 * 3. take the next local nonce and broadcast, both under one lock (nonces are handed out in the order
 *    jobs are sent, with no gaps). "nonce too low" (another sender used the key) resynchronizes the local
 *    nonce from the node's `pending` count, re-simulates and sends again with a fresh nonce; an ambiguous
 *    failure (timeout, dropped connection) keeps the nonce: the transaction may be in the mempool;
 * 4. track: once the account's mined nonce passes ours, find which of our transactions was mined and wait
 *    for `confirmations`; if none of ours was (the nonce was taken by someone else), re-simulate and send
 *    again; while pending longer than `stuckAfter`, re-simulate and replace it at the same nonce with fees
 *    bumped by `bumpPercent` (>= 12.5 %), up to `maxReplacements` and the fee cap; if the re-simulation
 *    says there is nothing left to do, replace it with a zero-value self-transfer (a cancel), so the nonce
 *    never becomes a gap.
 *
 * A job may depend on jobs before it in the same batch (`after`): it is sent right behind them, at the next
 * nonces, without waiting for them to be mined (a block executes one sender's transactions in nonce order),
 * and not at all if one of them was not sent. Such a job is simulated through a deployless `preview` that
 * reproduces the state its prerequisites create (docs/KEEPER.md, "Reaction"). A `gate` may skip a job after
 * its simulation (the profitability check).
 *
 * Dry-run stops after step 1 (and the gate) and reports what would be sent.
 */
import {
  isError,
  keccak256,
  type Interface,
  type Provider,
  type Signer,
  type TransactionReceipt,
  Transaction,
  type TransactionRequest,
} from "ethers";

import { Semaphore } from "./chunks.js";
import { AbortedError, describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import { classifyRpcError, revertData, rootCause, type Rpc } from "./rpc.js";
import { sleep } from "./retry.js";

/** A decoded revert of a simulation. */
export interface DecodedRevert {
  name: string;
  args: Record<string, unknown>;
  data: string;
}

/** What to do about a simulation that reverted. */
export type RevertAction = "drop" | "wait" | "skip" | "fail";

/** What a deployless preview reported: success with the gas of the call (and a value, e.g. a fee), or the call's revert data. */
export type PreviewVerdict = { ok: true; gasUsed: bigint; value?: bigint } | { ok: false; revertData: string };

/** A simulation that succeeded: the gas the transaction needs (without the margin), and what the preview reported. */
export interface Estimate {
  gas: bigint;
  /** The gas price the transaction is expected to pay (base fee plus tip, under the cap), wei. */
  gasPrice: bigint;
  /** The preview's value (the deleverage's keeper fee), when the job has a preview. */
  value: bigint | undefined;
}

/** Gas a transaction needs beyond what a preview measured inside its constructor (intrinsic gas, calldata, and the
 * storage the preview had already warmed). */
export const PREVIEW_GAS_OVERHEAD = 60_000n;

export interface TxJob {
  /** In-flight key: at most one job per key at a time. */
  key: string;
  kind: "deleverage" | "poke" | "hedge" | "refresh";
  to: string;
  data: string;
  /** Decodes the revert data of a simulation. */
  errors: Interface;
  /** Maps a decoded revert (undefined: undecodable) to an action. */
  onRevert: (revert: DecodedRevert | undefined) => RevertAction;
  /** Extra fields of every log line about this job. */
  context: Record<string, unknown>;
  /** Confirmations before the outcome is final (default: the manager's). */
  confirmations?: number;
  /** Simulate with this deployless call (creation code and arguments; it always reverts) instead of calling `to`. */
  preview?: { data: string; decode: (revertData: string) => PreviewVerdict | undefined };
  /** Keys of earlier jobs of the same batch that must be sent before this one (else it is not sent). */
  after?: readonly string[];
  /** The block whose state decided the job (and its `after` jobs); "latest" when not given. */
  evaluatedAt?: number;
  /** Decides after a successful simulation: an outcome skips the job (e.g. `unprofitable`). */
  gate?: (estimate: Estimate) => TxOutcome | undefined;
}

export type TxOutcome =
  | { status: "confirmed"; hash: string; nonce: number; receipt: TransactionReceipt; replacements: number }
  /** Mined but short of its confirmations when the keeper stopped (or finished `--once`). */
  | { status: "mined"; hash: string; nonce: number; receipt: TransactionReceipt; confirmations: number }
  | { status: "unprofitable"; reason: string; fee: bigint; cost: bigint }
  | { status: "reverted"; hash: string; nonce: number; receipt: TransactionReceipt }
  | { status: "cancelled"; nonce: number; reason: string }
  | { status: "dropped"; reason: string; revert?: DecodedRevert }
  | { status: "waiting"; reason: string; revert?: DecodedRevert }
  | { status: "failed"; reason: string; revert?: DecodedRevert; error?: string }
  | { status: "retry-later"; reason: string }
  | { status: "dry-run"; gas: bigint; fees: Fees | undefined }
  | { status: "skipped"; reason: "in-flight" | "stopping" | "fee-cap" }
  | { status: "abandoned"; nonce: number; hashes: string[] };

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface TxManagerOptions {
  chainId: bigint;
  maxFeePerGas: bigint;
  priorityFee: bigint;
  bumpPercent: number;
  stuckAfterMs: number;
  maxReplacements: number;
  gasLimitMarginPercent: number;
  confirmations: number;
  concurrency: number;
  pollMs: number;
  dryRun: boolean;
  /** The sender address; in dry-run without a signer, the `from` of simulations. */
  from: string;
}

/** Sends signed transactions: with a local key (hash known before broadcast) or through a signer. */
interface Broadcaster {
  /** Broadcasts; `hash` is known when the transaction was signed locally, even if the broadcast failed. */
  send(tx: TransactionRequest): Promise<{ hash?: string; error?: unknown }>;
}

const RESEND_ATTEMPTS = 4;

/** `ceil(value * (1 + percent / 100))`. */
export function bumpFee(value: bigint, percent: number): bigint {
  const bps = BigInt(Math.round(percent * 100));
  return (value * (10_000n + bps) + 9_999n) / 10_000n;
}

/**
 * Fees of a replacement: at least the old fees bumped by `percent` (both fields, as nodes require for a
 * replacement) and at least the current market fees; `undefined` when the cap forbids a valid bump.
 */
export function replacementFees(old: Fees, current: Fees, percent: number, cap: bigint): Fees | undefined {
  const minFee = bumpFee(old.maxFeePerGas, percent);
  const minTip = bumpFee(old.maxPriorityFeePerGas, percent);
  const maxFeePerGas = max(minFee, current.maxFeePerGas);
  const maxPriorityFeePerGas = max(minTip, current.maxPriorityFeePerGas);
  if (maxFeePerGas > cap || maxPriorityFeePerGas > maxFeePerGas) return undefined;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** EIP-1559 fees for a base fee: `min(cap, 2 * base + tip)`; undefined when the base fee alone is above the cap. */
export function marketFees(baseFee: bigint, priorityFee: bigint, cap: bigint): Fees | undefined {
  if (baseFee >= cap) return undefined;
  const maxFeePerGas = min(cap, 2n * baseFee + priorityFee);
  return { maxFeePerGas, maxPriorityFeePerGas: min(priorityFee, maxFeePerGas - baseFee) };
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

function isNonceTooLow(error: unknown): boolean {
  const e = rootCause(error);
  if (isError(e, "NONCE_EXPIRED")) return true;
  return /nonce too low|nonce has already been used|already known|known transaction/i.test(messageOf(e));
}

function isNonceTooHigh(error: unknown): boolean {
  return /nonce too high|nonce gap/i.test(messageOf(rootCause(error)));
}

function isUnderpriced(error: unknown): boolean {
  const e = rootCause(error);
  return isError(e, "REPLACEMENT_UNDERPRICED") || /underpriced/i.test(messageOf(e));
}

function isInsufficientFunds(error: unknown): boolean {
  const e = rootCause(error);
  return isError(e, "INSUFFICIENT_FUNDS") || /insufficient funds/i.test(messageOf(e));
}

function messageOf(error: unknown): string {
  const info = (error as { info?: { error?: { message?: unknown } } })?.info?.error?.message;
  return `${error instanceof Error ? error.message : String(error)} ${typeof info === "string" ? info : ""}`;
}

export class TxManager {
  private readonly inFlight = new Map<string, Promise<TxOutcome>>();
  /** Jobs mined and waiting only for confirmations. */
  private readonly confirming = new Set<string>();
  /** Jobs whose first transaction was broadcast (cleared by the pipeline that reads it). */
  private readonly broadcast = new Set<string>();
  /** The nonce each job in flight was last sent at. */
  private readonly sentNonces = new Map<string, number>();
  /** Batches still simulating or sending. */
  private readonly pipelines = new Set<Promise<void>>();
  private readonly slots: Semaphore;
  private nonceLock: Promise<void> = Promise.resolve();
  private nextNonce: number | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly broadcaster: Broadcaster | undefined;

  constructor(
    private readonly provider: Provider,
    private readonly signer: Signer | undefined,
    private readonly rpc: Rpc,
    private readonly options: TxManagerOptions,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
    localSigning: boolean,
  ) {
    this.slots = new Semaphore(options.concurrency);
    if (signer !== undefined) this.broadcaster = localSigning ? this.localBroadcaster(signer) : this.signerBroadcaster(signer);
  }

  /** Whether `signer` can sign without sending (a local key): probed once by signing a dummy transaction. */
  static async canSignLocally(signer: Signer, chainId: bigint): Promise<boolean> {
    try {
      await signer.signTransaction({
        type: 2,
        chainId,
        nonce: 0,
        to: await signer.getAddress(),
        gasLimit: 21_000n,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 1n,
        value: 0n,
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Reads the starting nonce (`pending` count). */
  async init(): Promise<void> {
    if (this.signer === undefined || this.options.dryRun) return;
    this.nextNonce = await this.rpc.call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, "pending"));
    this.logger.info({ address: this.options.from, nonce: this.nextNonce }, "signer ready");
  }

  isInFlight(key: string): boolean {
    return this.inFlight.has(key);
  }

  /**
   * Whether the job `key`, in flight, was sent and mined at or before `blockTag` (its confirmations not yet
   * counted): its effect is in that block's state. False when not in flight, not sent yet, still pending, or
   * when the node cannot tell.
   */
  async minedBy(key: string, blockTag: number): Promise<boolean> {
    const nonce = this.sentNonces.get(key);
    if (!this.inFlight.has(key) || nonce === undefined) return false;
    const count = await this.rpc
      .call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, blockTag))
      .catch(() => undefined);
    return count !== undefined && count > nonce;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Runs jobs: all simulations first (concurrently), then sends in the order given (so nonces follow the
   * ranking), then tracks each to its outcome in the background. Returns one promise per job.
   */
  submitAll(jobs: readonly TxJob[], simulationConcurrency: number): Promise<TxOutcome>[] {
    const accepted: { job: TxJob; resolve: (o: TxOutcome) => void; promise: Promise<TxOutcome> }[] = [];
    const outcomes: Promise<TxOutcome>[] = [];
    for (const job of jobs) {
      if (this.stopping) {
        outcomes.push(Promise.resolve({ status: "skipped", reason: "stopping" }));
        continue;
      }
      if (this.inFlight.has(job.key)) {
        outcomes.push(Promise.resolve({ status: "skipped", reason: "in-flight" }));
        continue;
      }
      let resolve!: (o: TxOutcome) => void;
      const promise = new Promise<TxOutcome>((r) => (resolve = r));
      this.inFlight.set(job.key, promise);
      accepted.push({ job, resolve, promise });
      outcomes.push(promise);
    }
    const pipeline = this.pipeline(accepted, simulationConcurrency);
    this.pipelines.add(pipeline);
    void pipeline.finally(() => this.pipelines.delete(pipeline));
    return outcomes;
  }

  /** Settles once every batch submitted so far has been simulated and sent (or not sent): nothing more will be broadcast. */
  async sendsDone(): Promise<void> {
    await Promise.allSettled([...this.pipelines]);
  }

  submit(job: TxJob): Promise<TxOutcome> {
    return this.submitAll([job], 1)[0]!;
  }

  private async pipeline(accepted: { job: TxJob; resolve: (o: TxOutcome) => void }[], simulationConcurrency: number): Promise<void> {
    const finish = (job: TxJob, resolve: (o: TxOutcome) => void, outcome: TxOutcome) => {
      this.inFlight.delete(job.key);
      this.sentNonces.delete(job.key);
      resolve(outcome);
    };
    const batchKeys = new Set(accepted.map(({ job }) => job.key));
    const counts = new Map<number | "latest", Promise<number>>();
    const minedCount = (blockTag: number | "latest") => {
      let count = counts.get(blockTag);
      if (count === undefined) {
        count = this.rpc.call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, blockTag));
        counts.set(blockTag, count);
      }
      return count;
    };
    // 1. Simulate everything (bounded), keeping the order.
    const simSlots = new Semaphore(Math.max(1, simulationConcurrency));
    const simulations = accepted.map(({ job }) => simSlots.run(() => this.prepare(job)));
    // 2. Send in order; 3. track in the background.
    const notSent = new Set<string>();
    for (let i = 0; i < accepted.length; i++) {
      const { job, resolve } = accepted[i]!;
      const missing = job.after?.find((key) => notSent.has(key));
      if (missing !== undefined) {
        notSent.add(job.key);
        this.logger.info({ ...job.context, prerequisite: missing }, "not sent: a transaction it depends on was not sent");
        finish(job, resolve, { status: "retry-later", reason: `prerequisite ${missing} not sent` });
        continue;
      }
      const stale = await this.earlierPrerequisite(job, batchKeys, minedCount);
      if (stale !== undefined) {
        notSent.add(job.key);
        this.logger.info(
          { ...job.context, prerequisite: stale.key, evaluatedAt: job.evaluatedAt },
          `not sent: the transaction it depends on is one of an earlier block, ${stale.why}`,
        );
        finish(job, resolve, { status: "retry-later", reason: `prerequisite ${stale.key} of an earlier block, ${stale.why}` });
        continue;
      }
      let prepared: Prepared;
      try {
        prepared = await simulations[i]!;
      } catch (error) {
        notSent.add(job.key);
        finish(job, resolve, { status: "failed", reason: "internal", error: describeError(error) });
        continue;
      }
      if (prepared.outcome !== undefined) {
        notSent.add(job.key);
        finish(job, resolve, prepared.outcome);
        continue;
      }
      if (this.stopping) {
        notSent.add(job.key);
        finish(job, resolve, { status: "skipped", reason: "stopping" });
        continue;
      }
      const release = await this.slots.acquire();
      const sending = this.sendAndTrack(job, prepared.gasLimit!)
        .catch((error: unknown): TxOutcome => {
          if (error instanceof AbortedError) return { status: "failed", reason: "aborted" };
          this.logger.error({ ...job.context, err: error }, "transaction job failed unexpectedly");
          return { status: "failed", reason: "internal", error: describeError(error) };
        })
        .finally(release);
      // Wait until this job's first broadcast is done before sending the next one (nonce order).
      await Promise.race([this.firstBroadcast.get(job.key) ?? Promise.resolve(), sending.then(() => undefined)]);
      if (!this.broadcast.delete(job.key)) notSent.add(job.key);
      void sending.then((outcome) => finish(job, resolve, outcome));
    }
  }

  private readonly firstBroadcast = new Map<string, Promise<void>>();

  /**
   * A prerequisite of `job` that is not in its batch (it was skipped there: the same job of an earlier block is
   * in flight) and cannot stand for it: one mined at or before the block `job` was decided on (its effect is
   * in that block's state, which still needed it: e.g. a poke of an older round whose confirmation the keeper
   * has not seen yet, after a node restart), or one not sent yet (nothing orders it before `job`). One mined
   * after that block, or still pending at a lower nonce, runs after the state `job` was decided on and before
   * `job` (nonce order), as a prerequisite of its own batch would.
   */
  private async earlierPrerequisite(
    job: TxJob,
    batchKeys: ReadonlySet<string>,
    minedCount: (blockTag: number | "latest") => Promise<number>,
  ): Promise<{ key: string; why: string } | undefined> {
    for (const key of job.after ?? []) {
      // Ended since its batch skipped it: it was pending when the block was read (else the poker would have
      // keyed a new one), so it ran after that block.
      if (batchKeys.has(key) || !this.inFlight.has(key)) continue;
      const nonce = this.sentNonces.get(key);
      if (nonce === undefined) return { key, why: "not sent yet" };
      const mined = await minedCount(job.evaluatedAt ?? "latest").catch(() => Number.POSITIVE_INFINITY);
      if (mined > nonce) return { key, why: "mined at or before the block the job was decided on" };
    }
    return undefined;
  }

  /** Simulates a job; returns the gas limit to use, or the outcome when nothing is to be sent. */
  private async prepare(job: TxJob): Promise<Prepared> {
    const verdict = await this.simulate(job);
    if (verdict.outcome !== undefined) return verdict;
    if (job.gate !== undefined) {
      const fees = await this.currentFees().catch(() => undefined);
      const gasPrice = fees === undefined ? this.options.maxFeePerGas : fees.expected;
      const skip = job.gate({ gas: verdict.gas!, gasPrice, value: verdict.value });
      if (skip !== undefined) return { outcome: skip };
    }
    if (this.options.dryRun) {
      const fees = await this.currentFees().catch(() => undefined);
      this.logger.info({ ...job.context, gasLimit: verdict.gasLimit, ...(fees ?? {}), dryRun: true }, `dry-run: would send ${job.kind}`);
      return { outcome: { status: "dry-run", gas: verdict.gasLimit!, fees } };
    }
    return verdict;
  }

  /** eth_call (then eth_estimateGas unless `estimate` is false), both on the latest block; maps a revert through the job. */
  private async simulate(job: TxJob, estimate = true): Promise<Prepared> {
    if (job.preview !== undefined) return this.simulatePreview(job, job.preview);
    const request = { from: this.options.from, to: job.to, data: job.data };
    try {
      await this.rpc.call("eth_call", () => this.provider.call({ ...request, blockTag: "latest" }));
      if (!estimate) {
        this.metrics.simulations.inc({ result: "ok" });
        return {};
      }
      // Estimated on the latest block, like the call: some nodes estimate on "pending" by default, where a
      // pending transaction (ours, or another keeper's) would make it revert.
      const provider = this.provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
      const estimate_ = await this.rpc.call("eth_estimateGas", async () =>
        typeof provider.send === "function"
          ? BigInt(
              (await provider.send("eth_estimateGas", [{ from: request.from, to: request.to, data: request.data }, "latest"])) as string,
            )
          : this.provider.estimateGas(request),
      );
      this.metrics.simulations.inc({ result: "ok" });
      return { gas: estimate_, gasLimit: this.withMargin(estimate_) };
    } catch (error) {
      const data = revertData(rootCause(error));
      if (data === undefined) {
        this.metrics.simulations.inc({ result: "error" });
        this.logger.warn({ ...job.context, error: describeError(error) }, "simulation failed (RPC); will retry on a later block");
        return { outcome: { status: "retry-later", reason: describeError(error) } };
      }
      return this.onSimulatedRevert(job, data);
    }
  }

  private withMargin(gas: bigint): bigint {
    return (gas * BigInt(100 + this.options.gasLimitMarginPercent)) / 100n;
  }

  /** Simulates through the job's deployless preview: it always reverts, with the verdict. */
  private async simulatePreview(job: TxJob, preview: NonNullable<TxJob["preview"]>): Promise<Prepared> {
    let data: string | undefined;
    try {
      await this.rpc.call("eth_call", () => this.provider.call({ from: this.options.from, data: preview.data, blockTag: "latest" }));
    } catch (error) {
      data = revertData(rootCause(error));
      if (data === undefined) {
        this.metrics.simulations.inc({ result: "error" });
        this.logger.warn({ ...job.context, error: describeError(error) }, "simulation failed (RPC); will retry on a later block");
        return { outcome: { status: "retry-later", reason: describeError(error) } };
      }
    }
    const verdict = data === undefined ? undefined : preview.decode(data);
    if (verdict === undefined) {
      this.metrics.simulations.inc({ result: "error" });
      this.logger.warn(
        { ...job.context, data: data?.slice(0, 10) },
        "preview answered something else than its verdict; will retry on a later block",
      );
      return { outcome: { status: "retry-later", reason: "preview without a verdict" } };
    }
    if (!verdict.ok) return this.onSimulatedRevert(job, verdict.revertData);
    this.metrics.simulations.inc({ result: "ok" });
    const gas = verdict.gasUsed + PREVIEW_GAS_OVERHEAD;
    return { gas, gasLimit: this.withMargin(gas), value: verdict.value };
  }

  /** Maps a simulation's revert data through the job. */
  private onSimulatedRevert(job: TxJob, data: string): Prepared {
    {
      const revert = decodeRevert(job.errors, data);
      const action = job.onRevert(revert);
      this.metrics.simulations.inc({ result: revert?.name ?? "revert" });
      const reason = revert?.name ?? `revert ${data.slice(0, 10)}`;
      if (action === "drop") {
        this.logger.info({ ...job.context, revert: reason }, "simulation: nothing to do (someone else did it); dropped");
        return { outcome: { status: "dropped", reason, ...(revert ? { revert } : {}) } };
      }
      if (action === "skip") {
        this.logger.info(
          { ...job.context, revert: reason, args: revert?.args },
          "simulation: not possible now; will retry on a later block",
        );
        return { outcome: { status: "retry-later", reason } };
      }
      if (action === "wait") {
        this.logger.info({ ...job.context, revert: reason, args: revert?.args }, "simulation: must wait");
        return { outcome: { status: "waiting", reason, ...(revert ? { revert } : {}) } };
      }
      this.logger.warn({ ...job.context, revert: reason, args: revert?.args }, "simulation reverted");
      return { outcome: { status: "failed", reason, ...(revert ? { revert } : {}) } };
    }
  }

  /**
   * Current EIP-1559 fees from the latest block's base fee, with the price a transaction is expected to pay
   * (`expected`: base fee plus tip); undefined when the base fee is above the cap.
   */
  async currentFees(): Promise<(Fees & { expected: bigint }) | undefined> {
    const block = await this.rpc.call("eth_getBlockByNumber", () => this.provider.getBlock("latest"));
    const baseFee = block?.baseFeePerGas ?? 0n;
    const fees = marketFees(baseFee, this.options.priorityFee, this.options.maxFeePerGas);
    return fees === undefined ? undefined : { ...fees, expected: min(fees.maxFeePerGas, baseFee + fees.maxPriorityFeePerGas) };
  }

  /** Serializes nonce assignment and broadcast. */
  private async withNonceLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.nonceLock;
    let release!: () => void;
    this.nonceLock = new Promise((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async resyncNonce(reason: string): Promise<void> {
    const pending = await this.rpc.call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, "pending"));
    const latest = await this.rpc.call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, "latest"));
    const before = this.nextNonce;
    this.nextNonce = reason === "nonce too high" ? Math.max(pending, latest) : Math.max(this.nextNonce ?? 0, pending, latest);
    this.metrics.nonceResyncs.inc();
    this.logger.warn({ reason, before, after: this.nextNonce }, "local nonce resynchronized from the node");
  }

  private async sendAndTrack(job: TxJob, initialGasLimit: bigint): Promise<TxOutcome> {
    let gasLimit = initialGasLimit;
    let markFirst!: () => void;
    this.firstBroadcast.set(job.key, new Promise<void>((r) => (markFirst = r)));
    try {
      for (let attempt = 1; attempt <= RESEND_ATTEMPTS; attempt++) {
        if (attempt > 1) {
          // Re-simulate before any resend with a new nonce: another keeper (or our own lost transaction)
          // may have done it already.
          const again = await this.simulate(job);
          if (again.outcome !== undefined) return again.outcome;
          gasLimit = again.gasLimit!;
        }
        const fees = await this.currentFees();
        if (fees === undefined) {
          this.logger.warn({ ...job.context, cap: this.options.maxFeePerGas }, "base fee above the fee cap; not sending");
          return { status: "skipped", reason: "fee-cap" };
        }
        const sent = await this.withNonceLock(async () => {
          const nonce = this.nextNonce!;
          const tx = this.buildTx(job, nonce, gasLimit, fees);
          const result = await this.broadcaster!.send(tx);
          if (result.error === undefined) {
            this.nextNonce = nonce + 1;
            return { kind: "sent" as const, nonce, hash: result.hash, fees, ambiguous: false, error: undefined };
          }
          if (isNonceTooLow(result.error) || isUnderpriced(result.error)) {
            await this.resyncNonce(
              isUnderpriced(result.error) ? "nonce in use by a pending transaction of another sender" : "nonce too low",
            );
            return { kind: "retry" as const, error: result.error };
          }
          if (isNonceTooHigh(result.error)) {
            await this.resyncNonce("nonce too high");
            return { kind: "retry" as const, error: result.error };
          }
          if (isInsufficientFunds(result.error)) return { kind: "fatal" as const, reason: "insufficient-funds", error: result.error };
          if (classifyRpcError(rootCause(result.error)) === "transient") {
            // Ambiguous: the node may have the transaction. Keep the nonce; tracking finds out, and a
            // "replacement" at the same nonce re-broadcasts it if it was lost.
            this.nextNonce = nonce + 1;
            return { kind: "sent" as const, nonce, hash: result.hash, fees, ambiguous: true, error: result.error };
          }
          return { kind: "fatal" as const, reason: "rejected", error: result.error };
        });
        if (sent.kind === "sent") {
          this.broadcast.add(job.key);
          this.sentNonces.set(job.key, sent.nonce);
        }
        markFirst();
        if (sent.kind === "retry") {
          this.logger.warn(
            { ...job.context, attempt, error: describeError(sent.error) },
            "nonce conflict; re-simulating and resending with a fresh nonce",
          );
          continue;
        }
        if (sent.kind === "fatal") {
          this.logger.error({ ...job.context, error: describeError(sent.error) }, `transaction rejected by the node (${sent.reason})`);
          return { status: "failed", reason: sent.reason, error: describeError(sent.error) };
        }
        if (job.kind === "deleverage") this.metrics.deleveragesSent.inc();
        if (job.kind === "hedge") this.metrics.hedgesSent.inc();
        this.logger.info(
          {
            ...job.context,
            nonce: sent.nonce,
            hash: sent.hash,
            maxFeePerGas: sent.fees.maxFeePerGas,
            maxPriorityFeePerGas: sent.fees.maxPriorityFeePerGas,
            gasLimit,
            ambiguous: sent.ambiguous || undefined,
          },
          sent.ambiguous
            ? `${job.kind} broadcast outcome unknown (${describeError(sent.error)}); tracking nonce ${sent.nonce}`
            : `${job.kind} sent`,
        );
        const tracked = await this.track(job, {
          nonce: sent.nonce,
          gasLimit,
          fees: sent.fees,
          hashes: sent.hash === undefined ? [] : [sent.hash],
          last: this.buildTx(job, sent.nonce, gasLimit, sent.fees),
        });
        if (tracked === "nonce-taken") {
          this.logger.warn({ ...job.context, nonce: sent.nonce }, "our nonce was used by another transaction from this key; re-simulating");
          continue;
        }
        return tracked;
      }
      return { status: "failed", reason: "nonce-conflicts" };
    } finally {
      markFirst?.();
      this.firstBroadcast.delete(job.key);
    }
  }

  private buildTx(job: TxJob, nonce: number, gasLimit: bigint, fees: Fees): TransactionRequest {
    return {
      type: 2,
      chainId: this.options.chainId,
      from: this.options.from,
      to: job.to,
      data: job.data,
      value: 0n,
      nonce,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    };
  }

  /** Follows a sent job to its outcome (see the module comment). */
  private async track(job: TxJob, state: TrackState): Promise<TxOutcome | "nonce-taken"> {
    try {
      return await this.follow(job, state);
    } finally {
      this.confirming.delete(job.key);
    }
  }

  private async follow(job: TxJob, state: TrackState): Promise<TxOutcome | "nonce-taken"> {
    const { nonce } = state;
    let lastSend = Date.now();
    let replacements = 0;
    let cancelled: { hash: string | undefined; reason: string } | undefined;
    let misses = 0;
    /** Our transaction as last seen mined, short of its confirmations. */
    let mined: { receipt: TransactionReceipt; confirmations: number } | undefined;
    const signal = this.abort.signal;
    for (;;) {
      if (signal.aborted) {
        if (mined !== undefined) {
          const required = job.confirmations ?? this.options.confirmations;
          this.logger.info(
            {
              ...job.context,
              nonce,
              hash: mined.receipt.hash,
              block: mined.receipt.blockNumber,
              confirmations: mined.confirmations,
              required,
            },
            "mined, not yet final when the keeper stopped",
          );
          return { status: "mined", hash: mined.receipt.hash, nonce, receipt: mined.receipt, confirmations: mined.confirmations };
        }
        this.logger.warn({ ...job.context, nonce, hashes: state.hashes }, "abandoned at shutdown while pending");
        return { status: "abandoned", nonce, hashes: state.hashes };
      }
      try {
        const count = await this.rpc.call("eth_getTransactionCount", () => this.provider.getTransactionCount(this.options.from, "latest"));
        if (count > nonce) {
          const receipt = await this.findReceipt(state.hashes);
          if (receipt === undefined) {
            mined = undefined;
            this.confirming.delete(job.key);
            // The nonce is used but by none of our transactions (or the node's index lags: look again).
            if (++misses >= 3) return "nonce-taken";
          } else {
            misses = 0;
            const head = await this.rpc.call("eth_blockNumber", () => this.provider.getBlockNumber());
            const confirmations = head - receipt.blockNumber + 1;
            if (confirmations >= (job.confirmations ?? this.options.confirmations)) {
              const again = await this.rpc.call("eth_getTransactionReceipt", () => this.provider.getTransactionReceipt(receipt.hash));
              if (again !== null && again.blockHash === receipt.blockHash) {
                if (cancelled !== undefined && again.to?.toLowerCase() === this.options.from.toLowerCase()) {
                  this.logger.info({ ...job.context, nonce, hash: again.hash }, "cancel transaction confirmed");
                  return { status: "cancelled", nonce, reason: cancelled.reason };
                }
                if (again.status === 1) return { status: "confirmed", hash: again.hash, nonce, receipt: again, replacements };
                return { status: "reverted", hash: again.hash, nonce, receipt: again };
              }
              // Reorganized out since: keep tracking (it may be mined again, or need a resend).
              mined = undefined;
              this.confirming.delete(job.key);
              this.logger.warn({ ...job.context, hash: receipt.hash }, "receipt vanished (reorg); tracking again");
            } else if (receipt.status === 1 || cancelled !== undefined) {
              mined = { receipt, confirmations };
              this.confirming.add(job.key);
            }
          }
        } else if (Date.now() - lastSend >= this.options.stuckAfterMs && cancelled === undefined) {
          lastSend = Date.now();
          if (replacements >= this.options.maxReplacements) {
            this.logger.warn(
              { ...job.context, nonce, replacements },
              "transaction still pending; replacement limit reached, re-broadcasting it as is",
            );
            await this.rebroadcast(job, state);
          } else {
            const outcome = await this.replace(job, state);
            if (outcome === "replaced") replacements++;
            else if (outcome !== undefined) cancelled = outcome;
          }
        }
      } catch (error) {
        if (error instanceof AbortedError) continue;
        this.logger.warn({ ...job.context, nonce, error: describeError(error) }, "tracking: RPC error; will retry");
      }
      await sleep(this.options.pollMs, signal).catch(() => undefined);
    }
  }

  private async findReceipt(hashes: readonly string[]): Promise<TransactionReceipt | undefined> {
    for (const hash of [...hashes].reverse()) {
      const receipt = await this.rpc.call("eth_getTransactionReceipt", () => this.provider.getTransactionReceipt(hash));
      if (receipt !== null) return receipt;
    }
    return undefined;
  }

  /**
   * Replaces a stuck transaction at the same nonce: re-simulates first; re-sends the job with bumped fees,
   * or a cancel if the job has nothing left to do. Returns "replaced", the cancel, or undefined (no change).
   */
  private async replace(job: TxJob, state: TrackState): Promise<"replaced" | { hash: string | undefined; reason: string } | undefined> {
    // A call only (no estimate), on the latest block: our own pending transaction is not in it.
    const verdict = await this.simulate(job, false);
    const current = await this.currentFees();
    const fees = replacementFees(state.fees, current ?? state.fees, this.options.bumpPercent, this.options.maxFeePerGas);
    if (fees === undefined) {
      this.logger.warn(
        { ...job.context, nonce: state.nonce, maxFeePerGas: state.fees.maxFeePerGas, cap: this.options.maxFeePerGas },
        "stuck transaction: fee cap reached, cannot bump; re-broadcasting it as is",
      );
      await this.rebroadcast(job, state);
      return undefined;
    }
    if (verdict.outcome?.status === "retry-later") return undefined;
    const cancel = verdict.outcome !== undefined;
    const tx: TransactionRequest = cancel
      ? {
          type: 2,
          chainId: this.options.chainId,
          from: this.options.from,
          to: this.options.from,
          value: 0n,
          data: "0x",
          nonce: state.nonce,
          gasLimit: 21_000n,
          ...fees,
        }
      : { ...this.buildTx(job, state.nonce, verdict.gasLimit ?? state.gasLimit, fees) };
    const result = await this.withNonceLock(() => this.broadcaster!.send(tx));
    if (result.error !== undefined && !(classifyRpcError(rootCause(result.error)) === "transient")) {
      // Underpriced (the node wants more), or the nonce was mined meanwhile: tracking sorts it out.
      this.logger.warn({ ...job.context, nonce: state.nonce, error: describeError(result.error) }, "replacement not accepted");
      return undefined;
    }
    if (result.hash !== undefined) state.hashes.push(result.hash);
    state.fees = fees;
    state.last = tx;
    this.metrics.replacements.inc();
    const reason =
      verdict.outcome === undefined ? undefined : "reason" in verdict.outcome ? verdict.outcome.reason : verdict.outcome.status;
    this.logger.warn(
      {
        ...job.context,
        nonce: state.nonce,
        hash: result.hash,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        cancel,
        reason,
      },
      cancel ? "stuck transaction no longer needed: cancelled at the same nonce" : "stuck transaction replaced with higher fees",
    );
    return cancel ? { hash: result.hash, reason: reason ?? "no longer needed" } : "replaced";
  }

  /**
   * Sends the job's last transaction again, unchanged: if a node dropped it (restart, mempool eviction),
   * this puts it back, so its nonce never stays a gap. "already known" and the like are expected.
   */
  private async rebroadcast(job: TxJob, state: TrackState): Promise<void> {
    const result = await this.withNonceLock(() => this.broadcaster!.send(state.last));
    if (result.hash !== undefined && !state.hashes.includes(result.hash)) state.hashes.push(result.hash);
    if (result.error !== undefined) {
      this.logger.debug(
        { ...job.context, nonce: state.nonce, error: describeError(result.error) },
        "re-broadcast not accepted (usually: already known)",
      );
    }
  }

  private localBroadcaster(signer: Signer): Broadcaster {
    return {
      send: async (tx) => {
        const raw = await signer.signTransaction(tx);
        const hash = keccak256(raw);
        try {
          const provider = this.provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
          await this.rpc.call(
            "eth_sendRawTransaction",
            () =>
              typeof provider.send === "function" ? provider.send("eth_sendRawTransaction", [raw]) : provider.broadcastTransaction(raw),
            1,
          );
          return { hash };
        } catch (error) {
          // Was it received anyway (a timeout after delivery)? A known hash settles it.
          const known = await this.rpc.call("eth_getTransactionByHash", () => this.provider.getTransaction(hash)).catch(() => null);
          if (known !== null) {
            this.logger.warn(
              { hash, error: describeError(error) },
              "broadcast answer lost, but the node has the transaction (found by hash)",
            );
            return { hash };
          }
          return { hash, error };
        }
      },
    };
  }

  private signerBroadcaster(signer: Signer): Broadcaster {
    return {
      send: async (tx) => {
        try {
          const response = await this.rpc.call("eth_sendTransaction", () => signer.sendTransaction(tx), 1);
          return { hash: response.hash };
        } catch (error) {
          return { error };
        }
      },
    };
  }

  /**
   * Stops taking jobs, waits up to `timeoutMs` for those in flight, then abandons the rest (their
   * transactions may still be mined; they are logged with nonce and hashes).
   */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    if (this.inFlight.size === 0) return;
    this.logger.info({ inFlight: this.inFlight.size, timeoutMs }, "waiting for in-flight transactions to be mined");
    // Wait for what is not mined yet; a mined transaction's remaining confirmations are not waited for (on a
    // chain that makes no more blocks they never come).
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > this.confirming.size && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight.values()]), sleep(Math.min(100, Math.max(1, deadline - Date.now())))]);
    }
    if (this.inFlight.size > 0) {
      this.abort.abort(new AbortedError("shutdown"));
      await Promise.allSettled([...this.inFlight.values()]);
    }
  }
}

/** A sent job being followed: its nonce, every hash sent at it, and the last transaction sent. */
interface TrackState {
  nonce: number;
  gasLimit: bigint;
  fees: Fees;
  hashes: string[];
  last: TransactionRequest;
}

interface Prepared {
  /** The gas the transaction needs (estimate, or the preview's measure plus overhead), before the margin. */
  gas?: bigint;
  gasLimit?: bigint;
  /** The preview's value (a fee), when simulated through one. */
  value?: bigint;
  outcome?: TxOutcome;
}

/** Decodes revert data with `errors`; undefined when it matches no error of the interface. */
export function decodeRevert(errors: Interface, data: string): DecodedRevert | undefined {
  try {
    const parsed = errors.parseError(data);
    if (parsed === null) return undefined;
    const args: Record<string, unknown> = {};
    parsed.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = parsed.args[i]));
    return { name: parsed.name, args, data };
  } catch {
    return undefined;
  }
}

/** The hash of a signed raw transaction. */
export const rawTransactionHash = (raw: string): string => Transaction.from(raw).hash!;
