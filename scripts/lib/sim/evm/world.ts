/**
 * The EVM engine of the simulator: a `SimWorld` on an in-process chain with the real contracts (the replica's
 * Uniswap V3 pool and Chainlink proxies, Ballast or a baseline's `LeverageCap` on a reference engine).
 *
 * Two ways to mine. `phase` (the simulator's default): each phase of a step runs at a set time (`t`, `t + 1`, ...
 * for a step at `t`; the chain allows blocks with equal timestamps), its transactions are mined one per block
 * in the order sent, and every read of the phase answers from the block the phase started at (a `blockTag`):
 * a phase behaves as one block. This is the semantics the model engine mirrors. (A mempool mined as one block
 * would be the same, but the simulator re-executes its whole mempool on every insertion: quadratic.) `auto`:
 * every transaction mined as sent at the chain's own clock and reads see it at once (the real keeper of `npm
 * run demo` waits for its own receipts; the fork scenarios' hooks act between transactions).
 */
import { AbiCoder, type BaseContract, Contract, getAddress, keccak256, type Signer, toQuantity, Wallet } from "ethers";

import { wad } from "../../ballast/params.js";
import { answer, setPrice } from "../../chainlink/feeds.js";
import type { ReferenceMarginEngine } from "../../../../typechain-types/index.js";
import { BOUND_NAMES, type Bound } from "../../riskMath.js";
import type { System } from "../../system.js";
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, priceFromSqrtPriceX96, sqrtPriceX96FromPrice } from "../../uniswap/index.js";
import { FUNDER } from "../../uniswap/tokens.js";
import type { BookAccount } from "../book.js";
import { baseDecimals, quoteDecimals, type SimMarket, unwindInto } from "../market.js";
import type { Policy, PolicyName } from "../policies.js";
import type { CapsAndBindings, KeeperView, Outcome, SimWorld, StepEvents } from "../world.js";
import { AccountScreen } from "./screen.js";

export type MiningMode = "auto" | "phase";

/** A fixed gas limit: the simulator's transactions skip estimation (a revert is mined and counted the same). */
export const SIM_GAS = { gasLimit: 5_000_000n };
/** Accounts per lens call: an account costs up to ~0.6M gas of view when its market diverges from the TWAP. */
const LENS_CHUNK = 25;
const ABI = AbiCoder.defaultAbiCoder();
/** An exact input no swap to a price limit can exhaust. */
const UNLIMITED = 2n ** 200n;
const WETH_ABI = ["function deposit() payable", "function transfer(address to, uint256 amount) returns (bool)"] as const;

/** The replica's WETH9 as `signer` sees it. */
function weth(address: string, signer: Signer): Contract {
  return new Contract(address, WETH_ABI, signer);
}

/** A deterministic wallet per (seed, account index), so every policy trades with the same accounts. */
export function bookWallet(system: System, seed: number, index: number): Wallet {
  const key = keccak256(ABI.encode(["string", "uint256", "uint256"], ["ballast-sim", seed, index]));
  return new Wallet(key, system.connection.ethers.provider);
}

export interface EvmWorldOptions {
  system: System;
  policy: Policy;
  market: SimMarket;
  book: readonly BookAccount[];
  seed: number;
  mining: MiningMode;
}

/** See the module comment. */
export class EvmWorld implements SimWorld {
  readonly policy: PolicyName;
  windowSeconds = 0;
  private readonly system: System;
  private readonly market: SimMarket;
  private readonly engine: ReferenceMarginEngine;
  private readonly wallets: Wallet[];
  private readonly addresses: string[];
  private readonly mining: MiningMode;
  private readonly isBallast: boolean;
  private outcomes: Outcome[] = [];
  /** Where reads answer from: the block the phase started at (`phase`), or the latest (`auto`). */
  private readTag: number | "latest" = "latest";
  /** The keeper's and the liquidator's off-chain screen (phase mode; `auto` evaluates every account on-chain). */
  private screen: AccountScreen | undefined;
  /** Whether the phase mined anything. */
  private mined = false;
  private phaseTime = 0;
  private lastMinedTime = 0;
  /**
   * Seconds every step of this run is moved by: zero unless the chain is already past the path's first step
   * (a baseline's run after a snapshot restore: the chain's clock moves on with the wall clock). Baselines read
   * no clock, so a shift changes nothing they do; Ballast's run starts from the set-up state, unshifted.
   */
  private shift: number | undefined;
  private stepFromBlock = 0;
  private sizes = new Map<number, bigint>();
  private engineAddress = "";
  private adminAddress = "";
  private moduleAddress = "";

