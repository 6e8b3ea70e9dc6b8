/**
 * Ranking of over-cap accounts: most over cap first, by `worst.notional / worst.cap` (RISK-MODEL.md
 * section 3, "most-over-cap accounts first"). Compared exactly by cross-multiplication; a zero cap ranks
 * first; ties go to the larger deleverage, then to the lower address, so two keepers rank alike.
 */
import { MaxUint256 } from "ethers";

import { Status } from "./abi.js";
import type { AccountStatus, Candidate } from "./types.js";

const WAD = 10n ** 18n;

/** `notional / cap` in WAD, rounded down; `2^256 - 1` for a zero cap. */
export function ratioWad(notional: bigint, cap: bigint): bigint {
  return cap === 0n ? MaxUint256 : (notional * WAD) / cap;
}

/** Negative when `a` is more over cap than `b` (sorts first). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.cap === 0n || b.cap === 0n) {
    if (a.cap !== 0n) return 1;
    if (b.cap !== 0n) return -1;
  } else {
    const left = a.notional * b.cap;
    const right = b.notional * a.cap;
    if (left !== right) return left > right ? -1 : 1;
  }
  if (a.deleverageNotional !== b.deleverageNotional) return a.deleverageNotional > b.deleverageNotional ? -1 : 1;
  const x = a.account.toLowerCase();
  const y = b.account.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The over-cap accounts of a scan (`ok` and `status == OverCap`), most over cap first. */
export function rankOverCap(statuses: Iterable<AccountStatus>): Candidate[] {
  const candidates: Candidate[] = [];
  for (const s of statuses) {
    if (!s.ok || s.status !== Status.OverCap) continue;
    const { market, notional, cap, deleverageNotional, binding } = s.worst;
    candidates.push({ account: s.account, market, notional, cap, ratio: ratioWad(notional, cap), deleverageNotional, binding });
  }
  return candidates.sort(compareCandidates);
}
