import { Wallet } from "ethers";

import { wad } from "../lib/ballast/params.js";
import { deployOptions, enableGreeks, listStraddle, shortStraddleGreeks } from "../lib/options/setup.js";
import { ETH_MARKET, type System } from "../lib/system.js";
import type { GasMeter } from "../../typechain-types/index.js";

/** Gas of Greeks sizing (RISK-MODEL.md section 7), on a system whose ETH market has it enabled. */
export interface GreeksGas {
  /** `validateOptionsTrade` of a two-series book (a straddle) raising the worst loss: every check, cold. */
  validateOptionsTradeCold: number;
  /** The same for a trade that lowers the worst loss (judged without the strict checks). */
  validateOptionsTradeReducingCold: number;
  /** `validateIncrease` of a perpetual in the Greeks market of that account (the Greeks bound), cold. */
  validateIncreasePerpWithBookCold: number;
  /** A whole options trade (selling one call of a straddle book): pricing, ledger and the module's check. */
  optionsTradeTransaction: number;
  /** `greeksRisk` of the straddle book (eth_estimateGas of the view). */
  greeksRiskView: number;
}

/**
 * Enables Greeks sizing on the system's ETH market, attaches the reference options engine, and measures.
 * `metered` runs a call in a fresh transaction through the GasMeter and returns its gas.
 */
export async function measureGreeksGas(
  system: System,
  meter: GasMeter,
  metered: (meter: GasMeter, target: string, data: string) => Promise<number>,
): Promise<GreeksGas> {
  const { ethers, networkHelpers } = system.connection;
  const { riskModule } = system.ballast;
  await enableGreeks(system);
  const options = await deployOptions(system);
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const { call, put } = await listStraddle(options, system.admin, now + 30 * 86_400, 3_000);
  const writer = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
  await networkHelpers.setBalance(writer.address, 10n ** 20n);
  await system.deposit(writer, { usdc: 100_000 });
  await (await options.connect(writer).trade(put, -wad(5))).wait();
  const receipt = await (await options.connect(writer).trade(call, -wad(5))).wait();
  await (await system.ballast.engine.connect(writer).trade(ETH_MARKET, wad(-0.1))).wait();
  const module = await riskModule.getAddress();
  const straddle = await shortStraddleGreeks(options, call, put);
  const trade = (sign: bigint) => ({ delta: sign * straddle.delta, gamma: sign * straddle.gamma, vega: sign * straddle.vega });
  const validate = (sign: bigint) =>
    riskModule.interface.encodeFunctionData("validateOptionsTrade", [writer.address, ETH_MARKET, trade(sign)]);
  return {
    validateOptionsTradeCold: await metered(meter, module, validate(1n)),
    validateOptionsTradeReducingCold: await metered(meter, module, validate(-1n)),
    validateIncreasePerpWithBookCold: await metered(
      meter,
      module,
      riskModule.interface.encodeFunctionData("validateIncrease", [writer.address, ETH_MARKET]),
    ),
    optionsTradeTransaction: Number(receipt!.gasUsed),
    greeksRiskView: Number(await riskModule.greeksRisk.estimateGas(writer.address, ETH_MARKET)),
  };
}
