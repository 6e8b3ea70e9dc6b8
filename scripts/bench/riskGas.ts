import { Wallet } from "ethers";

import { wad } from "../lib/ballast/params.js";
import { deploySystem, ETH_MARKET, type Connection, type System } from "../lib/system.js";
import type { GasMeter } from "../../typechain-types/index.js";
import { type Breakdown, type ExternalComponent, gasBreakdown, transactionCase, type TransactionCase } from "./gasBreakdown.js";
import { type GreeksGas, measureGreeksGas } from "./greeksGas.js";

/** Gas of the risk module's entry points (see `npm run bench:gas`). */
export interface RiskGas {
  validateIncrease: {
    /** A fresh transaction: engine, module, feeds and oracles all cold. */
    onePositionCold: number;
    fivePositionsCold: number;
    /** As called by the engine inside a trade: the engine's storage and the market's feed, which the engine
     * has just read to price the trade, already warm. */
    onePositionInTrade: number;
    fivePositionsInTrade: number;
  };
  deleverage: {
    /** Whole transaction, including the engine's reduction and the keeper fee. */
    onePosition: number;
    /** A racing keeper's call in the same block as the deleverage (reverts AlreadyDeleveraged at once). */
    racingSameBlockRevert: number;
    /** A later keeper's call on a position already deleveraged (full evaluation, reverts NothingToDeleverage). */
    nothingToDoRevert: number;
  };
  /** `RiskLens.statusBatch` over 100 accounts with one position each (eth_estimateGas of the view). */
  statusBatch100: number;
  /** `refreshDepth` of the ETH market (whole transaction). */
  refreshDepth: number;
  /** Greeks sizing, measured last (it enables Greeks sizing on the ETH market). */
  greeks: GreeksGas;
}

/** One `validateIncrease` case against its read floor (`contracts/test/ReadFloor.sol`). */
export interface FloorCase {
  module: number;
  floor: number;
  /** module / floor. */
  ratio: number;
  /** Per component (`scripts/bench/gasBreakdown.ts`), the module's and the floor's. */
  breakdown: { module: Breakdown; floor: Breakdown };
}

/** The read floor of each `validateIncrease` case (written by `npm run bench:gas`, not part of the snapshot). */
export type ReadFloorReport = Record<keyof RiskGas["validateIncrease"], FloorCase>;

/** The whole-transaction cases of `npm run bench:gas` (not part of the snapshot). */
export interface TransactionReport {
  deleverage: TransactionCase;
  refreshDepth: TransactionCase;
  poke: TransactionCase;
}

const EXTRA_MARKETS = 4;

type Warm = { to: string; data: string }[];

/** A call measured by the GasMeter in a fresh transaction, after optional warm-up calls: its gas and transaction. */
async function meteredCall(meter: GasMeter, target: string, data: string, warm: Warm = []): Promise<{ gas: number; hash: string }> {
  const receipt = await (
    await meter.measure(
      target,
      data,
      warm.map((w) => w.to),
      warm.map((w) => w.data),
    )
  ).wait();
  const event = receipt!.logs.map((l) => meter.interface.parseLog(l)).find((e) => e?.name === "Measured");
  return { gas: Number(event!.args.gasUsed), hash: receipt!.hash };
}

/** Gas of a call measured by the GasMeter in a fresh transaction, after optional warm-up calls. */
async function metered(meter: GasMeter, target: string, data: string, warm: Warm = []): Promise<number> {
  return (await meteredCall(meter, target, data, warm)).gas;
}

async function trader(system: System, usdc: number): Promise<Wallet> {
  const { ethers, networkHelpers } = system.connection;
  const wallet = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
  await networkHelpers.setBalance(wallet.address, 10n ** 20n);
  await system.deposit(wallet, { usdc });
  return wallet;
}

/** A `validateIncrease` case: whose account, the warm-ups before it, and its metered call. */
interface IncreaseCase {
  account: string;
  warm: Warm;
  measured: { gas: number; hash: string };
}