  private constructor(private readonly options: EvmWorldOptions) {
    this.system = options.system;
    this.market = options.market;
    this.policy = options.policy.name;
    this.engine = options.policy.engine;
    this.mining = options.mining;
    this.isBallast = options.policy.name === "ballast";
    this.wallets = options.book.map((a) => bookWallet(options.system, options.seed, a.index));
    this.addresses = this.wallets.map((w) => w.address);
  }

  /** A world for one policy run. */
  static async create(options: EvmWorldOptions): Promise<EvmWorld> {
    const world = new EvmWorld(options);
    const { system } = options;
    world.engineAddress = await world.engine.getAddress();
    world.moduleAddress = await system.ballast.riskModule.getAddress();
    if (world.isBallast) world.windowSeconds = Number((await system.ballast.riskModule.marketConfig(options.market.id)).deleverageWindow);
    world.adminAddress = await system.admin.getAddress();
    // The book's accounts send unsigned transactions (no signing, no nonce or fee look-ups).
    for (const address of world.addresses) await system.connection.networkHelpers.impersonateAccount(address);
    if (options.mining === "phase") {
      await fundSwapper(system, options.market);
      const provider = system.connection.ethers.provider;
      const latest = (await provider.getBlock("latest"))!;
      world.lastMinedTime = latest.timestamp;
      world.phaseTime = world.lastMinedTime + 1;
      world.readTag = latest.number;
      world.screen = new AccountScreen(
        system,
        world.engineAddress,
        world.addresses,
        world.moduleAddress,
        await system.ballast.volatilityOracle.getAddress(),
      );
    }
    return world;
  }

  label(account: number): string {
    return this.addresses[account] ?? String(account);
  }

  private get ethers() {
    return this.system.connection.ethers;
  }

  private get admin() {
    return this.system.admin;
  }

  // ------------------------------------------------------------------ phases

  async deposit(book: readonly BookAccount[]): Promise<void> {
    const { networkHelpers } = this.system.connection;
    if (this.mining === "phase") {
      // One balance for every queued WETH deposit of the phase (a later setBalance would overwrite an earlier one).
      const units = book.reduce((sum, a) => sum + BigInt(Math.round(a.weth * 1e6)) * 10n ** 12n, 0n);
      await networkHelpers.setBalance(FUNDER, units + 10n ** 18n);
      const quote = await this.ethers.getContractAt("TestToken", this.market.quote);
      const owner = await quote.owner();
      await networkHelpers.setBalance(owner, 10n ** 20n);
      for (const address of [owner, FUNDER]) await networkHelpers.impersonateAccount(address);
    }
    for (const [i, account] of book.entries()) {
      await networkHelpers.setBalance(this.addresses[i]!, 10n ** 20n);
      if (this.mining === "auto") await this.market.deposit(this.engineAddress, this.wallets[i]!, account);
      else await this.queueDeposit(i, account);
    }
  }

  async beginStep(t: number): Promise<void> {
    const provider = this.ethers.provider;
    this.stepFromBlock = (await provider.getBlockNumber()) + 1;
    if (this.mining === "phase") {
      this.shift ??= Math.max(0, this.lastMinedTime + 1 - t);
      this.phaseTime = t + this.shift;
      return;
    }
    if (t > (await provider.getBlock("latest"))!.timestamp) await this.system.connection.networkHelpers.time.increaseTo(t);
  }

