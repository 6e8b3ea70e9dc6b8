import type { Signer } from "ethers";

import { wad } from "../ballast/params.js";
import { ETH_MARKET, type System } from "../system.js";

/** Deposits `usdc` for `user` and opens a position of `fraction` of its current cap in `direction`. */
export async function openAtFraction(system: System, user: Signer, usdc: number, fraction: number, direction: 1 | -1): Promise<number> {
  await system.deposit(user, { usdc });
  const risk = await system.ballast.riskModule.positionRisk(await user.getAddress(), ETH_MARKET);
  const price = Number((await system.ballast.engine.markPrice(ETH_MARKET)) / 10n ** 12n) / 1e6;
  const size = ((Number(risk.cap) / 1e18) * fraction * direction) / price;
  await (await system.ballast.engine.connect(user).trade(ETH_MARKET, wad(size.toFixed(12)))).wait();
  return size;
}
