/**
 * The body of `npm run bench:parity` (`scripts/commands/benchParity.ts`): the simulator's two engines on the long
 * paths, every policy: the ETH/USDT sample path (504 hourly bars, 837 oracle rounds) and the built-in crash (54
 * ten-minute steps). The model starts from the EVM engine's set-up chain. Prints each engine's table, the largest
 * relative difference of every figure and what exceeds `PARITY_TOLERANCE` (an error if anything does), and the
 * engines' wall and CPU times.
 */
import { simulationChain } from "../lib/chain.js";
import { USDC_WETH } from "../lib/environment.js";
import { readPricePath } from "../lib/prices.js";
import { ModelMarket } from "../lib/sim/model/market.js";
import { simulateModel } from "../lib/sim/model/simulate.js";
import { compareSummaries, largestDifferences } from "../lib/sim/parity.js";
import { crashPath } from "../lib/sim/paths.js";
import { type Replay, replayGenerated, replayPrices } from "../lib/sim/replay.js";
import { simulate } from "../lib/sim/simulate.js";
import { formatSummaryTable } from "../lib/sim/table.js";
import { generateProfile } from "../lib/uniswap/index.js";

export async function benchParity({ accounts }: { accounts: number }): Promise<void> {
  const paths: [string, Replay][] = [
    ["built-in crash", replayGenerated("built-in crash", crashPath({ seed: 20_250_312, start: 0, startPrice: 3_000 }))],
    ["sample path", replayPrices(await readPricePath("test/fixtures/eth-usdt-1h-sample.csv"))],
  ];
  const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
  let failed = false;
  for (const [name, replay] of paths) {
    const profile = generateProfile({ kind: "concentrated", spotPrice: replay.rounds[0]!.price, ...USDC_WETH, fee: 500, tickSpacing: 10 });
    const options = { replay, policies: ["ballast", "static", "tiered"] as const, accounts, seed: 20_250_312 };
    let market: ModelMarket | undefined;
    const chain = await simulationChain();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const evm = await simulate(chain, {
      ...options,
      onSystem: async (system) => void (market = await ModelMarket.fromChain(system, profile)),
    });
    const evmWall = seconds(t0);
    const evmCpu = process.cpuUsage(cpu0).user / 1e6;
    await chain.close();
    const cpu1 = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    const model = await simulateModel({ ...options, market: market! });
    const modelWall = seconds(t1);
    const modelCpu = process.cpuUsage(cpu1).user / 1e6;
    const mismatches = compareSummaries(evm.summary.policies, model.summary.policies);
    failed ||= mismatches.length > 0;
    process.stdout.write(
      `\n== ${name}, ${accounts} accounts ==\nEVM engine (wall ${evmWall.toFixed(1)} s, user CPU ${evmCpu.toFixed(1)} s):\n${formatSummaryTable(evm.summary)}\n`,
    );
    process.stdout.write(
      `model engine (wall ${modelWall.toFixed(2)} s, user CPU ${modelCpu.toFixed(2)} s):\n${formatSummaryTable(model.summary)}\n`,
    );
    process.stdout.write(`leverage EVM ${JSON.stringify(evm.leverage)} model ${JSON.stringify(model.leverage)}\n`);
    process.stdout.write(
      `largest relative differences: ${JSON.stringify(largestDifferences(evm.summary.policies, model.summary.policies))}\n`,
    );
    process.stdout.write(mismatches.length === 0 ? "within PARITY_TOLERANCE\n" : `OUT OF TOLERANCE: ${JSON.stringify(mismatches)}\n`);
  }
  if (failed) throw new Error("the engines differ beyond PARITY_TOLERANCE (above)");
}
