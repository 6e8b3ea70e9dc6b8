import path from "node:path";

import { expect } from "chai";
import { AbiCoder, Contract, ContractFactory, getAddress, keccak256 } from "ethers";
import { network } from "hardhat";

import {
  balanceOf,
  computePoolAddress,
  createPool,
  deployStablecoinAt,
  deployUniswapReplica,
  exactDepth,
  FACTORY_SLOTS,
  generateProfile,
  MAINNET,
  type ProfileKind,
  readLiquidity,
  readSlot0,
  readTick,
  readTickSnapshot,
  type Replica,
  seedPool,
  sqrtPriceX96FromPrice,
  swapExactIn,
  type TickSnapshot,
  type UniswapConn,
  WETH9_SLOTS,
} from "../../scripts/lib/uniswap/index.js";
import { segmentsOf } from "../../scripts/lib/uniswap/liquidity.js";
import { getTickAtSqrtRatio, usableTickRange } from "../../scripts/lib/uniswap/math.js";
import { mappingSlot, UNISWAP_V3_FACTORY_ARTIFACT, UNISWAP_V3_POOL_ARTIFACT } from "../../scripts/lib/uniswap/replica.js";
import { liquidityAtTick } from "../../scripts/lib/uniswap/tickSnapshot.js";
import { close } from "../helpers/numbers.js";

const { ethers, networkHelpers } = await network.create();
const conn: UniswapConn = { ethers, networkHelpers };
/** A second chain for the tests on the seeded sample: fixtures of one chain never run on top of another's state. */
const sampleChain = await network.create();
const sampleConn: UniswapConn = { ethers: sampleChain.ethers, networkHelpers: sampleChain.networkHelpers };
const coder = AbiCoder.defaultAbiCoder();
const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "univ3-ticks-sample.json");
/** A 6-decimal quote token placed above WETH's address (at USDT's), so that WETH is token0 in its pools. */
const QUOTE_ABOVE_WETH = "0xdAC17F958D2ee523a2206206994597C13D831ec7";

const word = (value: bigint | string): string => coder.encode([typeof value === "string" ? "address" : "uint256"], [value]);

async function replicaFixture(): Promise<Replica> {
  return deployUniswapReplica(conn);
}

async function sampleFixture(): Promise<{ replica: Replica; snapshot: TickSnapshot; positions: number }> {
  const replica = await deployUniswapReplica(sampleConn);
  const { snapshot } = await readTickSnapshot(FIXTURE);
  const { positions } = await seedPool(sampleConn, replica, replica.pools.fee500, snapshot);
  return { replica, snapshot, positions };
}

/** Every snapshot tick's liquidityNet and the active liquidity, as the pool holds them. */
async function expectReproduced(pool: Contract, snapshot: TickSnapshot): Promise<void> {
  for (const [i, t] of snapshot.ticks.entries()) {
    const onChain = await readTick(pool, t.tick);
    expect(onChain.liquidityNet, `ticks[${i}] (tick ${t.tick}) liquidityNet`).to.equal(t.liquidityNet);
  }
  const slot0 = await readSlot0(pool);
  expect(slot0.tick).to.equal(snapshot.currentTick);
  expect(await readLiquidity(pool)).to.equal(liquidityAtTick(snapshot, snapshot.currentTick));
}

/** A snapshot of one full-range position of liquidity `liquidity` at a base price. */
function fullRange(
  price: number,
  baseIsToken0: boolean,
  token0Decimals: number,
  token1Decimals: number,
  tickSpacing: number,
  liquidity: bigint,
): TickSnapshot {
  const sqrtPriceX96 = sqrtPriceX96FromPrice(price, { baseIsToken0, token0Decimals, token1Decimals });
  const { min, max } = usableTickRange(tickSpacing);
  return {
    token0: baseIsToken0 ? "BASE" : "QUOTE",
    token1: baseIsToken0 ? "QUOTE" : "BASE",
    token0Decimals,
    token1Decimals,
    fee: 0,
    tickSpacing,
    currentTick: getTickAtSqrtRatio(sqrtPriceX96),
    sqrtPriceX96,
    liquidity,
    ticks: [
      { tick: min, liquidityNet: liquidity, liquidityGross: liquidity },
      { tick: max, liquidityNet: -liquidity, liquidityGross: liquidity },
    ],
  };
}

