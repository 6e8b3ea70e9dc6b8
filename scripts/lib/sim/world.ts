/**
 * The market one policy trades in, as the simulator's step loop (`steps.ts`) drives it: the EVM chain
 * (`evm/world.ts`) or the TypeScript model (`model/world.ts`). The loop decides (traders, keeper, liquidator,
 * unwinds, reflexive oracle); a world executes and answers.
 *
 * **Blocks.** Actions are queued and executed at `endPhase()`, in order, as one block; every read answers from
 * the state at the start of the phase (the last block). A step is five phases: oracle (arbitrage, the round,
 * Ballast's upkeep), traders, keeper, liquidator, unwind; phase `k` of a step at time `t` runs at `t + k`. The
 * EVM world in `auto` mode (the demo's real keeper, the fork scenarios' hooks) instead mines every transaction
 * as it is sent and reads see it at once: the model mirrors the phase mode only.
 */
import type { BookAccount } from "./book.js";
import type { PolicyName } from "./policies.js";

/** What the queued actions of a phase did, in queue order. */
export interface Outcome {
  kind: "increase" | "reduction" | "deleverage" | "liquidation" | "other";
  account: number;
  ok: boolean;
}

/** A deleverage as the step accounts for it. */
export interface DeleverageEvent {
  account: number;
  notional: number;
  /** The window's capacity `rho * D(s_max)` before it, and when it happened (for the rolling-window check). */
  capacity: number;
  t: number;
}

/** A liquidation as the step accounts for it. */
export interface LiquidationEvent {
  account: number;
  closedNotional: number;
  shortfall: number;
}

/** What deleverages and liquidations did during a step. */
export interface StepEvents {
  deleverages: DeleverageEvent[];
  liquidations: LiquidationEvent[];
  /**
   * Base the closing actions put on the market: the sum of their position changes (closed longs are negative,
   * closed shorts positive) less the base collateral they seized (sold); its opposite is sold into the pool.
   */
  baseFlow: number;
}

/** The aggregate cap of the open positions and how many each bound binds (policies with caps). */
export interface CapsAndBindings {
  cap: number;
  binding: Record<string, number>;
}

/** An over-cap account as the keeper ranks it. */
export interface OverCap {
  account: number;
  /** `notional / cap` (Infinity for a zero cap). */
  ratio: number;
}

/** A keeper's view of the accounts at the start of its phase. */
export interface KeeperView {
  over: OverCap[];
  caps: CapsAndBindings;
}

export interface SimWorld {
  readonly policy: PolicyName;
  /** Length of the rolling deleverage window, seconds (0 for a policy without one). */
  readonly windowSeconds: number;
  /** How events name an account of the book (its address on the chain, its index in the model). */
  label(account: number): string;
  /** Deposits every account's collateral (one phase). */
  deposit(book: readonly BookAccount[]): Promise<void>;
  /** Starts a step: the next phase runs at `t`. */
  beginStep(t: number): Promise<void>;
  /** Queues: arbitrage moves the pool's price to `price`. */
  arbitrage(price: number): Promise<void>;
  /** Queues: the market's oracle publishes `price` now; and the collateral feed its round when due. */
  publish(price: number | undefined, collateralDue: boolean): Promise<void>;
  /**
   * Queues the policy's upkeep as the round lands (Ballast: volatility pokes, unless a real keeper pokes
   * itself, and the depth refresh).
   */
  upkeep(collateralDue: boolean, pokes: boolean): Promise<void>;
  /** Executes what was queued as one block (phase mode); returns what each action did. */
  endPhase(): Promise<Outcome[]>;
  /** Read: the largest notional (USD) the policy allows the account now, with its current signed size; undefined when it cannot size it. */
  allowed(account: number): Promise<{ allowed: number; size: number } | undefined>;
  /** Read: the account's signed position size (base units). */
  size(account: number): Promise<number>;
  /** Queues a trader's trade of `sizeDelta` (an increase towards its target). */
  increase(account: number, sizeDelta: number): Promise<void>;
  /** Queues a trader's cut of half the position. */
  halve(account: number): Promise<void>;
  /** Read: what the policy's keeper sees (over-cap accounts worst first, aggregate caps); undefined for none. */
  keeperView(): Promise<KeeperView | undefined>;
  /** Queues a deleverage of an account. */
  deleverage(account: number): Promise<void>;
  /** Read: which accounts are below maintenance. */
  liquidatable(): Promise<boolean[]>;
  /** Queues a liquidation. */
  liquidate(account: number): Promise<void>;
  /** What deleverages and liquidations did since `beginStep`. */
  stepEvents(): Promise<StepEvents>;
  /** Queues the unwind of `baseFlow` (see `StepEvents.baseFlow`) into the pool at about `price`. */
  unwind(baseFlow: number, price: number): Promise<void>;
  /** Read: the pool's spot price. */
  poolPrice(): Promise<number>;
  /** Read: open interest, both sides, base units. */
  openInterest(): Promise<number>;
  /** Read: the engine's bad debt so far. */
  badDebt(): Promise<number>;
  /** Read: the traders' total equity. */
  totalEquity(): Promise<number>;
  /** Leaves the world (the EVM world turns automine back on). */
  close(): Promise<void>;
}
