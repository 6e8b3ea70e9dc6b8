/**
 * The reference margin engine (`ReferenceMarginEngine`) in the model engine, for one market: cross-margin
 * accounts with collateral balances (raw token units, as the contract holds them), a perpetual position each
 * (size in base units, average entry price) and a USD ledger; trades at the latest positive oracle price with
 * realized PnL settled out of collateral; the risk hook's check after effects (a refused trade changes
 * nothing); the module's reductions with a keeper fee; liquidation below maintenance with a bonus, and bad
 * debt when the account is insolvent. Amounts in USD, floating point.
 */
import type { ModelFeed } from "./feed.js";

/** A collateral asset the engine lists: its feed and token decimals. */
export interface EngineCollateral {
  asset: string;
  feed: ModelFeed;
  decimals: number;
}

export interface EnginePosition {
  size: number;
  entryPrice: number;
}

export interface EngineAccount {
  /** Balances in raw token units, in the order the account first deposited them (the seizure order). */
  balances: Map<string, bigint>;
  position: EnginePosition;
  ledger: number;
}

/** `IReferenceMarginEngine.Margin` (options value is always zero here). */
export interface Margin {
  collateralValue: number;
  ledger: number;
  unrealizedPnl: number;
  requirement: number;
  equity: number;
}

/** What one engine call did, for the simulator's accounting (`PositionChanged`, `CollateralSeized`, `Liquidated`). */
export interface EngineEffects {
  /** Sum of `sizeAfter - sizeBefore` of the market's position changes. */
  sizeChange: number;
  /** Base collateral seized (units of the market's base token). */
  baseSeized: number;
  /** Set by a liquidation. */
  liquidation?: { closedNotional: number; shortfall: number };
}

/** The check a policy runs after an increase; throws to refuse it. */
export type IncreaseHook = (account: number) => void;

