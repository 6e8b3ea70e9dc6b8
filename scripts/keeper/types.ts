/** Plain data the keeper's modules pass around (decoded from the contracts' ABI). */

/** `IRiskTypes.PositionRisk`. */
export interface PositionRisk {
  market: bigint;
  size: bigint;
  price: bigint;
  /** `IRiskTypes.PriceSource`: 0 Chainlink, 1 the stored pool TWAP, 2 the pool TWAP read live. */
  source: number;
  notional: bigint;
  cap: bigint;
  binding: number;
  deleverageNotional: bigint;
}

/** One entry of `IRiskLens.statusBatch`: `ok` false when the module's evaluation reverted (`reason`). */
export interface AccountStatus {
  account: string;
  ok: boolean;
  status: number;
  equity: bigint;
  /** The account rule's figures: requirement `R`, buffer `K` and free equity `E - K - R`. */
  requirement: bigint;
  buffer: bigint;
  freeEquity: bigint;
  worst: PositionRisk;
  ratio: bigint;
  reason: string;
}

/** A position to deleverage, with the figures it was ranked by. */
export interface Candidate {
  account: string;
  market: bigint;
  notional: bigint;
  cap: bigint;
  /** `notional / cap`, WAD (`2^256 - 1` when the cap is zero). */
  ratio: bigint;
  deleverageNotional: bigint;
  binding: number;
}
