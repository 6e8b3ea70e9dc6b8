/**
 * The model engine of the simulator: a `SimWorld` in TypeScript, with the same phase semantics as the EVM
 * engine in phase mode (actions queued and executed in order at `endPhase`, one block at `t + k`; reads from
 * the state the last block left). Ballast is the shared account rule with the module's state around it
 * (`ballast.ts`), the pool is an exact port of Uniswap V3's swap and oracle (`uniswap/modelPool.ts`), the
 * feeds and the volatility oracle are their TypeScript mirrors.
 */
import { BOUND_NAMES } from "../../riskMath.js";
import { Status } from "../../rule/account.js";
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, type Orientation, priceFromSqrtPriceX96, sqrtPriceX96FromPrice } from "../../uniswap/math.js";
import type { ModelPool } from "../../uniswap/modelPool.js";
import type { BookAccount } from "../book.js";
import type { PolicyName } from "../policies.js";
import type { CapsAndBindings, KeeperView, Outcome, SimWorld, StepEvents } from "../world.js";
import type { ModelBallast } from "./ballast.js";
import { type EngineEffects, type ModelEngine, TradeRefused } from "./engine.js";
import type { ModelFeed } from "./feed.js";
import type { ModelLeverageCap } from "./leverageCap.js";
import type { ModelVolatility } from "./volatility.js";

/** An exact input no swap to a price limit can exhaust (as the EVM world's arbitrage). */
const UNLIMITED = 2n ** 200n;

/** Everything one policy's run owns: its pool, feeds, oracle, engine and hook. */
export interface ModelParts {
  policy: PolicyName;
  pool: ModelPool;
  orientation: Orientation;
  feed: ModelFeed;
  collateralFeed: ModelFeed;
  volatility: ModelVolatility;
  collateralVolatility: ModelVolatility;
  engine: ModelEngine;
  /** Ballast's module (policy "ballast") or the baseline's leverage cap. */
  hook: { kind: "ballast"; module: ModelBallast } | { kind: "baseline"; cap: ModelLeverageCap };
  quoteAsset: string;
  baseAsset: string;
  /** Chain time and block number the run starts after. */
  time: number;
  block: number;
}

type Action = () => Outcome | undefined;

/** See the module comment. */
export class ModelWorld implements SimWorld {
  readonly policy: PolicyName;
  readonly windowSeconds: number;
  private queue: Action[] = [];
  /** Time of the phase being queued; reads answer at the time of the last block. */
  private phaseTime: number;
  private lastBlockTime: number;
  private block: number;
  private events: StepEvents = { deleverages: [], liquidations: [], baseFlow: 0 };

  constructor(private readonly parts: ModelParts) {
    this.policy = parts.policy;
    this.windowSeconds = parts.hook.kind === "ballast" ? parts.hook.module.params.deleverageWindow : 0;
    this.lastBlockTime = parts.time;
    this.phaseTime = parts.time + 1;
    this.block = parts.block;
  }

  label(account: number): string {
    return `#${account}`;
  }

  /** Ballast's module (the ballast policy's run), for inspection. */
  get module(): ModelBallast | undefined {
    return this.parts.hook.kind === "ballast" ? this.parts.hook.module : undefined;
  }

  async deposit(book: readonly BookAccount[]): Promise<void> {
    const { engine, quoteAsset, baseAsset } = this.parts;
    for (const account of book) {
      const index = engine.open();
      this.queue.push(() => {
        engine.deposit(index, quoteAsset, BigInt(Math.round(account.usdc * 1e6)));
        engine.deposit(index, baseAsset, BigInt(Math.round(account.weth * 1e6)) * 10n ** 12n);
        return undefined;
      });
    }
  }

  async beginStep(t: number): Promise<void> {
    this.phaseTime = t;
    this.events = { deleverages: [], liquidations: [], baseFlow: 0 };
  }

  async arbitrage(price: number): Promise<void> {
    const { pool, orientation } = this.parts;
    const limit = sqrtPriceX96FromPrice(price, orientation);
    if (limit === pool.sqrtPriceX96) return;
    const zeroForOne = limit < pool.sqrtPriceX96;
    this.queue.push(() => {
      pool.swapExactIn(zeroForOne, UNLIMITED, limit, this.phaseTime);
      return undefined;
    });
  }

  async publish(price: number | undefined, collateralDue: boolean): Promise<void> {
    this.queue.push(() => {
      if (price !== undefined) this.parts.feed.publish(price, this.phaseTime);
      if (collateralDue) this.parts.collateralFeed.publish(1, this.phaseTime);
      return undefined;
    });
  }

  async upkeep(collateralDue: boolean, pokes: boolean): Promise<void> {
    const module = this.module;
    if (module === undefined) return;
    this.queue.push(() => {
      if (pokes) this.parts.volatility.poke(this.parts.feed, this.phaseTime);
      if (pokes && collateralDue) this.parts.collateralVolatility.poke(this.parts.collateralFeed, this.phaseTime);
      module.refreshDepth(this.phaseTime);
      return undefined;
    });
  }

  async endPhase(): Promise<Outcome[]> {
    const queue = this.queue;
    this.queue = [];
    const time = this.phaseTime++;
    if (queue.length === 0) return [];
    this.block++;
    this.phaseTime = time;
    const outcomes: Outcome[] = [];
    for (const action of queue) {
      const outcome = action();
      if (outcome !== undefined) outcomes.push(outcome);
    }
    this.phaseTime = time + 1;
    this.lastBlockTime = time;
    return outcomes;
  }

