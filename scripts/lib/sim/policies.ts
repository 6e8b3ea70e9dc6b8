import type { Signer } from "ethers";

import type { ILeverageCap } from "../../../typechain-types/contracts/reference/LeverageCap.js";
import type { ReferenceMarginEngine } from "../../../typechain-types/index.js";
import { wad } from "../ballast/params.js";
import { ETH_MARKET, type System } from "../system.js";

/** The policies the simulator compares on the same chain state, accounts and path. */
export type PolicyName = "ballast" | "static" | "tiered";
export const POLICY_NAMES: readonly PolicyName[] = ["ballast", "static", "tiered"];

/**
 * Baseline parameters. `static`: one leverage cap `L` for every position (as most perpetuals venues).
 * `tiered`: margin tiers by position notional as dYdX and Hyperliquid use them: `1.5 L` up to 25,000 USD,
 * `L` up to 250,000 USD, `L / 2` up to 1,000,000 USD and `L / 4` above. `L` is sized so that the baseline
 * allows the same calm-market capacity as Ballast (see `calibrateLeverage`).
 */
export function tiersFor(policy: Exclude<PolicyName, "ballast">, leverage: number): ILeverageCap.TierStruct[] {
  return tierValues(policy, leverage).map((t) => ({
    maxNotional: t.maxNotional === UNCAPPED ? 2n ** 128n - 1n : wad(t.maxNotional),
    maxLeverage: wad(t.maxLeverage.toFixed(6)),
  }));
}

/** The last tier's notional ceiling: none (`2^128 - 1` WAD on chain). */
const UNCAPPED = Number((2n ** 128n - 1n) / 10n ** 18n);

/** `tiersFor` in natural units (USD, leverage to six decimals as the contract receives it), for the model engine. */
export function tierValues(policy: Exclude<PolicyName, "ballast">, leverage: number): { maxNotional: number; maxLeverage: number }[] {
  const lev = (l: number) => Number(l.toFixed(6));
  if (policy === "static") return [{ maxNotional: UNCAPPED, maxLeverage: lev(leverage) }];
  return [
    { maxNotional: 25_000, maxLeverage: lev(1.5 * leverage) },
    { maxNotional: 250_000, maxLeverage: lev(leverage) },
    { maxNotional: 1_000_000, maxLeverage: lev(Math.max(1, leverage / 2)) },
    { maxNotional: UNCAPPED, maxLeverage: lev(Math.max(1, leverage / 4)) },
  ];
}

/** A policy deployed on the chain: the engine accounts trade on, and what it allows them. */
export interface Policy {
  name: PolicyName;
  engine: ReferenceMarginEngine;
  /** The largest notional (USD) the account's position in `market` (default ETH) may reach now (or at `blockTag`). */
  allowed(account: string, market?: bigint, blockTag?: number | "latest"): Promise<number>;
}

/** Ballast: the system's own engine, wired to the risk module. */
export function ballastPolicy(system: System): Policy {
  const module = system.ballast.riskModule;
  return {
    name: "ballast",
    engine: system.ballast.engine,
    async allowed(account, market = ETH_MARKET, blockTag = "latest") {
      return Number((await module.positionRisk(account, market, { blockTag })).cap) / 1e18;
    },
  };
}

/**
 * A baseline: a second reference engine, listed exactly as Ballast's (same markets, collaterals, feeds,
 * maintenance margin and liquidation bonus), wired to a `LeverageCap` with the policy's tiers.
 */
export async function baselinePolicy(
  system: System,
  name: Exclude<PolicyName, "ballast">,
  leverage: number,
  admin: Signer,
): Promise<Policy> {
  const { ethers } = system.connection;
  const engine = await ethers.deployContract("ReferenceMarginEngine", [await admin.getAddress()], admin);
  const cap = await ethers.deployContract("LeverageCap", [await engine.getAddress(), tiersFor(name, leverage)], admin);
  await (await engine.setRiskModule(await cap.getAddress())).wait();
  for (const token of [system.environment.usdc, system.environment.weth]) {
    const asset = await token.getAddress();
    const feed = asset === (await system.environment.usdc.getAddress()) ? system.feeds.usdc.address : system.feeds.eth.address;
    await (await engine.listCollateral(asset, { feed })).wait();
  }
  const market = await system.ballast.riskModule.marketConfig(ETH_MARKET);
  await (
    await engine.listMarket(ETH_MARKET, {
      feed: system.feeds.eth.address,
      maintenanceMargin: market.maintenanceMargin,
      liquidationBonus: wad(0.01),
    })
  ).wait();
  return {
    name,
    engine,
    async allowed(account, market = ETH_MARKET, blockTag = "latest") {
      return Number(await cap.maxNotional(account, market, { blockTag })) / 1e18;
    },
  };
}
