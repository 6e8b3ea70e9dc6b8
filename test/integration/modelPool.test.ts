import { expect } from "chai";
import { network } from "hardhat";

import { USDC_WETH } from "../../scripts/lib/environment.js";
import { Random } from "../../scripts/lib/random.js";
import { refreshDepth, twap } from "../../scripts/lib/sim/model/depth.js";
import { EMPTY_DEPTH } from "../../scripts/lib/sim/model/depth.js";
import {
  deployUniswapReplica,
  generateProfile,
  MAX_SQRT_RATIO,
  MIN_SQRT_RATIO,
  readLiquidity,
  readSlot0,
  seedPool,
  type UniswapConn,
} from "../../scripts/lib/uniswap/index.js";
import { ModelPool } from "../../scripts/lib/uniswap/modelPool.js";
import { swapThroughSwapper } from "../../scripts/lib/uniswap/swap.js";
import { topUp } from "../../scripts/lib/uniswap/tokens.js";

/**
 * The model engine's Uniswap V3 pool against the real pool bytecode: the same concentrated profile seeded in
 * both, then 40 random exact-input swaps (both directions, to a price limit or to the pool's bounds, from dust to
 * sizes that cross many initialized ticks). After every swap the pool's deltas, price, tick and active liquidity
 * are equal bit for bit, and so are the oracle's cumulatives of the last half hour (the TWAP's inputs). (The
 * depth state built on them is compared with the module's by the parity tests.)
 */
describe("model pool: exact Uniswap V3 swaps and oracle against the real pool (40 random swaps)", () => {
  it("every swap moves both pools identically, and the TWAP tick and harmonic-mean liquidity agree", async () => {
    const { ethers, networkHelpers } = await network.create();
    const conn: UniswapConn = { ethers, networkHelpers };
    const replica = await deployUniswapReplica(conn);
    const profile = generateProfile({ kind: "concentrated", spotPrice: 3_000, ...USDC_WETH, fee: 500, tickSpacing: 10 });
    const pool = replica.pools.fee500;
    await seedPool(conn, replica, pool, profile);
    // Observations of the replica start at its seeding blocks: start the model from the chain's own ring.
    const start = (await pool.getFunction("slot0")()) as unknown as {
      sqrtPriceX96: bigint;
      tick: bigint;
      observationIndex: bigint;
      observationCardinality: bigint;
      observationCardinalityNext: bigint;
    };
    const observations = [];
    for (let i = 0; i < Number(start.observationCardinalityNext); i++) {
      const o = (await pool.getFunction("observations")(i)) as unknown as [bigint, bigint, bigint, boolean];
      observations.push({ blockTimestamp: Number(o[0]), tickCumulative: o[1], secondsPerLiquidityCumulativeX128: o[2], initialized: o[3] });
    }
    const seeded = ModelPool.fromSnapshot(profile, 0);
    const model = new ModelPool({
      ...seeded.state(),
      sqrtPriceX96: start.sqrtPriceX96,
      tick: Number(start.tick),
      liquidity: await readLiquidity(pool),
      observations,
      observationIndex: Number(start.observationIndex),
      observationCardinality: Number(start.observationCardinality),
      observationCardinalityNext: Number(start.observationCardinalityNext),
    });
    const [token0, token1] = [await replica.usdc.getAddress(), await replica.weth.getAddress()];
    await topUp(conn, token0, replica.swapper, 10n ** 30n);
    await topUp(conn, token1, replica.swapper, 10n ** 30n);
    const random = new Random(1_303);
    for (let i = 0; i < 40; i++) {
      await networkHelpers.time.increase(random.int(1, 900));
      const zeroForOne = random.next() < 0.5;
      // Dust to about 2,000 ETH (or its USDC): a few swaps walk far beyond the heavy range.
      const amountIn = zeroForOne ? BigInt(Math.round(10 ** random.uniform(2, 13))) : BigInt(Math.round(10 ** random.uniform(12, 21.3)));
      const withLimit = random.next() < 0.4;
      const price = (await readSlot0(pool)).sqrtPriceX96;
      const limit = withLimit
        ? (price * BigInt(Math.round((zeroForOne ? 1 - random.uniform(0, 0.02) : 1 + random.uniform(0, 0.02)) * 1e9))) / 10n ** 9n
        : zeroForOne
          ? MIN_SQRT_RATIO + 1n
          : MAX_SQRT_RATIO - 1n;
      const chain = await swapThroughSwapper(conn, replica, pool, zeroForOne, amountIn, limit, replica.swapper);
      const time = (await ethers.provider.getBlock("latest"))!.timestamp;
      const mirrored = model.swapExactIn(zeroForOne, amountIn, limit, time);
      expect([mirrored.amount0, mirrored.amount1], `swap ${i} deltas`).to.deep.equal([chain.amount0, chain.amount1]);
      expect(model.sqrtPriceX96, `swap ${i} price`).to.equal(chain.sqrtPriceX96After);
      expect(model.tick, `swap ${i} tick`).to.equal(chain.tickAfter);
      expect(model.liquidity, `swap ${i} liquidity`).to.equal(await readLiquidity(pool));
    }
    await networkHelpers.time.increase(60);
    const now = (await ethers.provider.getBlock("latest"))!.timestamp;
    const onChain = (await pool.getFunction("observe")([1_800, 0])) as unknown as [bigint[], bigint[]];
    const mirrored = model.observe(now, [1_800, 0]);
    expect(mirrored.tickCumulatives).to.deep.equal([...onChain[0]]);
    expect(mirrored.secondsPerLiquidityCumulativeX128s).to.deep.equal([...onChain[1]]);
    const read = twap(model, now, 1_800);
    expect(read.meanLiquidity > 0n).to.equal(true);
    // The depth walk runs on the mirrored ticks (its step budget included).
    const depth = refreshDepth(
      EMPTY_DEPTH,
      model,
      {
        baseIsToken0: false,
        baseDecimals: 18,
        quoteDecimals: 6,
        twapWindow: 1_800,
        maxWalkSteps: 128,
        maxSlippage: 0.02,
        depthRisePerHour: 0.1,
      },
      now,
    );
    expect(Number.isFinite(depth.down) && Number.isFinite(depth.up)).to.equal(true);
    expect(depth.twapPrice).to.be.greaterThan(0);
  });
});