  async arbitrage(price: number): Promise<void> {
    if (this.mining === "auto") return this.market.movePool(price);
    const current = (await this.slot0()).sqrtPriceX96;
    const limit = sqrtPriceX96FromPrice(price, this.market.orientation);
    if (limit === current) return;
    await this.queueSwap(limit < current, UNLIMITED, limit);
  }

  async publish(price: number | undefined, collateralDue: boolean): Promise<void> {
    const feeds = [
      ...(price === undefined ? [] : [{ feed: this.market.feed, price }]),
      ...(collateralDue ? [{ feed: this.system.feeds.usdc, price: 1 }] : []),
    ];
    for (const { feed, price: p } of feeds) {
      if (this.mining === "auto") await setPrice(feed, p);
      else
        await this.queue(
          "other",
          -1,
          this.call(this.adminAddress, feed.aggregator, await feed.aggregator.getAddress(), "transmit", [answer(p), this.phaseTime]),
        );
    }
  }

  async upkeep(collateralDue: boolean, pokes: boolean): Promise<void> {
    if (!this.isBallast) return;
    const { volatilityOracle, riskModule } = this.system.ballast;
    const oracle = await volatilityOracle.getAddress();
    if (pokes) {
      await this.queue("other", -1, this.call(this.adminAddress, volatilityOracle, oracle, "poke", [this.market.feed.address]));
      if (collateralDue)
        await this.queue("other", -1, this.call(this.adminAddress, volatilityOracle, oracle, "poke", [this.system.feeds.usdc.address]));
    }
    await this.queue("other", -1, this.call(this.adminAddress, riskModule, this.moduleAddress, "refreshDepth", [this.market.id]));
  }

  async endPhase(): Promise<Outcome[]> {
    const outcomes = this.outcomes;
    this.outcomes = [];
    if (this.mining === "phase") {
      if (outcomes.length > 0 || this.mined) {
        this.lastMinedTime = this.phaseTime;
        this.readTag = await this.ethers.provider.getBlockNumber();
      }
      this.mined = false;
      this.phaseTime++;
    }
    return outcomes.filter((o) => o.kind !== "other");
  }

  // ------------------------------------------------------------------ traders

  async allowed(account: number): Promise<{ allowed: number; size: number } | undefined> {
    const address = this.addresses[account]!;
    try {
      if (this.isBallast) {
        const risk = await this.system.ballast.riskModule.positionRisk(address, this.market.id, { blockTag: this.readTag });
        return { allowed: Number(risk.cap) / 1e18, size: Number(risk.size) / 1e18 };
      }
      const [allowed, size] = await Promise.all([this.options.policy.allowed(address, this.market.id, this.readTag), this.size(account)]);
      return { allowed, size };
    } catch {
      return undefined;
    }
  }

  async size(account: number): Promise<number> {
    const size = (await this.engine.position(this.addresses[account]!, this.market.id, { blockTag: this.readTag }))[0];
    this.sizes.set(account, size);
    return Number(size) / 1e18;
  }

  async increase(account: number, sizeDelta: number): Promise<void> {
    const args = [this.market.id, wad(sizeDelta.toFixed(12))];
    await this.queue("increase", account, this.call(this.addresses[account]!, this.engine, this.engineAddress, "trade", args));
  }

  async halve(account: number): Promise<void> {
    const size =
      this.sizes.get(account) ?? (await this.engine.position(this.addresses[account]!, this.market.id, { blockTag: this.readTag }))[0];
    if (size === 0n) return;
    await this.queue(
      "reduction",
      account,
      this.call(this.addresses[account]!, this.engine, this.engineAddress, "trade", [this.market.id, -size / 2n]),
    );
  }

  // ------------------------------------------------------------------ keeper and liquidator

