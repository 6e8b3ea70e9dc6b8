/**
 * The keeper's deployless previews (`contracts/periphery/KeeperPreview.sol`, `IKeeperPreview`): `eth_call`s
 * without `to` whose data is a preview's creation code and constructor arguments. The constructor pokes the
 * volatility oracle for the feeds whose poke the keeper is about to send, then reads every account's status
 * (`StatusPreview`) or runs one deleverage (`DeleveragePreview`) on that state, and reverts with the result.
 * This lets the keeper decide and simulate, in the block holding new Chainlink rounds, what the block after
 * it will see once its poke is mined: the poke and the deleverages then go out as consecutive transactions.
 */
import { AbiCoder, concat, Interface } from "ethers";

import { ACCOUNT_STATUS } from "./abi.js";
import { DELEVERAGE_PREVIEW_BYTECODE, STATUS_PREVIEW_BYTECODE } from "./previewBytecode.js";
import { toAccountStatus, type StatusEntry } from "./status.js";
import type { PreviewVerdict } from "./txManager.js";
import type { AccountStatus } from "./types.js";

/** `IKeeperPreview`'s errors (the previews' results). */
export const KEEPER_PREVIEW_ABI = [
  `error StatusPreviewed(tuple(address account, bool ok, ${ACCOUNT_STATUS} status, bytes reason)[] entries)`,
  "error DeleveragePreviewed(uint256 sizeDelta, uint256 keeperFee, uint256 gasUsed)",
  "error DeleveragePreviewFailed(bytes reason)",
] as const;

export const previewInterface = new Interface(KEEPER_PREVIEW_ABI);
const coder = AbiCoder.defaultAbiCoder();

/** Data of a `StatusPreview` call: the statuses of `accounts` after poking `feeds`. */
export function statusPreviewData(oracle: string, feeds: readonly string[], module: string, accounts: readonly string[]): string {
  return concat([
    STATUS_PREVIEW_BYTECODE,
    coder.encode(["address", "address[]", "address", "address[]"], [oracle, feeds, module, accounts]),
  ]);
}

/** The statuses in a `StatusPreview`'s revert data; undefined when it is not `StatusPreviewed`. */
export function decodeStatusPreview(revertData: string): AccountStatus[] | undefined {
  try {
    const parsed = previewInterface.parseError(revertData);
    if (parsed?.name !== "StatusPreviewed") return undefined;
    return (parsed.args[0] as StatusEntry[]).map(toAccountStatus);
  } catch {
    return undefined;
  }
}

/** Data of a `DeleveragePreview` call: `deleverage(account, market)` after poking `feeds`. */
export function deleveragePreviewData(oracle: string, feeds: readonly string[], module: string, account: string, market: bigint): string {
  return concat([
    DELEVERAGE_PREVIEW_BYTECODE,
    coder.encode(["address", "address[]", "address", "address", "uint256"], [oracle, feeds, module, account, market]),
  ]);
}

/** The verdict in a `DeleveragePreview`'s revert data (the fee as `value`); undefined when it is neither result. */
export function decodeDeleveragePreview(revertData: string): PreviewVerdict | undefined {
  try {
    const parsed = previewInterface.parseError(revertData);
    if (parsed?.name === "DeleveragePreviewed") {
      return { ok: true, gasUsed: parsed.args.gasUsed as bigint, value: parsed.args.keeperFee as bigint };
    }
    if (parsed?.name === "DeleveragePreviewFailed") return { ok: false, revertData: parsed.args.reason as string };
    return undefined;
  } catch {
    return undefined;
  }
}
