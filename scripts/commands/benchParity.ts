/** `npm run bench:parity`: both simulator engines on the long paths (body: `scripts/bench/parityBench.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const benchParityCommand = defineCommand({
  name: "bench:parity",
  synopsis: "[--accounts <n>]",
  description:
    "Runs the EVM engine and the model engine of the simulator on the built-in crash and the ETH/USDT sample path, every\n" +
    "policy, and prints both tables, the largest relative differences and their times; fails (exit 1) when a figure\n" +
    "differs beyond PARITY_TOLERANCE. Takes several minutes (the EVM engine).",
  flags: {
    accounts: flag.int("accounts in the book", { min: 1, max: 1_000, default: 50 }),
  },
  examples: ["npm run bench:parity", "npm run bench:parity -- --accounts 20"],
  needsBuild: true,
  async run(args) {
    const { benchParity } = await import("../bench/parityBench.js");
    await benchParity(args);
  },
});