  async keeperView(): Promise<KeeperView | undefined> {
    if (!this.isBallast) return undefined;
    let onChain = this.addresses.map((_, i) => i);
    if (this.screen !== undefined) {
      await this.screen.refresh(this.readTag);
      onChain = this.screen.keeperSuspects();
    }
    const entries = await statusBatch(
      this.system,
      onChain.map((i) => this.addresses[i]!),
      this.readTag,
    );
    const over = entries
      .map((e, k) => ({ e, account: onChain[k]! }))
      .filter(({ e }) => e.ok && e.status.status === 1n)
      .map(({ e, account }) => ({ account, ratio: ratioOf(e.status.worst.notional, e.status.worst.cap) }));
    over.sort((a, b) => b.ratio - a.ratio || a.account - b.account);
    // The aggregate cap: the chain's answer where it was asked, the rule's elsewhere (they agree to 1e-9).
    const caps: CapsAndBindings = { cap: 0, binding: {} };
    const add = (cap: number, binding: number) => {
      caps.cap += cap;
      const name = BOUND_NAMES[binding as Bound];
      caps.binding[name] = (caps.binding[name] ?? 0) + 1;
    };
    const asked = new Set(onChain);
    for (const [k, entry] of entries.entries()) {
      if (entry.ok && entry.status.worst.size !== 0n) add(Number(entry.status.worst.cap) / 1e18, Number(entry.status.worst.binding));
      asked.add(onChain[k]!);
    }
    for (let i = 0; i < this.addresses.length; i++) {
      if (asked.has(i)) continue;
      const worst = this.screen?.status(i)?.worst;
      if (worst !== undefined && worst.size !== 0) add(worst.cap, worst.binding);
    }
    return { over, caps };
  }

  async deleverage(account: number): Promise<void> {
    const module = this.system.ballast.riskModule;
    await this.queue(
      "deleverage",
      account,
      this.call(this.adminAddress, module, this.moduleAddress, "deleverage", [this.addresses[account]!, this.market.id]),
    );
  }

  async liquidatable(): Promise<boolean[]> {
    if (this.screen === undefined) return [...(await this.engine.liquidatable(this.addresses, { blockTag: this.readTag }))];
    await this.screen.refresh(this.readTag);
    const suspects = this.screen.liquidationSuspects();
    const flags = this.addresses.map(() => false);
    if (suspects.length === 0) return flags;
    const answers = await this.engine.liquidatable(
      suspects.map((i) => this.addresses[i]!),
      { blockTag: this.readTag },
    );
    suspects.forEach((i, k) => (flags[i] = answers[k]!));
    return flags;
  }

  async liquidate(account: number): Promise<void> {
    await this.queue(
      "liquidation",
      account,
      this.call(this.adminAddress, this.engine, this.engineAddress, "liquidate", [this.addresses[account]!]),
    );
  }

  async stepEvents(): Promise<StepEvents> {
    const provider = this.ethers.provider;
    const module = this.system.ballast.riskModule;
    const logs = await provider.getLogs({ fromBlock: this.stepFromBlock, toBlock: "latest" });
    const index = new Map(this.addresses.map((a, i) => [a, i]));
    const closing = new Set<string>();
    const parsed = logs.map((log) => {
      const event =
        log.address === this.moduleAddress
          ? module.interface.parseLog(log)
          : log.address === this.engineAddress
            ? this.engine.interface.parseLog(log)
            : null;
      if (event?.name === "Deleveraged" || event?.name === "Liquidated") closing.add(log.transactionHash);
      return { log, event };
    });
    const result: StepEvents = { deleverages: [], liquidations: [], baseFlow: 0 };
    const blocks = new Map<number, { t: number; capacity: number }>();
    let baseFlow = 0n;
    for (const { log, event } of parsed) {
      if (event === null) continue;
      if (event.name === "Deleveraged" && log.address === this.moduleAddress) {
        let block = blocks.get(log.blockNumber);
        if (block === undefined) {
          const [, capacity] = await module.deleverageCapacity(this.market.id, { blockTag: log.blockNumber - 1 });
          block = { t: (await provider.getBlock(log.blockNumber))!.timestamp, capacity: Number(capacity) / 1e18 };
          blocks.set(log.blockNumber, block);
        }
        const account = index.get(getAddress(event.args.account as string)) ?? -1;
        result.deleverages.push({ account, notional: Number(event.args.notional as bigint) / 1e18, ...block });
      }
      if (log.address !== this.engineAddress) continue;
      if (event.name === "Liquidated") {
        result.liquidations.push({
          account: index.get(getAddress(event.args.account as string)) ?? -1,
          closedNotional: Number(event.args.closedNotional as bigint) / 1e18,
          shortfall: Number(event.args.shortfall as bigint) / 1e18,
        });
      }
      if (!closing.has(log.transactionHash)) continue;
      // Closed longs sell the base, closed shorts buy it, seized base collateral is sold.
      if (event.name === "PositionChanged" && event.args.market === this.market.id)
        baseFlow += (event.args.sizeAfter as bigint) - (event.args.sizeBefore as bigint);
      if (event.name === "CollateralSeized" && event.args.asset === this.market.base)
        baseFlow -= ((event.args.amount as bigint) * 10n ** 18n) / 10n ** BigInt(baseDecimals(this.market.orientation));
    }
    result.baseFlow = Number(baseFlow) / 1e18;
    return result;
  }

