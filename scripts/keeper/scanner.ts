/**
 * Status of many accounts through `IRiskLens.statusBatch`, in chunks of `chunkSize`, at most `concurrency`
 * calls in flight, all at one block (so one scan is one consistent state). A chunk that keeps failing is
 * split in halves (a node's gas cap per `eth_call` is the usual cause), down to single accounts; a single
 * account that cannot be read fails the scan: an account is never silently skipped.
 *
 * With pending pokes (feeds whose volatility poke the keeper is about to send), each chunk is read through
 * the deployless `StatusPreview` instead (`preview.ts`): the statuses the next block will show once the
 * pokes are mined.
 */
import type { Provider } from "ethers";

import { lensInterface } from "./abi.js";
import { chunk, mapLimit } from "./chunks.js";
import { describeError, FatalError } from "./errors.js";
import type { Logger } from "./logger.js";
import { decodeStatusPreview, statusPreviewData } from "./preview.js";
import { revertData, rootCause, rpcErrorDetail, type Rpc } from "./rpc.js";
import { decodeStatusBatch } from "./status.js";
import type { AccountStatus } from "./types.js";

export { decodeStatusBatch } from "./status.js";

export interface ScannerOptions {
  lens: string;
  module: string;
  /** The volatility oracle (for previews). */
  oracle?: string;
  chunkSize: number;
  concurrency: number;
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

  /**
   * The status of every account at `blockTag`, in the order given; with `pendingFeeds`, as it will be once
   * those feeds are poked.
   */
  async scan(accounts: readonly string[], blockTag: number | "latest", pendingFeeds: readonly string[] = []): Promise<AccountStatus[]> {
    const parts = await mapLimit(chunk(accounts, this.options.chunkSize), this.options.concurrency, (part) =>
      this.read(part, blockTag, pendingFeeds),
    );
    return parts.flat();
  }

  /** One `statusBatch` call, or one `StatusPreview` when feeds are pending. */
  private async call(accounts: readonly string[], blockTag: number | "latest", pendingFeeds: readonly string[]): Promise<AccountStatus[]> {
    if (pendingFeeds.length === 0 || this.options.oracle === undefined) {
      const data = lensInterface.encodeFunctionData("statusBatch", [this.options.module, accounts]);
      return decodeStatusBatch(await this.provider.call({ to: this.options.lens, data, blockTag }));
    }
    const data = statusPreviewData(this.options.oracle, pendingFeeds, this.options.module, accounts);
    try {
      await this.provider.call({ data, blockTag });
    } catch (error) {
      const reverted = revertData(rootCause(error));
      const statuses = reverted === undefined ? undefined : decodeStatusPreview(reverted);
      if (statuses !== undefined) return statuses;
      throw error;
    }
    throw new Error("StatusPreview returned instead of reverting with its result");
  }

  private async read(accounts: readonly string[], blockTag: number | "latest", pendingFeeds: readonly string[]): Promise<AccountStatus[]> {
    try {
      const statuses = await this.rpc.call("eth_call", async () => {
        try {
          return await this.call(accounts, blockTag, pendingFeeds);
        } catch (error) {
          // Too large is not retried as is: it is split below.
          if (isCapacityError(error)) throw new CapacityError(error);
          throw error;
        }
      });
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
      return [
        ...(await this.read(accounts.slice(0, half), blockTag, pendingFeeds)),
        ...(await this.read(accounts.slice(half), blockTag, pendingFeeds)),
      ];
    }
  }
}
