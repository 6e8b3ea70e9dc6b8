/**
 * The keeper's checkpoint: the accounts and markets discovered so far and the last block whose logs were
 * read, so a restart resumes without a full rescan, without losing an account, and pokes the volatility
 * oracle for every known market's feed from its first block (version 1 files had no markets: the keeper
 * re-reads the logs once from `startBlock` to learn them).
 *
 * Written atomically and durably by the tools' one file writer (`writeFileAtomic` of `scripts/lib/files.ts`
 * with `durable` and mode 0o600): a temporary file beside the target, fsync, rename over the target, fsync
 * of the directory. A crash leaves either the old file or the new one, never a partial one. A corrupted
 * file, or one written for another chain or module, is a `CheckpointError`; the keeper then refuses to
 * start and never overwrites it. A save that would drop an account it loaded or saved before is refused
 * (`reason: "regression"`), so a bug can never replace a full checkpoint with a blank one.
 */
import { readFile } from "node:fs/promises";

import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";

import { writeFileAtomic } from "../lib/files.js";
import { CheckpointError } from "./errors.js";

export const CHECKPOINT_VERSION = 2;

export interface Checkpoint {
  version: 1 | typeof CHECKPOINT_VERSION;
  chainId: number;
  /** The risk module, checksummed. */
  module: string;
  /** Last block whose logs were read; every account with a `PositionChanged` up to it is in `accounts`. */
  lastBlock: number;
  lastBlockHash: string;
  /** Checksummed addresses, in discovery order. */
  accounts: string[];
  /** Markets seen in `PositionChanged`, in discovery order; absent in version 1 files (unknown). */
  markets?: bigint[];
}

const address = z.string().refine((v) => isAddress(v), "expected an address");
const CheckpointSchema = z.strictObject({
  version: z.union([z.literal(1), z.literal(CHECKPOINT_VERSION)], { error: `expected version 1 or ${CHECKPOINT_VERSION}` }),
  chainId: z.number().int().positive(),
  module: address,
  lastBlock: z.number().int().min(0),
  lastBlockHash: z.string().refine((v) => isHexString(v, 32), "expected a 32-byte hex block hash"),
  accounts: z.array(address),
  markets: z
    .array(z.string().regex(/^\d{1,78}$/, "expected a market id (decimal string)"))
    .optional()
    .transform((ids) => ids?.map((id) => BigInt(id))),
});

/** What a checkpoint must match to be used. */
export interface CheckpointIdentity {
  chainId: number;
  module: string;
}

/**
 * Reads and validates a checkpoint. Returns `undefined` when the file does not exist; throws
 * `CheckpointError` when it cannot be read, is not a valid checkpoint, or belongs to another chain or module.
 */
export async function readCheckpoint(file: string, expected: CheckpointIdentity): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CheckpointError(`cannot read the checkpoint: ${(error as Error).message}`, file, "unreadable");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `corrupted checkpoint (not JSON: ${(error as Error).message}); move it away to rescan from startBlock, the keeper will not overwrite it`,
      file,
      "corrupted",
    );
  }
  const parsed = CheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
    throw new CheckpointError(
      `corrupted checkpoint (${problems}); move it away to rescan from startBlock, the keeper will not overwrite it`,
      file,
      "corrupted",
    );
  }
  if (parsed.data.version === CHECKPOINT_VERSION && parsed.data.markets === undefined) {
    throw new CheckpointError(
      `corrupted checkpoint (markets: required in version ${CHECKPOINT_VERSION}); move it away to rescan from startBlock, the keeper will not overwrite it`,
      file,
      "corrupted",
    );
  }
  const { markets, ...rest } = parsed.data;
  const checkpoint: Checkpoint = {
    ...rest,
    module: getAddress(parsed.data.module),
    accounts: parsed.data.accounts.map((a) => getAddress(a)),
    ...(markets === undefined ? {} : { markets }),
  };
  if (checkpoint.chainId !== expected.chainId) {
    throw new CheckpointError(`checkpoint is for chain ${checkpoint.chainId}, the RPC serves chain ${expected.chainId}`, file, "mismatch");
  }
  if (checkpoint.module !== getAddress(expected.module)) {
    throw new CheckpointError(
      `checkpoint is for module ${checkpoint.module}, the keeper is configured for ${getAddress(expected.module)}`,
      file,
      "mismatch",
    );
  }
  return checkpoint;
}

export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return `${JSON.stringify(checkpoint, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`;
}

/**
 * Loads and saves one checkpoint file, refusing any save that would lose an account it has seen in the
 * file (loaded or saved). Saves are serialized.
 */
export class CheckpointStore {
  private known = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly identity: CheckpointIdentity,
  ) {}

  async load(): Promise<Checkpoint | undefined> {
    const checkpoint = await readCheckpoint(this.file, this.identity);
    if (checkpoint !== undefined) this.known = new Set(checkpoint.accounts);
    return checkpoint;
  }

  /** Saves `checkpoint`; rejects with `CheckpointError` ("regression") if it lacks an account seen before. */
  save(checkpoint: Omit<Checkpoint, "version" | "chainId" | "module" | "markets"> & { markets: bigint[] }): Promise<void> {
    const run = this.queue.then(async () => {
      const accounts = new Set(checkpoint.accounts);
      for (const account of this.known) {
        if (!accounts.has(account)) {
          throw new CheckpointError(
            `refusing to save a checkpoint without account ${account}, which the previous one holds`,
            this.file,
            "regression",
          );
        }
      }
      await writeFileAtomic(
        this.file,
        serializeCheckpoint({
          version: CHECKPOINT_VERSION,
          chainId: this.identity.chainId,
          module: getAddress(this.identity.module),
          lastBlock: checkpoint.lastBlock,
          lastBlockHash: checkpoint.lastBlockHash,
          accounts: checkpoint.accounts,
          markets: checkpoint.markets,
        }),
        { durable: true, mode: 0o600 },
      );
      this.known = accounts;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