  async unwind(baseFlow: number, price: number): Promise<void> {
    const flow = wad(baseFlow.toFixed(18));
    if (this.mining === "auto") return unwindInto(this.system.connection, this.system.environment.swapper, this.market, flow, price);
    const sell = flow < 0n;
    const amount = sell ? -flow : flow;
    const baseUnits = 10n ** BigInt(baseDecimals(this.market.orientation));
    const amountIn = sell
      ? (amount * baseUnits) / 10n ** 18n
      : BigInt(Math.ceil((Number(amount) / 1e18) * price * 10 ** quoteDecimals(this.market.orientation)));
    if (amountIn === 0n) return;
    const zeroForOne = sell === this.market.orientation.baseIsToken0;
    await this.queueSwap(zeroForOne, amountIn, zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n);
  }

  // ------------------------------------------------------------------ reads

  async poolPrice(): Promise<number> {
    return priceFromSqrtPriceX96((await this.slot0()).sqrtPriceX96, this.market.orientation);
  }

  async openInterest(): Promise<number> {
    const [longSize, shortSize] = await this.engine.openInterest(this.market.id, { blockTag: this.readTag });
    return Number(longSize + shortSize) / 1e18;
  }

  async badDebt(): Promise<number> {
    return Number(await this.engine.badDebt({ blockTag: this.readTag })) / 1e18;
  }

  async totalEquity(): Promise<number> {
    let total = 0;
    for (const address of this.addresses) total += Number((await this.engine.margin(address, { blockTag: this.readTag })).equity) / 1e18;
    return total;
  }

  async close(): Promise<void> {
    await this.endPhase();
  }

  /** The pool's `slot0` as the phase reads it. */
  private async slot0(): Promise<{ sqrtPriceX96: bigint }> {
    const slot0 = (await this.market.pool.getFunction("slot0")({ blockTag: this.readTag })) as unknown as [bigint];
    return { sqrtPriceX96: slot0[0] };
  }

  // ------------------------------------------------------------------ transactions

  /**
   * Sends a transaction `from` an unlocked or impersonated account, with a fixed gas limit (no estimation, no
   * signing), mined at once (in `phase` mode in a block at the phase's time); its outcome is whether it reverted.
   */
  private async queue(
    kind: Outcome["kind"],
    account: number,
    tx: { from: string; to: string; data: string; value?: bigint },
  ): Promise<void> {
    const request = {
      from: tx.from,
      to: tx.to,
      data: tx.data,
      gas: toQuantity(SIM_GAS.gasLimit),
      ...(tx.value === undefined ? {} : { value: toQuantity(tx.value) }),
    };
    const provider = this.ethers.provider;
    if (this.mining === "phase") await provider.send("evm_setNextBlockTimestamp", [this.phaseTime]);
    if (account >= 0) this.screen?.touch(this.addresses[account]!);
    let ok = true;
    try {
      await provider.send("eth_sendTransaction", [request]);
    } catch {
      ok = false;
    }
    this.mined = true;
    this.outcomes.push({ kind, account, ok });
  }

