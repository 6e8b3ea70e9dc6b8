/** `npm run depth`: the module's depth against an actual swap on the real pool (body: `scripts/lib/depthCommand.ts`). */
import { defineCommand, flag } from "../lib/cli.js";

export const depthCommand = defineCommand({
  name: "depth",
  synopsis: "--pool <ticks.json> [--slippage <x>] [--window <s>]",
  description:
    "Seeds the replica's USDC/WETH 0.05 % pool (real Uniswap V3 bytecode at its mainnet address) from a tick snapshot,\n" +
    "refreshes the risk module's depth state and prints the module's depth beside the exact depth of an actual swap\n" +
    '(USD, fees excluded) as JSON: {"module": {"down", "up"}, "exact": {"down", "up"}, "slippage", "price", "provenance"}.',
  flags: {
    pool: flag.string("a Uniswap V3 tick snapshot of a USDC/WETH 0.05 % pool (token0 USDC 6 decimals, token1 WETH 18)", {
      value: "<ticks.json>",
      required: "a tick snapshot file (JSON)",
    }),
    slippage: flag.number("the price move the depth is measured to, a fraction", { min: 0.001, max: 0.2, default: 0.02 }),
    window: flag.int("the TWAP window, seconds", { min: 60, max: 86_400, default: 1_800, value: "<s>" }),
  },
  examples: ["npm run depth -- --pool test/fixtures/univ3-ticks-sample.json --slippage 0.01"],
  needsBuild: true,
  async run(args) {
    const { runDepthCommand } = await import("../lib/depthCommand.js");
    await runDepthCommand(args);
  },
});
