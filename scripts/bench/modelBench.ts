/**
 * The body of `npm run bench:model` (`scripts/commands/benchModel.ts`): the model engine's speed on a year of hourly
 * bars with all three policies (the baselines' leverage calibration included). The path is a stationary bootstrap of
 * the ETH/USDT sample's hourly returns (seed 1). Prints wall and CPU time; measures, asserts nothing.
 */
import { hourlyFromPath, logReturns } from "../lib/calibrate/history.js";
import { generatePaths } from "../lib/calibrate/paths.js";
import { readPricePath } from "../lib/prices.js";
import { simulateModel } from "../lib/sim/model/simulate.js";
import { replayPrices } from "../lib/sim/replay.js";
import { formatSummaryTable } from "../lib/sim/table.js";
import type { PricePath } from "../lib/prices.js";

export async function benchModel({ hours, accounts }: { hours: number; accounts: number }): Promise<void> {
  const series = hourlyFromPath(await readPricePath("test/fixtures/eth-usdt-1h-sample.csv"));
  const [mc] = generatePaths(logReturns(series), {
    count: 1,
    hours,
    meanBlock: 24,
    seed: 1,
    startPrice: series.prices[0]!,
    stress: { share: 0, volScale: [1, 1], gaps: [0, 0], upShare: 0 },
  });
  const path: PricePath = {
    file: `bootstrap year (${hours} hourly bars of the ETH/USDT sample's returns)`,
    kind: "price",
    points: mc!.prices.map((p, i) => ({ t: 1_560_000_000 + i * 3_600, open: p, high: p, low: p, close: p })),
  };
  const replay = replayPrices(path);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const sim = await simulateModel({ replay, policies: ["ballast", "static", "tiered"], accounts, seed: 20_250_312, noSeries: false });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${formatSummaryTable(sim.summary)}\n`);
  process.stdout.write(
    `model engine: ${hours} steps (${replay.rounds.length} oracle rounds) x ${accounts} accounts x 3 policies: wall ${wall.toFixed(1)} s, user CPU ${(used.user / 1e6).toFixed(1)} s, system ${(used.system / 1e6).toFixed(1)} s\n`,
  );
}