  /** A call of `contract`'s `method` with `args`, as a raw transaction request. */
  private call(from: string, contract: BaseContract, to: string, method: string, args: readonly unknown[], value?: bigint) {
    return { from, to, data: contract.interface.encodeFunctionData(method, args), ...(value === undefined ? {} : { value }) };
  }

  private async queueSwap(zeroForOne: boolean, amountIn: bigint, limit: bigint): Promise<void> {
    const swapperAddress = this.system.environment.swapper;
    const swapper = await this.ethers.getContractAt("PoolSwapper", swapperAddress);
    const pool = await this.market.pool.getAddress();
    await this.queue(
      "other",
      -1,
      this.call(this.adminAddress, swapper, swapperAddress, "swap", [pool, zeroForOne, amountIn, limit, swapperAddress]),
    );
  }

  /** Funds an account with its collateral and deposits it, as queued transactions of the deposit phase. */
  private async queueDeposit(index: number, account: BookAccount): Promise<void> {
    const { ethers } = this.system.connection;
    const wallet = this.addresses[index]!;
    const erc20 = await ethers.getContractAt("TestToken", this.market.quote);
    const wrapped = weth(this.market.base, this.admin);
    for (const [asset, amount, decimals] of [
      [this.market.quote, account.usdc, 6],
      [this.market.base, account.weth, 18],
    ] as const) {
      if (amount === 0) continue;
      const units = BigInt(Math.round(amount * 1e6)) * 10n ** BigInt(decimals - 6);
      if (asset === this.market.quote) {
        await this.queue("other", index, this.call(await erc20.owner(), erc20, asset, "mint", [wallet, units]));
      } else {
        await this.queue("other", index, this.call(FUNDER, wrapped, asset, "deposit", [], units));
        await this.queue("other", index, this.call(FUNDER, wrapped, asset, "transfer", [wallet, units]));
      }
      await this.queue("other", index, this.call(wallet, erc20, asset, "approve", [this.engineAddress, units]));
      await this.queue("other", index, this.call(wallet, this.engine, this.engineAddress, "deposit", [asset, units]));
    }
  }
}

/**
 * Phase mining pays arbitrage and unwinds from the replica swapper's own balance: funds it once, beyond any
 * need (a no-op when it already holds enough). Call it before the state every policy starts from is saved.
 */
export async function fundSwapper(system: System, market: Pick<SimMarket, "quote" | "base">): Promise<void> {
  const { ethers, networkHelpers } = system.connection;
  const swapper = system.environment.swapper;
  const quote = await ethers.getContractAt("TestToken", market.quote);
  if ((await quote.balanceOf(swapper)) < 10n ** 30n) {
    const minter = await ethers.getImpersonatedSigner(await quote.owner());
    await networkHelpers.setBalance(await minter.getAddress(), 10n ** 20n);
    await (await quote.connect(minter).mint(swapper, 10n ** 30n)).wait();
  }
  const base = await ethers.getContractAt("TestToken", market.base);
  if ((await base.balanceOf(swapper)) < 10n ** 27n) {
    const amount = 10n ** 27n;
    await networkHelpers.setBalance(FUNDER, amount + 10n ** 18n);
    const token = weth(market.base, await ethers.getImpersonatedSigner(FUNDER));
    await (await token.getFunction("deposit")({ value: amount })).wait();
    await (await token.getFunction("transfer")(swapper, amount)).wait();
  }
}

/** Every account's status through the lens, in chunks that stay far below the block gas limit. */
export async function statusBatch(system: System, accounts: readonly string[], blockTag: number | "latest" = "latest") {
  const { riskModule, riskLens } = system.ballast;
  const module = await riskModule.getAddress();
  const entries = [];
  for (let i = 0; i < accounts.length; i += LENS_CHUNK)
    entries.push(...(await riskLens.statusBatch(module, accounts.slice(i, i + LENS_CHUNK), { blockTag })));
  return entries;
}

/** `notional / cap` as a number (Infinity for a zero cap). */
function ratioOf(notional: bigint, cap: bigint): number {
  return cap === 0n ? Infinity : Number(notional) / Number(cap);
}