describe("Uniswap V3 mainnet replica", () => {
  describe("placement", () => {
    it("the factory at the mainnet address creates the USDC/WETH 0.05 % and 0.3 % pools at their mainnet addresses", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      expect(keccak256(UNISWAP_V3_POOL_ARTIFACT.bytecode)).to.equal(MAINNET.poolInitCodeHash);
      expect(await replica.factory.getAddress()).to.equal(MAINNET.uniswapV3Factory);
      expect(await replica.pools.fee500.getAddress()).to.equal(MAINNET.usdcWeth500);
      expect(await replica.pools.fee3000.getAddress()).to.equal(MAINNET.usdcWeth3000);
      expect(computePoolAddress(MAINNET.weth, MAINNET.usdc, 500)).to.equal(MAINNET.usdcWeth500);
      expect(await replica.factory.getFunction("getPool")(MAINNET.weth, MAINNET.usdc, 3000)).to.equal(MAINNET.usdcWeth3000);
      const pool = replica.pools.fee500;
      expect(await pool.getFunction("factory")()).to.equal(MAINNET.uniswapV3Factory);
      expect(await pool.getFunction("token0")()).to.equal(MAINNET.usdc);
      expect(await pool.getFunction("token1")()).to.equal(MAINNET.weth);
      expect(await pool.getFunction("fee")()).to.equal(500n);
      expect(await pool.getFunction("tickSpacing")()).to.equal(10n);
      expect((await readSlot0(pool)).sqrtPriceX96).to.equal(0n); // created, not initialized
    });

    it("the factory's owner and fee tiers are as on mainnet (500/10, 3000/60, 10000/200, 100/1), and it creates 0.01 % pools", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const [deployer] = await ethers.getSigners();
      expect(await replica.factory.getFunction("owner")()).to.equal(deployer!.address);
      for (const [fee, spacing] of [
        [500, 10n],
        [3000, 60n],
        [10000, 200n],
        [100, 1n],
        [1234, 0n],
      ] as const) {
        expect(await replica.factory.getFunction("feeAmountTickSpacing")(fee), `fee ${fee}`).to.equal(spacing);
      }
      const pool = await createPool(conn, replica, MAINNET.usdc, MAINNET.weth, 100);
      expect(await pool.getFunction("tickSpacing")()).to.equal(1n);
      // Only the owner may enable tiers: the Ownable check reads the copied owner slot.
      const [, stranger] = await ethers.getSigners();
      await expect(replica.factory.connect(stranger!).getFunction("enableFeeAmount")(200, 4)).to.be.revert(ethers);
    });

    it("factory storage layout, measured on a normally deployed factory: owner in slot 3, feeAmountTickSpacing at keccak(fee, 4), getPool at slot 5, one NoDelegateCall immutable", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const [deployer] = await ethers.getSigners();
      const factory = (await new ContractFactory(
        UNISWAP_V3_FACTORY_ARTIFACT.abi,
        UNISWAP_V3_FACTORY_ARTIFACT.bytecode,
        deployer,
      ).deploy()) as unknown as Contract;
      const address = await factory.getAddress();
      for (const slot of [0n, 1n, 2n]) expect(await ethers.provider.getStorage(address, slot), `slot ${slot}`).to.equal(word(0n));
      expect(await ethers.provider.getStorage(address, FACTORY_SLOTS.owner)).to.equal(word(deployer!.address));
      expect(await ethers.provider.getStorage(address, mappingSlot("uint24", 500n, FACTORY_SLOTS.feeAmountTickSpacing))).to.equal(
        word(10n),
      );
      expect(await ethers.provider.getStorage(address, mappingSlot("uint24", 3000n, FACTORY_SLOTS.feeAmountTickSpacing))).to.equal(
        word(60n),
      );
      expect(await ethers.provider.getStorage(address, mappingSlot("uint24", 10000n, FACTORY_SLOTS.feeAmountTickSpacing))).to.equal(
        word(200n),
      );
      await (await factory.getFunction("createPool")(MAINNET.usdc, MAINNET.weth, 500)).wait();
      const poolSlot = BigInt(
        keccak256(
          coder.encode(
            ["uint24", "uint256"],
            [
              500,
              keccak256(
                coder.encode(
                  ["address", "uint256"],
                  [MAINNET.weth, keccak256(coder.encode(["address", "uint256"], [MAINNET.usdc, FACTORY_SLOTS.getPool]))],
                ),
              ),
            ],
          ),
        ),
      );
      expect(getAddress(`0x${(await ethers.provider.getStorage(address, poolSlot)).slice(26)}`)).to.equal(
        computePoolAddress(MAINNET.usdc, MAINNET.weth, 500, address),
      );
      const occurrences = (code: string, needle: string): number => code.toLowerCase().split(needle.slice(2).toLowerCase()).length - 1;
      expect(occurrences(await ethers.provider.getCode(address), address)).to.equal(1);
      // The replica: the same slots at the mainnet address, and its code names the mainnet address once.
      const replicaCode = await ethers.provider.getCode(MAINNET.uniswapV3Factory);
      expect(occurrences(replicaCode, MAINNET.uniswapV3Factory)).to.equal(1);
      expect(await ethers.provider.getStorage(MAINNET.uniswapV3Factory, FACTORY_SLOTS.owner)).to.equal(word(deployer!.address));
      expect(
        await ethers.provider.getStorage(MAINNET.uniswapV3Factory, mappingSlot("uint24", 100n, FACTORY_SLOTS.feeAmountTickSpacing)),
      ).to.equal(word(1n));
      expect(await replica.factory.getFunction("getPool")(MAINNET.usdc, MAINNET.weth, 500)).to.equal(MAINNET.usdcWeth500);
    });

    it("WETH9 at its address: name Wrapped Ether, symbol WETH, 18 decimals in slots 0-2; wraps and unwraps", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const [, user] = await ethers.getSigners();
      const weth = replica.weth.connect(user!) as Contract;
      expect(await weth.getFunction("name")()).to.equal("Wrapped Ether");
      expect(await weth.getFunction("symbol")()).to.equal("WETH");
      expect(await weth.getFunction("decimals")()).to.equal(18n);
      expect(await ethers.provider.getStorage(MAINNET.weth, WETH9_SLOTS.decimals)).to.equal(word(18n));
      await (await weth.getFunction("deposit")({ value: 3n * 10n ** 18n })).wait();
      expect(await balanceOf(conn, MAINNET.weth, user!.address)).to.equal(3n * 10n ** 18n);
      expect(await ethers.provider.getBalance(MAINNET.weth)).to.equal(3n * 10n ** 18n);
      const before = await ethers.provider.getBalance(user!.address);
      const receipt = await (await weth.getFunction("withdraw")(10n ** 18n)).wait();
      expect(await balanceOf(conn, MAINNET.weth, user!.address)).to.equal(2n * 10n ** 18n);
      expect(await ethers.provider.getBalance(user!.address)).to.equal(before + 10n ** 18n - receipt!.fee);
    });

    it("the USDC double at its address has 6 decimals, name USD Coin, symbol USDC, and mints for its owner only", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const [owner, stranger] = await ethers.getSigners();
      expect(await replica.usdc.getFunction("decimals")()).to.equal(6n);
      expect(await replica.usdc.getFunction("name")()).to.equal("USD Coin");
      expect(await replica.usdc.getFunction("symbol")()).to.equal("USDC");
      expect(await replica.usdc.getFunction("owner")()).to.equal(owner!.address);
      await (await replica.usdc.getFunction("mint")(stranger!.address, 5_000_000n)).wait();
      expect(await balanceOf(conn, MAINNET.usdc, stranger!.address)).to.equal(5_000_000n);
      await expect((replica.usdc.connect(stranger!) as Contract).getFunction("mint")(stranger!.address, 1n)).to.be.revert(ethers);
    });
  });

  describe("seeding", () => {
    it("the tick-snapshot sample reproduces liquidityNet at every tick and the active liquidity, paying exactly what the mints cost", async () => {
      const { replica, snapshot, positions } = await sampleChain.networkHelpers.loadFixture(sampleFixture);
      const { ethers, networkHelpers } = sampleChain; // the sample lives on the second chain
      const conn = sampleConn;
      expect(positions).to.equal(13);
      await expectReproduced(replica.pools.fee500, snapshot);
      expect(await readLiquidity(replica.pools.fee500)).to.equal(snapshot.liquidity);
      // Funding was computed with the pool's own rounding: nothing is left over.
      expect(await balanceOf(conn, MAINNET.usdc, replica.seeder)).to.equal(0n);
      expect(await balanceOf(conn, MAINNET.weth, replica.seeder)).to.equal(0n);
    });

    it("grows the oracle to 100 observations, so that a TWAP over 10 minutes can be read after a swap", async () => {
      const { replica } = await sampleChain.networkHelpers.loadFixture(sampleFixture);
      const { ethers, networkHelpers } = sampleChain; // the sample lives on the second chain
      const conn = sampleConn;
      const pool = replica.pools.fee500;
      expect((await readSlot0(pool)).observationCardinalityNext).to.equal(100);
      await networkHelpers.time.increase(1_200);
      // Observations are written only by swaps that change the tick: ~12 WETH moves this pool one tick.
      await swapExactIn(conn, replica, pool, { zeroForOne: false, amountIn: 60n * 10n ** 18n });
      const tickDuringWindow = (await readSlot0(pool)).tick;
      await networkHelpers.time.increase(600);
      await swapExactIn(conn, replica, pool, { zeroForOne: true, amountIn: 120_000n * 10n ** 6n });
      expect((await readSlot0(pool)).observationCardinality).to.equal(100);
      const [tickCumulatives] = (await pool.getFunction("observe")([600, 0])) as unknown as [bigint[]];
      // The window holds ~600 s at the tick after the first swap (and the 1 s of the second swap's block).
      const twapTick = Number(tickCumulatives[1]! - tickCumulatives[0]!) / 600;
      expect(tickDuringWindow).to.be.greaterThan(200_311);
      expect(Math.abs(twapTick - tickDuringWindow)).to.be.lessThan(0.1);
    });

    const KINDS: ProfileKind[] = ["concentrated", "wide", "gapped", "one-sided"];
    for (const kind of KINDS) {
      it(`a generated ${kind} profile seeds cleanly into the 0.3 % pool and its liquidity is reproduced`, async () => {
        const replica = await networkHelpers.loadFixture(replicaFixture);
        const profile = generateProfile({
          kind,
          spotPrice: 3000,
          baseIsToken0: false,
          token0Decimals: 6,
          token1Decimals: 18,
          fee: 3000,
          tickSpacing: 60,
          seed: 11,
        });
        const { positions } = await seedPool(conn, replica, replica.pools.fee3000, profile);
        expect(positions).to.equal(segmentsOf(profile).length);
        await expectReproduced(replica.pools.fee3000, profile);
        expect(await readLiquidity(replica.pools.fee3000)).to.equal(profile.liquidity);
        if (kind === "one-sided") expect(profile.liquidity).to.equal(0n);
      });
    }

    it("a generated profile with base = token0 (WETH against a quote token above WETH's address) seeds cleanly", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      await deployStablecoinAt(conn, QUOTE_ABOVE_WETH);
      const pool = await createPool(conn, replica, MAINNET.weth, QUOTE_ABOVE_WETH, 500);
      expect(await pool.getFunction("token0")()).to.equal(MAINNET.weth);
      const profile = generateProfile({
        kind: "gapped",
        spotPrice: 2500,
        baseIsToken0: true,
        token0Decimals: 18,
        token1Decimals: 6,
        fee: 500,
        tickSpacing: 10,
      });
      await seedPool(conn, replica, pool, profile);
      await expectReproduced(pool, profile);
    });
  });

  describe("exact depth by swapping", () => {
    /** Closed forms for one full-range position: down = L·g·(1 − √(1−s)), up = L·g·(√(1+s) − 1), g = √(raw quote per raw base). */
    async function checkClosedForm(pool: Contract, replica: Replica, baseIsToken0: boolean, liquidity: bigint, fee: number): Promise<void> {
      const { sqrtPriceX96 } = await readSlot0(pool);
      const sqrtRaw = Number(sqrtPriceX96) / 2 ** 96; // √(token1 raw per token0 raw)
      const g = baseIsToken0 ? sqrtRaw : 1 / sqrtRaw;
      const L = Number(liquidity);
      for (const s of [0.005, 0.02, 0.1]) {
        const depth = await exactDepth(conn, replica, pool, { baseIsToken0, slippage: s });
        const down = L * g * (1 - Math.sqrt(1 - s));
        const up = L * g * (Math.sqrt(1 + s) - 1);
        expect(close(Number(depth.down), down, 1e-9, 0), `down at ${s}: ${depth.down} vs ${down}`).to.equal(true);
        expect(close(Number(depth.up), up, 1e-9, 0), `up at ${s}: ${depth.up} vs ${up}`).to.equal(true);
        // The fee is on top: what the pool took is up / (1 − fee), 0.05 % or 0.3 % more, far beyond the tolerance.
        const withFee = up / (1 - fee / 1e6);
        expect(close(Number(depth.upWithFee), withFee, 1e-9, 0), `up with fee at ${s}: ${depth.upWithFee} vs ${withFee}`).to.equal(true);
      }
    }

    it("matches the closed form on a single full-range position, base = token1 (WETH in USDC/WETH 0.05 %)", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const liquidity = 2n * 10n ** 18n;
      await seedPool(conn, replica, replica.pools.fee500, fullRange(3000, false, 6, 18, 10, liquidity));
      await checkClosedForm(replica.pools.fee500, replica, false, liquidity, 500);
    });

    it("matches the closed form on a single full-range position, base = token0 (WETH against a 6-decimal token above it, 0.3 %)", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      await deployStablecoinAt(conn, QUOTE_ABOVE_WETH);
      const pool = await createPool(conn, replica, MAINNET.weth, QUOTE_ABOVE_WETH, 3000);
      const liquidity = 7n * 10n ** 17n;
      await seedPool(conn, replica, pool, fullRange(2500, true, 18, 6, 60, liquidity));
      await checkClosedForm(pool, replica, true, liquidity, 3000);
    });

    it("leaves the pool and the swapper exactly as they were, and reports the start price", async () => {
      const { replica } = await sampleChain.networkHelpers.loadFixture(sampleFixture);
      const { ethers, networkHelpers } = sampleChain; // the sample lives on the second chain
      const conn = sampleConn;
      const pool = replica.pools.fee500;
      const before = {
        slot0: await readSlot0(pool),
        liquidity: await readLiquidity(pool),
        weth: await balanceOf(conn, MAINNET.weth, replica.swapper),
      };
      const depth = await exactDepth(conn, replica, pool, { baseIsToken0: false, slippage: 0.01 });
      expect(depth.startPrice).to.be.within(1999, 2001); // the sample's tick 200311 is ~2000 USD per ETH
      expect(depth.down > 0n && depth.up > 0n).to.equal(true);
      expect(await readSlot0(pool)).to.deep.equal(before.slot0);
      expect(await readLiquidity(pool)).to.equal(before.liquidity);
      expect(await balanceOf(conn, MAINNET.weth, replica.swapper)).to.equal(before.weth);
      // Deterministic: measuring again gives the same numbers.
      expect(await exactDepth(conn, replica, pool, { baseIsToken0: false, slippage: 0.01 })).to.deep.equal(depth);
    });

    it("on a one-sided profile (liquidity only where the base price is higher) selling base meets no depth", async () => {
      const replica = await networkHelpers.loadFixture(replicaFixture);
      const profile = generateProfile({
        kind: "one-sided",
        spotPrice: 3000,
        baseIsToken0: false,
        token0Decimals: 6,
        token1Decimals: 18,
        fee: 500,
        tickSpacing: 10,
      });
      await seedPool(conn, replica, replica.pools.fee500, profile);
      const depth = await exactDepth(conn, replica, replica.pools.fee500, { baseIsToken0: false, slippage: 0.02 });
      expect(depth.down).to.equal(0n);
      expect(depth.up > 10n ** 12n).to.equal(true); // over a million USDC
    });
  });

  describe("swapExactIn", () => {
    it("sells 10 WETH into the sample pool: the recipient gets ~20,000 USDC less fee and impact, and the price stays moved", async () => {
      const { replica } = await sampleChain.networkHelpers.loadFixture(sampleFixture);
      const { ethers, networkHelpers } = sampleChain; // the sample lives on the second chain
      const conn = sampleConn;
      const [, recipient] = await ethers.getSigners();
      const pool = replica.pools.fee500;
      const before = await readSlot0(pool);
      const result = await swapExactIn(conn, replica, pool, { zeroForOne: false, amountIn: 10n ** 19n, recipient: recipient!.address });
      expect(result.amount1).to.equal(10n ** 19n);
      expect(result.amount0 < 0n).to.equal(true);
      expect(await balanceOf(conn, MAINNET.usdc, recipient!.address)).to.equal(-result.amount0);
      const received = Number(-result.amount0) / 1e6;
      expect(received).to.be.within(20_000 * 0.99, 20_000 * (1 - 0.0005));
      const after = await readSlot0(pool);
      expect(after.sqrtPriceX96).to.equal(result.sqrtPriceX96After);
      expect(after.sqrtPriceX96 > before.sqrtPriceX96).to.equal(true); // more WETH per USDC: ETH is cheaper
    });
  });
});