/** The contracts outside the module, by component: the engine, the volatility oracle, the pool, every feed. */
async function externalLabels(system: System): Promise<Record<string, ExternalComponent>> {
  const { riskModule, engine, volatilityOracle } = system.ballast;
  const labels: Record<string, ExternalComponent> = {
    [(await engine.getAddress()).toLowerCase()]: "engine",
    [(await volatilityOracle.getAddress()).toLowerCase()]: "volatility",
    [(await system.pool.getAddress()).toLowerCase()]: "twap",
  };
  for (const market of [ETH_MARKET, ...system.extraFeeds.keys()]) {
    labels[(await riskModule.marketConfig(market)).feed.toLowerCase()] = "prices";
  }
  for (const asset of [await system.environment.usdc.getAddress(), await system.environment.weth.getAddress()]) {
    labels[(await riskModule.collateralConfig(asset)).feed.toLowerCase()] = "prices";
  }
  return labels;
}

/**
 * Each `validateIncrease` case against its read floor: `ReadFloor` registered with the module's feeds, metered the
 * same way as the case (fresh transaction, the same warm-ups), and both calls broken down per component.
 */
async function measureReadFloor(
  system: System,
  meter: GasMeter,
  cases: Record<keyof RiskGas["validateIncrease"], IncreaseCase>,
  labels: Record<string, ExternalComponent>,
): Promise<ReadFloorReport> {
  const { ethers } = system.connection;
  const { riskModule, engine, volatilityOracle } = system.ballast;
  const floor = await ethers.deployContract("ReadFloor", [await engine.getAddress(), await volatilityOracle.getAddress()]);
  for (const market of [ETH_MARKET, ...system.extraFeeds.keys()]) {
    await (await floor.setMarket(market, (await riskModule.marketConfig(market)).feed)).wait();
  }
  for (const asset of [await system.environment.usdc.getAddress(), await system.environment.weth.getAddress()]) {
    const config = await riskModule.collateralConfig(asset);
    await (await floor.setCollateral(asset, config.feed, config.volZ !== 0n)).wait();
  }
  const module = await riskModule.getAddress();
  const floorAddress = await floor.getAddress();
  const out: Partial<ReadFloorReport> = {};
  for (const [name, { account, warm, measured: m }] of Object.entries(cases) as [keyof ReadFloorReport, IncreaseCase][]) {
    const f = await meteredCall(meter, floorAddress, floor.interface.encodeFunctionData("read", [account, ETH_MARKET]), warm);
    out[name] = {
      module: m.gas,
      floor: f.gas,
      ratio: Math.round((m.gas / f.gas) * 1000) / 1000,
      breakdown: {
        module: await gasBreakdown(ethers.provider, m.hash, module, labels, m.gas),
        floor: await gasBreakdown(ethers.provider, f.hash, floorAddress, labels, f.gas),
      },
    };
  }
  return out as ReadFloorReport;
}

