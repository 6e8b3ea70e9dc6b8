import type { NetworkConnection } from "hardhat/types/network";

import type { FlashAttacker } from "../../../typechain-types/index.js";
import { wad } from "../ballast/params.js";
import type { Environment } from "../environment.js";
import { ETH_MARKET, deploySystem, type System } from "../system.js";
import { fundToken, readSlot0 } from "../uniswap/index.js";
import { openAtFraction } from "./accounts.js";
import type { ScenarioSummary } from "./summary.js";

/** What the module showed before the attack and inside it. */
export interface FlashObservation {
  direction: "up" | "down";
  capBefore: bigint;
  capDuring: bigint;
  equityBefore: bigint;
  equityDuring: bigint;
  depthBefore: bigint;
  depthDuring: bigint;
  depthAfter: bigint;
  tradeSucceeded: boolean;
  tradeError: string;
  victimErrors: string[];
  victimsDeleveraged: number;
  /** Spot tick before the attack and inside it. */
  tickBefore: number;
  tickDuring: number;
  /** Flash loans taken in the attack's transaction. */
  flashLoans: number;
  /** Spot move the manipulation aimed at (fraction). */
  push: number;
}

export interface FlashLoanResult {
  summary: ScenarioSummary;
  observations: FlashObservation[];
  system: System;
  attacker: FlashAttacker;
  victims: string[];
}

const PUSH = 0.1;

/**
 * Flash-loan shocks: an attacker borrows from the USDC/WETH 0.3 % pool (a real Uniswap V3 `flash`), pushes
 * the 0.05 % reference pool's spot price 10 % up or down and doubles its in-range liquidity, refreshes
 * the module's depth state, then tries to (a) open a position 20 % above the cap the unmanipulated state
 * allows, (b) deleverage healthy accounts, (c) inflate its collateral value — all in one transaction.
 */
export async function runFlashLoanShocks(
  connection: NetworkConnection,
  options: { seed: number; environment?: Environment },
): Promise<FlashLoanResult> {
  const { ethers } = connection;
  const system = await deploySystem(connection, options.environment === undefined ? {} : { environment: options.environment });
  const { riskModule, engine } = system.ballast;
  const signers = await ethers.getSigners();
  const victims: string[] = [];
  for (const [i, victim] of signers.slice(1, 6).entries()) {
    await openAtFraction(system, victim, 20_000, 0.9, i % 2 === 0 ? 1 : -1);
    victims.push(await victim.getAddress());
  }

  const attacker = await ethers.deployContract("FlashAttacker", [
    await system.environment.pool3000.getAddress(),
    await system.environment.pool.getAddress(),
    await riskModule.getAddress(),
    await engine.getAddress(),
    ETH_MARKET,
  ]);
  const address = await attacker.getAddress();
  const usdc = await system.environment.usdc.getAddress();
  const weth = await system.environment.weth.getAddress();
  // Working capital for fees and slippage, and 100,000 USDC of collateral in the engine.
  await fundToken(connection, usdc, address, 600_000_000_000n);
  await fundToken(connection, weth, address, wad(100));
  await attacker.deposit(usdc, 100_000_000_000n);
  // A small long first, so that the cap the module reports is the long side's (the one the attack trades).
  const impersonated = await ethers.getImpersonatedSigner(address);
  await connection.networkHelpers.setBalance(address, 10n ** 18n);
  await (await engine.connect(impersonated).trade(ETH_MARKET, wad(0.1))).wait();

  const observations: FlashObservation[] = [];
  for (const direction of ["up", "down"] as const) {
    // Each attack starts from the same unmanipulated state.
    const clean = await connection.networkHelpers.takeSnapshot();
    const capBefore = (await riskModule.positionRisk(address, ETH_MARKET)).cap;
    const equityBefore = (await riskModule.accountStatus(address)).equity;
    const depthBefore = (await riskModule.depthState(ETH_MARKET)).down;
    const { sqrtPriceX96, tick } = await readSlot0(system.environment.pool);
    const liquidity = BigInt(await system.environment.pool.getFunction("liquidity")());
    // ETH (token1) up means fewer WETH per USDC: sqrtPrice down by sqrt(1 + push), bought with USDC (token0).
    const zeroForOne = direction === "up";
    const factor = zeroForOne ? 1 / Math.sqrt(1 + PUSH) : 1 / Math.sqrt(1 - PUSH);
    const limit = (sqrtPriceX96 * BigInt(Math.round(factor * 1e9))) / 10n ** 9n;
    const centre = Math.floor(tick / 10) * 10;
    const price = Number((await engine.markPrice(ETH_MARKET)) / 10n ** 12n) / 1e6;
    const receipt = await (
      await attacker.attack({
        borrow0: 40_000_000_000_000n, // 40M USDC
        borrow1: wad(12_000),
        zeroForOne,
        sqrtPriceLimitX96: limit,
        tickLower: centre - 100,
        tickUpper: centre + 100,
        liquidity,
        tradeSize: wad(((1.2 * Number(capBefore)) / 1e18 / price - 0.1).toFixed(12)),
        victims,
      })
    ).wait();
    const lender = system.environment.pool3000;
    const flashLoans = receipt!.logs.filter(
      (l) => l.address.toLowerCase() === (lender.target as string).toLowerCase() && lender.interface.parseLog(l)?.name === "Flash",
    ).length;
    const o = await attacker.observed();
    const count = Number(await attacker.victimCount());
    const errors: string[] = [];
    let deleveraged = 0;
    for (let i = 0; i < count; i++) {
      errors.push(await attacker.victimErrors(i));
      if (await attacker.victimDeleveraged(i)) deleveraged++;
    }
    observations.push({
      direction,
      capBefore,
      capDuring: o.capDuring,
      equityBefore,
      equityDuring: o.equityDuring,
      depthBefore,
      depthDuring: o.depthDownDuring,
      depthAfter: (await riskModule.depthState(ETH_MARKET)).down,
      tradeSucceeded: o.tradeSucceeded,
      tradeError: o.tradeError,
      victimErrors: errors,
      victimsDeleveraged: deleveraged,
      tickBefore: Number(tick),
      tickDuring: Number(o.spotTickDuring),
      flashLoans,
      push: PUSH,
    });
    await clean.restore();
  }
  const summary: ScenarioSummary = {
    scenario: "flash-loan-shocks",
    seed: options.seed,
    policies: [
      {
        policy: "ballast",
        badDebt: Number(await engine.badDebt()) / 1e18,
        liquidations: 0,
        liquidatedNotional: 0,
        deleverages: observations.reduce((n, o) => n + o.victimsDeleveraged, 0),
        deleveragedNotional: 0,
        maxPoolImpact: PUSH,
      },
    ],
  };
  return { summary, observations, system, attacker, victims };
}