  async allowed(account: number): Promise<{ allowed: number; size: number } | undefined> {
    try {
      const { hook, engine } = this.parts;
      if (hook.kind === "ballast") {
        const judged = hook.module.positionRisk(account, this.lastBlockTime);
        return { allowed: judged.cap, size: judged.size };
      }
      return { allowed: hook.cap.maxNotional(account), size: engine.accounts[account]!.position.size };
    } catch (error) {
      if (error instanceof TradeRefused) return undefined;
      throw error;
    }
  }

  async size(account: number): Promise<number> {
    return this.parts.engine.accounts[account]!.position.size;
  }

  async increase(account: number, sizeDelta: number): Promise<void> {
    // The EVM world sends `wad(sizeDelta.toFixed(12))`: the same twelve decimals here.
    const delta = Number(sizeDelta.toFixed(12));
    this.queue.push(() => ({ kind: "increase", account, ok: this.attempt(() => this.parts.engine.trade(account, delta, this.hook())) }));
  }

  async halve(account: number): Promise<void> {
    const size = this.parts.engine.accounts[account]!.position.size;
    if (size === 0) return;
    this.queue.push(() => ({
      kind: "reduction",
      account,
      ok: this.attempt(() => this.parts.engine.trade(account, -size / 2, this.hook())),
    }));
  }

  async keeperView(): Promise<KeeperView | undefined> {
    const module = this.module;
    if (module === undefined) return undefined;
    const over: KeeperView["over"] = [];
    const caps: CapsAndBindings = { cap: 0, binding: {} };
    for (let account = 0; account < this.parts.engine.accounts.length; account++) {
      const status = module.accountStatus(account, this.lastBlockTime);
      if (status === undefined) continue;
      if (status.status === Status.OverCap) over.push({ account, ratio: status.ratio });
      const worst = status.worst;
      if (worst === undefined || worst.size === 0) continue;
      caps.cap += worst.cap;
      const name = BOUND_NAMES[worst.binding];
      caps.binding[name] = (caps.binding[name] ?? 0) + 1;
    }
    over.sort((a, b) => b.ratio - a.ratio || a.account - b.account);
    return { over, caps };
  }

  async deleverage(account: number): Promise<void> {
    const module = this.module!;
    this.queue.push(() => {
      const ok = this.attempt(() => {
        const result = module.deleverage(account, this.phaseTime, this.block);
        this.events.deleverages.push({ account, notional: result.notional, capacity: result.capacity, t: this.phaseTime });
        return result.effects;
      }, true);
      return { kind: "deleverage", account, ok };
    });
  }

  async liquidatable(): Promise<boolean[]> {
    const { engine } = this.parts;
    return engine.accounts.map((_, i) => {
      try {
        return engine.liquidatable(i);
      } catch {
        return false;
      }
    });
  }

  async liquidate(account: number): Promise<void> {
    this.queue.push(() => {
      const ok = this.attempt(() => {
        const effects = this.parts.engine.liquidate(account);
        this.events.liquidations.push({ account, ...effects.liquidation! });
        return effects;
      }, true);
      return { kind: "liquidation", account, ok };
    });
  }

  async stepEvents(): Promise<StepEvents> {
    return this.events;
  }

  async unwind(baseFlow: number, price: number): Promise<void> {
    const { pool, orientation } = this.parts;
    // As the EVM world: the flow as WAD, in raw units of the token paid in.
    const flow = BigInt(Math.round(Number(baseFlow.toFixed(18)) * 1e18));
    const sell = flow < 0n;
    const amount = sell ? -flow : flow;
    const baseDecimals = orientation.baseIsToken0 ? orientation.token0Decimals : orientation.token1Decimals;
    const quoteDecimals = orientation.baseIsToken0 ? orientation.token1Decimals : orientation.token0Decimals;
    const amountIn = sell
      ? (amount * 10n ** BigInt(baseDecimals)) / 10n ** 18n
      : BigInt(Math.ceil((Number(amount) / 1e18) * price * 10 ** quoteDecimals));
    if (amountIn === 0n) return;
    const zeroForOne = sell === orientation.baseIsToken0;
    this.queue.push(() => {
      pool.swapExactIn(zeroForOne, amountIn, zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n, this.phaseTime);
      return undefined;
    });
  }

  async poolPrice(): Promise<number> {
    return priceFromSqrtPriceX96(this.parts.pool.sqrtPriceX96, this.parts.orientation);
  }

  async openInterest(): Promise<number> {
    return this.parts.engine.longSize + this.parts.engine.shortSize;
  }

  async badDebt(): Promise<number> {
    return this.parts.engine.badDebt;
  }

  async totalEquity(): Promise<number> {
    const { engine } = this.parts;
    return engine.accounts.reduce((sum, _, i) => sum + engine.margin(i).equity, 0);
  }

  async close(): Promise<void> {
    await this.endPhase();
  }

  /** The increase check of the world's policy, at the time of the block being executed. */
  private hook(): (account: number) => void {
    const { hook } = this.parts;
    if (hook.kind === "ballast") return (account) => hook.module.validateIncrease(account, this.phaseTime);
    return (account) => hook.cap.validateIncrease(account);
  }

  /**
   * Runs an action as a transaction: a refusal reverts it (false). What a closing action (deleverage,
   * liquidation) moved, and the base collateral it seized, is the step's flow into the pool.
   */
  private attempt(action: () => EngineEffects, closing = false): boolean {
    try {
      const effects = action();
      if (closing) this.events.baseFlow += effects.sizeChange - effects.baseSeized;
      return true;
    } catch (error) {
      if (error instanceof TradeRefused) return false;
      throw error;
    }
  }
}
