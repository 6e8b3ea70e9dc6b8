/**
 * Status of many accounts through `IRiskLens.statusBatch`, in chunks of `chunkSize`, at most `concurrency`
 * calls in flight, all at one block (so one scan is one consistent state). A chunk that keeps failing is
 * split in halves (a node's gas cap per `eth_call` is the usual cause), down to single accounts; a single
 * account that cannot be read fails the scan: an account is never silently skipped.
 */
import type { Provider } from "ethers";

import { lensInterface } from "./abi.js";
import { chunk, mapLimit } from "./chunks.js";
import { describeError, FatalError } from "./errors.js";
import type { Logger } from "./logger.js";
import { rpcErrorDetail, type Rpc } from "./rpc.js";
import type { AccountStatus } from "./types.js";

export interface ScannerOptions {
  lens: string;
  module: string;
  chunkSize: number;
  concurrency: number;
}

/** Decodes the return data of `statusBatch`. */
export function decodeStatusBatch(data: string): AccountStatus[] {
  const [entries] = lensInterface.decodeFunctionResult("statusBatch", data) as unknown as [
    {
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
    }[],
  ];
  return entries.map((e) => ({
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
  }));
}

/** Whether a failed call was too large for the node (out of gas under its call gas cap, response too big). */
export function isCapacityError(error: unknown): boolean {
  if (error instanceof CapacityError) return true;
  const { message } = rpcErrorDetail(error);
  const text = `${message} ${error instanceof Error ? error.message : ""}`;
  return /out of gas|gas limit|gas required exceeds|exceeds (the )?(block )?gas|gas cap|response (size|is too large)|too large|payload|limit exceeded/i.test(
    text,
  );
}

/** A call too large for the node. */
class CapacityError extends FatalError {
  constructor(cause: unknown) {
    super(`too large for the node: ${rpcErrorDetail(cause).message}`, { cause });
  }
}

function unevaluable(account: string): AccountStatus {
  const zero = { market: 0n, size: 0n, price: 0n, source: 0, notional: 0n, cap: 0n, binding: 0, deleverageNotional: 0n };
  return { account, ok: false, status: 0, equity: 0n, requirement: 0n, buffer: 0n, freeEquity: 0n, worst: zero, ratio: 0n, reason: "0x" };
}

export class Scanner {
  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly options: ScannerOptions,
    private readonly logger: Logger,
  ) {}

  /** The status of every account at `blockTag`, in the order given. */
  async scan(accounts: readonly string[], blockTag: number | "latest"): Promise<AccountStatus[]> {
    const parts = await mapLimit(chunk(accounts, this.options.chunkSize), this.options.concurrency, (part) => this.read(part, blockTag));
    return parts.flat();
  }

  private async read(accounts: readonly string[], blockTag: number | "latest"): Promise<AccountStatus[]> {
    const data = lensInterface.encodeFunctionData("statusBatch", [this.options.module, accounts]);
    try {
      const result = await this.rpc.call("eth_call", async () => {
        try {
          return await this.provider.call({ to: this.options.lens, data, blockTag });
        } catch (error) {
          // Too large is not retried as is: it is split below.
          if (isCapacityError(error)) throw new CapacityError(error);
          throw error;
        }
      });
      const statuses = decodeStatusBatch(result);
      if (statuses.length !== accounts.length)
        throw new Error(`statusBatch returned ${statuses.length} entries for ${accounts.length} accounts`);
      return statuses;
    } catch (error) {
      // Only a call too big for the node (gas cap, response size) gets smaller by splitting; anything else
      // (the node is down) fails the scan, retried on the next head.
      if (!isCapacityError(error)) throw error;
      if (accounts.length === 1) {
        this.logger.error(
          { account: accounts[0], error: describeError(error) },
          "the status of this account cannot be read in one call; reported as unevaluable",
        );
        return [unevaluable(accounts[0]!)];
      }
      const half = Math.ceil(accounts.length / 2);
      this.logger.warn(
        { accounts: accounts.length, error: describeError(error) },
        "statusBatch chunk too large for the node; splitting it",
      );
      return [...(await this.read(accounts.slice(0, half), blockTag)), ...(await this.read(accounts.slice(half), blockTag))];
    }
  }
}
