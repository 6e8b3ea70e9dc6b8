/** `npm run bench:model`: the model engine on a year of hourly bars (body: `scripts/bench/modelBench.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const benchModelCommand = defineCommand({
  name: "bench:model",
  synopsis: "[--hours <n>] [--accounts <n>]",
  description:
    "Runs the simulator's model engine on a bootstrap year of hourly bars (the ETH/USDT sample's returns) through Ballast\n" +
    "and both baselines and prints the summary with its wall and CPU time. Measures; asserts nothing.",
  flags: {
    hours: flag.int("hourly bars (8760: a year)", { min: 48, max: 24 * 366 * 5, default: 8_760 }),
    accounts: flag.int("accounts in the book", { min: 1, max: 1_000, default: 50 }),
  },
  examples: ["npm run bench:model", "npm run bench:model -- --hours 2160 --accounts 20"],
  needsBuild: false,
  async run(args) {
    const { benchModel } = await import("../bench/modelBench.js");
    await benchModel(args);
  },
});
