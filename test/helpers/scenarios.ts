import type { Signer } from "ethers";

import { ETH_MARKET, type System } from "../../scripts/lib/system.js";
import { fromWad } from "./numbers.js";

/**
 * Violent oracle rounds one minute apart that end at `endPrice` (default: the current price): the
 * volatility oracle's short memory reacts at once, the realized volatility hits its ceiling, and every
 * liquidation-distance cap shrinks. Pokes the oracle afterwards.
 */
export async function spikeVolatility(system: System, endPrice = 3_000): Promise<void> {
  const { time } = system.connection.networkHelpers;
  for (const price of [endPrice * 0.9, endPrice * 1.1, endPrice * 0.9, endPrice * 1.1, endPrice]) {
    await time.increase(60);
    await system.setEthPrice(price);
  }
  await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
}

/** Deposits `usdc` for `user` and opens a long of `fraction` of its current cap. Returns the size in ETH. */
export async function openAtFractionOfCap(system: System, user: Signer, usdc: number, fraction: number, price = 3_000): Promise<number> {
  await system.deposit(user, { usdc });
  const risk = await system.ballast.riskModule.positionRisk(await user.getAddress(), ETH_MARKET);
  // A new position is sized as a short (x_S >= x_L): a long of the same notional is within its own cap.
  const size = (fromWad(risk.cap) * fraction) / price;
  await system.trade(user, size);
  return size;
}
