/**
 * What the keeper's transactions cost and earn: its balance (a gauge, and a warning below `minBalance`)
 * and the profitability check of a deleverage (its keeper fee, WAD USD, against its gas at the expected
 * price, converted with the native token's USD price from a Chainlink feed or a fixed price).
 */
import { formatEther, type Provider } from "ethers";

import { aggregatorInterface } from "./abi.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { KeeperMetrics } from "./metrics.js";
import type { Rpc } from "./rpc.js";
import type { Estimate, TxOutcome } from "./txManager.js";

const WAD = 10n ** 18n;

/** The gas cost of `gas` at `gasPrice` (wei), in WAD USD at `usdPerNative` (WAD USD per whole native token). */
export function gasCostUsd(gas: bigint, gasPrice: bigint, usdPerNative: bigint): bigint {
  return (gas * gasPrice * usdPerNative) / WAD;
}

/**
 * The profitability gate of a deleverage: `unprofitable` when its fee (the preview's value) is below the
 * gas cost; nothing (send it) when the fee covers it, when the policy is `send`, or when no price is known.
 */
export function profitGate(policy: "skip" | "send", usdPerNative: bigint | undefined) {
  return (estimate: Estimate): TxOutcome | undefined => {
    if (policy === "send" || usdPerNative === undefined || estimate.value === undefined) return undefined;
    const cost = gasCostUsd(estimate.gas, estimate.gasPrice, usdPerNative);
    if (estimate.value >= cost) return undefined;
    return { status: "unprofitable", reason: "keeper fee below gas cost", fee: estimate.value, cost };
  };
}

/** The native token's USD price, WAD: from a Chainlink feed (re-read each block) or a fixed number. */
export class NativePrice {
  private decimals: number | undefined;
  private warned = false;

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly source: { feed?: string; fixed?: number },
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.source.feed !== undefined || this.source.fixed !== undefined;
  }

  /** WAD USD per native token at `blockTag`; undefined when unknown (no source, or the feed failed). */
  async read(blockTag: number): Promise<bigint | undefined> {
    if (this.source.feed === undefined) {
      return this.source.fixed === undefined ? undefined : BigInt(Math.round(this.source.fixed * 1e9)) * 10n ** 9n;
    }
    const feed = this.source.feed;
    try {
      if (this.decimals === undefined) {
        const data = await this.rpc.call("eth_call", () =>
          this.provider.call({ to: feed, data: aggregatorInterface.encodeFunctionData("decimals") }),
        );
        this.decimals = Number(aggregatorInterface.decodeFunctionResult("decimals", data)[0]);
      }
      const data = await this.rpc.call("eth_call", () =>
        this.provider.call({ to: feed, data: aggregatorInterface.encodeFunctionData("latestRoundData"), blockTag }),
      );
      const answer = aggregatorInterface.decodeFunctionResult("latestRoundData", data)[1] as bigint;
      this.warned = false;
      if (answer <= 0n) return undefined;
      return (answer * WAD) / 10n ** BigInt(this.decimals);
    } catch (error) {
      if (!this.warned)
        this.logger.warn({ feed, error: describeError(error) }, "cannot read the native token's price: profitability not checked");
      this.warned = true;
      return undefined;
    }
  }
}

/** The keeper's balance: `keeper_balance_native`, and `keeper_balance_low` with a warning below the threshold. */
export class BalanceWatch {
  /** The balance last read, wei (undefined before the first read). */
  balance: bigint | undefined;
  low = false;

  constructor(
    private readonly provider: Provider,
    private readonly rpc: Rpc,
    private readonly address: string,
    private readonly threshold: bigint,
    private readonly logger: Logger,
    private readonly metrics: KeeperMetrics,
  ) {}

  async read(blockTag: number): Promise<void> {
    const balance = await this.rpc.call("eth_getBalance", () => this.provider.getBalance(this.address, blockTag));
    this.balance = balance;
    this.metrics.balance.set(Number(formatEther(balance)));
    const low = balance < this.threshold;
    if (low && !this.low) {
      this.logger.warn(
        { address: this.address, balance: formatEther(balance), minBalance: formatEther(this.threshold) },
        "keeper balance below minBalance: top it up, or transactions will fail",
      );
    } else if (!low && this.low) {
      this.logger.info({ address: this.address, balance: formatEther(balance) }, "keeper balance back above minBalance");
    }
    this.low = low;
    this.metrics.balanceLow.set(low ? 1 : 0);
  }
}
