/**
 * The body of `npm run depth` (flags and help: `scripts/commands/depth.ts`): seeds the replica's USDC/WETH
 * 0.05 % pool from a tick snapshot, lets the TWAP window pass, refreshes the risk module's depth state, and
 * prints `{"module": {"down", "up"}, "exact": {"down", "up"}, "slippage", "price", "provenance"}`: the
 * module's depth (USD) and the exact depth found by swapping against the real pool until the price has
 * moved by the slippage bound, fees excluded (the pool takes its fee from the input: `down` is the quote
 * paid out, `up` the quote paid in net of the fee; see `scripts/lib/uniswap/depth.ts`). The module's figure
 * must never exceed the exact one.
 */
import { wad } from "./ballast/params.js";
import { inProcessChain } from "./chain.js";
import { USDC_WETH } from "./environment.js";
import { InputError } from "./errors.js";
import { toJson } from "./files.js";
import { chainFacts, provenance } from "./provenance.js";
import { deploySystem, ETH_MARKET } from "./system.js";
import { exactDepth, priceFromSqrtPriceX96, readSlot0, readTickSnapshot } from "./uniswap/index.js";

export async function runDepthCommand(args: { pool: string; slippage: number; window: number }): Promise<void> {
  const { snapshot, warnings } = await readTickSnapshot(args.pool);
  if (snapshot.fee !== 500 || snapshot.tickSpacing !== 10 || snapshot.token0Decimals !== 6 || snapshot.token1Decimals !== 18) {
    throw new InputError(
      `the replica reproduces the USDC/WETH 0.05 % pool: expected fee 500, tick spacing 10, token0 with 6 decimals and token1 with 18; got fee ${snapshot.fee}, spacing ${snapshot.tickSpacing}, decimals ${snapshot.token0Decimals}/${snapshot.token1Decimals}`,
      args.pool,
    );
  }
  for (const warning of warnings) process.stderr.write(`depth: ${warning}\n`);
  const chain = await inProcessChain();
  process.stderr.write("depth: seeding the pool and bringing the module up...\n");
  const system = await deploySystem(chain, {
    profile: snapshot,
    ethPrice: priceFromSqrtPriceX96(snapshot.sqrtPriceX96, USDC_WETH),
    market: { maxSlippage: wad(args.slippage), twapWindow: args.window, maxWalkSteps: 512 },
  });
  // The system's warm-up spans an hour; a longer window needs more time before the TWAP covers it.
  if (args.window > 3_600) await system.advance(args.window);
  await (await system.ballast.riskModule.refreshDepth(ETH_MARKET)).wait();
  const state = await system.ballast.riskModule.depthState(ETH_MARKET);
  const exact = await exactDepth(chain, system.environment, system.pool, { baseIsToken0: false, slippage: args.slippage });
  const price = priceFromSqrtPriceX96((await readSlot0(system.pool)).sqrtPriceX96, USDC_WETH);
  process.stdout.write(
    toJson({
      module: { down: Number(state.down) / 1e18, up: Number(state.up) / 1e18 },
      exact: { down: Number(exact.down) / 1e6, up: Number(exact.up) / 1e6 },
      slippage: args.slippage,
      price,
      provenance: await provenance({
        tool: "depth",
        ...(await chainFacts(chain, "replica")),
        inputs: [args.pool],
        parameters: { slippage: args.slippage, window: args.window },
      }),
    }),
  );
  await chain.close();
}