export async function measureRiskGas(
  connection: Connection,
  options: { floor?: boolean } = {},
): Promise<RiskGas & { readFloor?: ReadFloorReport; transactions?: Omit<TransactionReport, "poke"> }> {
  const system = await deploySystem(connection, { extraMarkets: EXTRA_MARKETS });
  const { riskModule, engine, riskLens } = system.ballast;
  const { ethers } = connection;
  const meter = await ethers.deployContract("GasMeter");
  const module = await riskModule.getAddress();
  const engineAddress = await engine.getAddress();

  const single = await trader(system, 100_000);
  await system.trade(single, 1);
  const multi = await trader(system, 100_000);
  for (let m = 0n; m <= BigInt(EXTRA_MARKETS); m++) {
    await (await engine.connect(multi).trade(ETH_MARKET + m, wad(1))).wait();
  }
  const validate = (account: string) => riskModule.interface.encodeFunctionData("validateIncrease", [account, ETH_MARKET]);
  const feed = system.feeds.eth.proxy;
  const warmEngine = (account: string) => [
    { to: engineAddress, data: engine.interface.encodeFunctionData("accountSnapshot", [account]) },
    { to: engineAddress, data: engine.interface.encodeFunctionData("openInterest", [ETH_MARKET]) },
    { to: system.feeds.eth.address, data: feed.interface.encodeFunctionData("latestRoundData") },
  ];

  const increase = async (account: string, warm: Warm): Promise<IncreaseCase> => ({
    account,
    warm,
    measured: await meteredCall(meter, module, validate(account), warm),
  });
  const cases = {
    onePositionCold: await increase(single.address, []),
    fivePositionsCold: await increase(multi.address, []),
    onePositionInTrade: await increase(single.address, warmEngine(single.address)),
    fivePositionsInTrade: await increase(multi.address, warmEngine(multi.address)),
  };
  const validateIncrease = {
    onePositionCold: cases.onePositionCold.measured.gas,
    fivePositionsCold: cases.fivePositionsCold.measured.gas,
    onePositionInTrade: cases.onePositionInTrade.measured.gas,
    fivePositionsInTrade: cases.fivePositionsInTrade.measured.gas,
  };
  // The floor is measured after the cases, from the same transactions (no second metering of the module).
  const labels = options.floor ? await externalLabels(system) : {};
  const readFloor = options.floor ? await measureReadFloor(system, meter, cases, labels) : undefined;

  // A position over its cap after a volatility spike, deleveraged once; a second keeper then finds nothing.
  const victim = await trader(system, 1_000);
  const cap = (await riskModule.positionRisk(victim.address, ETH_MARKET)).cap;
  await system.trade(victim, (Number(cap) / 1e18 / 3_000) * 0.9);
  const { time } = connection.networkHelpers;
  for (const price of [2_700, 3_300, 2_700, 3_300, 3_000]) {
    await time.increase(60);
    await system.setEthPrice(price);
  }
  await (await system.ballast.volatilityOracle.poke(system.feeds.eth.address)).wait();
  const [keeper] = await ethers.getSigners();
  const call = riskModule.interface.encodeFunctionData("deleverage", [victim.address, ETH_MARKET]);
  // The deleverage and a racing keeper's call (through the meter) in one block.
  await ethers.provider.send("evm_setAutomine", [false]);
  const first = await riskModule.connect(keeper!).deleverage(victim.address, ETH_MARKET, { gasLimit: 2_000_000 });
  const racing = await meter.measure(module, call, [], [], { gasLimit: 2_000_000 });
  await ethers.provider.send("evm_mine", []);
  await ethers.provider.send("evm_setAutomine", [true]);
  const racingReceipt = await racing.wait();
  const racingGas = racingReceipt!.logs.map((l) => meter.interface.parseLog(l)).find((e) => e?.name === "Measured")!;
  const firstReceipt = (await first.wait())!;
  const deleverage = {
    onePosition: Number(firstReceipt.gasUsed),
    racingSameBlockRevert: Number(racingGas.args.gasUsed),
    nothingToDoRevert: await metered(meter, module, call),
  };

  const accounts: string[] = [];
  for (let i = 0; i < 100; i++) {
    const account = await trader(system, 10_000);
    await system.trade(account, 1);
    accounts.push(account.address);
  }
  const statusBatch100 = Number(await riskLens.statusBatch.estimateGas(module, accounts));
  const depthReceipt = (await (await riskModule.refreshDepth(ETH_MARKET)).wait())!;
  const refreshDepth = Number(depthReceipt.gasUsed);
  const transactions = options.floor
    ? {
        deleverage: await transactionCase(ethers.provider, firstReceipt.hash, labels),
        refreshDepth: await transactionCase(ethers.provider, depthReceipt.hash, labels),
      }
    : undefined;
  const greeks = await measureGreeksGas(system, meter, metered);
  return {
    validateIncrease,
    deleverage,
    statusBatch100,
    refreshDepth,
    greeks,
    ...(readFloor ? { readFloor } : {}),
    ...(transactions ? { transactions } : {}),
  };
}