/** A trade the engine or its hook refused (a revert: expected, frequent, so without a stack trace). */
export class TradeRefused extends Error {
  override readonly name = "TradeRefused";

  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export class ModelEngine {
  readonly accounts: EngineAccount[] = [];
  longSize = 0;
  shortSize = 0;
  badDebt = 0;
  /** USD credited to keepers and liquidators (their ledgers). */
  paid = 0;
  /** Incremented by every change of an account or of open interest (a cache key for what reads it). */
  version = 0;

  constructor(
    readonly feed: ModelFeed,
    readonly maintenanceMargin: number,
    readonly liquidationBonus: number,
    readonly collaterals: ReadonlyMap<string, EngineCollateral>,
    readonly baseAsset: string,
  ) {}

  clone(): ModelEngine {
    const copy = new ModelEngine(this.feed, this.maintenanceMargin, this.liquidationBonus, this.collaterals, this.baseAsset);
    for (const a of this.accounts) copy.accounts.push(cloneAccount(a));
    copy.longSize = this.longSize;
    copy.shortSize = this.shortSize;
    copy.badDebt = this.badDebt;
    copy.paid = this.paid;
    return copy;
  }

  /** Adds an account (index = its position in the book). */
  open(): number {
    this.accounts.push({ balances: new Map(), position: { size: 0, entryPrice: 0 }, ledger: 0 });
    return this.accounts.length - 1;
  }

  deposit(account: number, asset: string, amount: bigint): void {
    if (amount <= 0n) return;
    this.version++;
    const balances = this.accounts[account]!.balances;
    balances.set(asset, (balances.get(asset) ?? 0n) + amount);
  }

  /** The market's mark: the latest positive oracle answer. */
  price(): number {
    const p = this.feed.latestPrice();
    if (p === undefined) throw new TradeRefused("PriceUnavailable");
    return p;
  }

  collateralValue(account: number): number {
    let value = 0;
    for (const [asset, balance] of this.accounts[account]!.balances) {
      const c = this.collaterals.get(asset)!;
      const price = c.feed.latestPrice();
      if (price === undefined) throw new TradeRefused("PriceUnavailable");
      value += (Number(balance) / 10 ** c.decimals) * price;
    }
    return value;
  }

  margin(account: number): Margin {
    const a = this.accounts[account]!;
    const collateralValue = this.collateralValue(account);
    let unrealizedPnl = 0;
    let requirement = 0;
    if (a.position.size !== 0) {
      const price = this.price();
      unrealizedPnl = pnl(a.position.size, a.position.entryPrice, price);
      requirement = Math.abs(a.position.size) * price * this.maintenanceMargin;
    }
    return { collateralValue, ledger: a.ledger, unrealizedPnl, requirement, equity: collateralValue + a.ledger + unrealizedPnl };
  }

  liquidatable(account: number): boolean {
    const m = this.margin(account);
    return m.equity < m.requirement;
  }

  /**
   * `trade`: moves the position by `sizeDelta` at the mark; an increase (or a flip) is then checked by `hook`
   * and the engine's maintenance margin, and undone entirely when either refuses it.
   */
  trade(account: number, sizeDelta: number, hook: IncreaseHook): EngineEffects {
    if (sizeDelta === 0) throw new TradeRefused("ZeroAmount");
    const a = this.accounts[account]!;
    const before = a.position.size;
    const next = before + sizeDelta;
    const increase = Math.abs(next) > Math.abs(before) || (before !== 0 && next !== 0 && before > 0 !== next > 0);
    const saved = increase ? { account: cloneAccount(a), longSize: this.longSize, shortSize: this.shortSize } : undefined;
    const effects = this.effects();
    this.applyTrade(account, next, this.price(), effects);
    if (saved !== undefined) {
      try {
        hook(account);
        const m = this.margin(account);
        if (m.equity < m.requirement) throw new TradeRefused("BelowMaintenance");
      } catch (error) {
        this.version++;
        this.accounts[account] = saved.account;
        this.longSize = saved.longSize;
        this.shortSize = saved.shortSize;
        throw error;
      }
    }
    return effects;
  }

  /** `reducePosition` (the risk module's deleverage): reduce by `sizeDelta`, pay the keeper `fee`. */
  reducePosition(account: number, sizeDelta: number, fee: number): EngineEffects {
    const a = this.accounts[account]!;
    const size = a.position.size;
    if (sizeDelta > Math.abs(size) * (1 + 1e-12)) throw new TradeRefused("ReduceTooLarge");
    const next = size > 0 ? Math.max(0, size - sizeDelta) : Math.min(0, size + sizeDelta);
    const effects = this.effects();
    this.applyTrade(account, next, this.price(), effects);
    a.ledger -= fee;
    this.paid += fee;
    this.version++;
    this.settle(account, effects);
    return effects;
  }

  /** `liquidate`: closes the position at the mark with the bonus to the liquidator; records bad debt. */
  liquidate(account: number, bonusRate = this.liquidationBonus): EngineEffects {
    const m = this.margin(account);
    if (m.equity >= m.requirement) throw new TradeRefused("NotLiquidatable");
    const a = this.accounts[account]!;
    const effects = this.effects();
    let closed = 0;
    let bonus = 0;
    if (a.position.size !== 0) {
      const price = this.price();
      closed = Math.abs(a.position.size) * price;
      bonus = closed * bonusRate;
      this.applyTrade(account, 0, price, effects);
    }
    a.ledger -= bonus;
    this.paid += bonus;
    this.version++;
    const equity = this.collateralValue(account) + a.ledger;
    let shortfall = 0;
    if (equity < 0) {
      shortfall = -equity;
      this.badDebt += shortfall;
      this.seize(account, Infinity, effects);
      a.ledger = 0;
    } else {
      this.settle(account, effects);
    }
    effects.liquidation = { closedNotional: closed, shortfall };
    return effects;
  }

  private effects(): EngineEffects {
    return { sizeChange: 0, baseSeized: 0 };
  }

  /** `_applyTrade`: realize PnL on the closed part, average the entry on the opened part, keep open interest. */
  private applyTrade(account: number, next: number, price: number, effects: EngineEffects): void {
    this.version++;
    const a = this.accounts[account]!;
    const p = a.position;
    const before = p.size;
    const flips = before !== 0 && next !== 0 && before > 0 !== next > 0;
    if (before !== 0 && (flips || Math.abs(next) < Math.abs(before))) {
      const closedSize = flips ? Math.abs(before) : Math.abs(before) - Math.abs(next);
      const realized = pnl(before > 0 ? closedSize : -closedSize, p.entryPrice, price);
      a.ledger += realized;
      if (realized < 0) this.settle(account, effects);
    }
    if (next === 0) p.entryPrice = 0;
    else if (flips || before === 0) p.entryPrice = price;
    else if (Math.abs(next) > Math.abs(before))
      p.entryPrice = (Math.abs(before) * p.entryPrice + (Math.abs(next) - Math.abs(before)) * price) / Math.abs(next);
    p.size = next;
    if (before > 0) this.longSize -= before;
    else this.shortSize -= -before;
    if (next > 0) this.longSize += next;
    else this.shortSize += -next;
    effects.sizeChange += next - before;
  }

  /** `_settle`: a negative ledger is paid out of collateral as far as it goes. */
  private settle(account: number, effects: EngineEffects): void {
    const a = this.accounts[account]!;
    if (a.ledger < 0) a.ledger += this.seize(account, -a.ledger, effects);
  }

  /** `_seize`: collateral worth up to `value` (all of it for `Infinity`), asset by asset; returns the value seized. */
  private seize(account: number, value: number, effects: EngineEffects): number {
    this.version++;
    const a = this.accounts[account]!;
    let seized = 0;
    for (const [asset, balance] of [...a.balances]) {
      if (seized >= value) break;
      const c = this.collaterals.get(asset)!;
      const price = c.feed.latestPrice();
      if (price === undefined) continue;
      const scale = 10 ** c.decimals;
      let amount = balance;
      let worth = (Number(balance) / scale) * price;
      if (value !== Infinity && worth > value - seized) {
        amount = BigInt(Math.ceil(((value - seized) / price) * scale));
        if (amount > balance) amount = balance;
        worth = (Number(amount) / scale) * price;
      }
      const left = balance - amount;
      if (left === 0n) removeKeepingOrder(a.balances, asset);
      else a.balances.set(asset, left);
      seized += worth;
      if (asset === this.baseAsset) effects.baseSeized += Number(amount) / scale;
    }
    return seized;
  }
}

/** Realized or unrealized PnL of a signed size bought at `entry` and marked at `price`. */
function pnl(size: number, entry: number, price: number): number {
  return size * (price - entry);
}

function cloneAccount(a: EngineAccount): EngineAccount {
  return { balances: new Map(a.balances), position: { ...a.position }, ledger: a.ledger };
}

/**
 * Removes an asset as the contract's `_removeAddress` does: the last asset takes the removed one's place.
 */
function removeKeepingOrder(balances: Map<string, bigint>, asset: string): void {
  const entries = [...balances];
  const index = entries.findIndex(([a]) => a === asset);
  const last = entries.length - 1;
  if (index !== last) entries[index] = entries[last]!;
  entries.pop();
  balances.clear();
  for (const [a, b] of entries) balances.set(a, b);
}
