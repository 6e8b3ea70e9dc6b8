import { expect } from "chai";
import { type HDNodeWallet, Wallet } from "ethers";
import { network } from "hardhat";

import { silentLogger } from "../../../scripts/keeper/logger.js";
import { Prefilter } from "../../../scripts/keeper/prefilter.js";
import { Rpc } from "../../../scripts/keeper/rpc.js";
import { wad } from "../../../scripts/lib/ballast/params.js";
import { setPrice } from "../../../scripts/lib/chainlink/feeds.js";
import { deployOptions, enableGreeks, listStraddle } from "../../../scripts/lib/options/setup.js";
import { Random } from "../../../scripts/lib/random.js";
import { depositCollateral, deploySystem, ETH_MARKET, type System } from "../../../scripts/lib/system.js";
import { close, fromWad } from "../../helpers/numbers.js";

/**
 * The account rule is written twice: once in Solidity (the module's one evaluation) and once in TypeScript
 * (`scripts/lib/rule/account.ts`, used by the keeper's prefilter, the simulator and the reports). This
 * differential test builds accounts holding options books (calls and puts, long and short, in the market with
 * Greeks sizing) and perpetuals in three markets, with USDC and WETH collateral, and compares the model fed
 * by the prefilter's own reads with the module, figure by figure: equity, requirement, buffer, free equity,
 * status, and every position's price source, cap, binding bound and deleverage. States: calm; after a
 * volatility spike on every feed; with the ETH price 5 % away from the fresh pool TWAP (judged at both). Every
 * market has a gap floor (0.06) that binds in the calm state and not after the spike.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const ACCOUNTS = 14;
const MARKETS = [ETH_MARKET, 2n, 3n];
const REL = 1e-9;
const ABS = 1e-6;

async function deployed() {
  // Every market with a gap floor of the stressed move (RISK-MODEL.md section 3.1): it binds in the calm state and
  // the diffusion term overtakes it after the volatility spike, so both branches of `max` are compared.
  const system = await deploySystem(connection, { extraMarkets: 2, market: { gap: wad(0.06) } });
  await enableGreeks(system);
  const options = await deployOptions(system);
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const near = await listStraddle(options, system.admin, now + 14 * 86_400, 3_000);
  const far = await listStraddle(options, system.admin, now + 60 * 86_400, 3_300);
  const series = [near.call, near.put, far.call, far.put];
  const random = new Random(0x11d1ff);
  const accounts: HDNodeWallet[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const wallet = Wallet.createRandom().connect(ethers.provider);
    await networkHelpers.setBalance(wallet.address, 10n ** 20n);
    const usdc = Math.round(random.uniform(5_000, 60_000));
    const weth = i % 3 === 0 ? Math.round(random.uniform(1, 8) * 100) / 100 : 0;
    await depositCollateral(connection, system.environment, await system.ballast.engine.getAddress(), wallet, { usdc, weth });
    // Options first (some long, mostly short), then perpetuals at a random share of what is left.
    for (const id of series) {
      if (random.uniform(0, 1) < 0.4) continue;
      const units = wad((random.uniform(-2, 0.7) * (usdc / 20_000)).toFixed(6));
      if (units === 0n) continue;
      await tryTx(() => options.connect(wallet).trade(id, units));
    }
    for (const market of MARKETS) {
      if (random.uniform(0, 1) < 0.35) continue;
      const risk = await system.ballast.riskModule.positionRisk(wallet.address, market);
      const fraction = random.uniform(0.1, 0.6) * (random.uniform(0, 1) < 0.5 ? -1 : 1);
      const size = (fromWad(risk.cap) * fraction) / fromWad(risk.price);
      if (Math.abs(size) < 1e-6) continue;
      await tryTx(() => system.ballast.engine.connect(wallet).trade(market, wad(size.toFixed(12))));
    }
    accounts.push(wallet);
  }
  return { system, options, accounts };
}

/** Sends a transaction the rule may refuse (the account may not afford it): a refusal is part of the setup. */
async function tryTx(send: () => Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  try {
    await (await send()).wait();
  } catch {
    // refused by the module or the engine: the account simply holds less
  }
}

async function prefilterAt(system: System): Promise<Prefilter> {
  const prefilter = new Prefilter(
    ethers.provider,
    new Rpc({ timeoutMs: 30_000, attempts: 2 }),
    {
      module: await system.ballast.riskModule.getAddress(),
      engine: await system.ballast.engine.getAddress(),
      oracle: await system.ballast.volatilityOracle.getAddress(),
      margin: 0.05,
      snapshotConcurrency: 4,
    },
    silentLogger(),
  );
  return prefilter;
}

function expectClose(what: string, model: number, contract: bigint): void {
  const value = fromWad(contract);
  if (!Number.isFinite(model) || !Number.isFinite(value)) {
    expect(model, what).to.equal(value);
    return;
  }
  expect(close(model, value, REL, ABS), `${what}: model ${model}, contract ${value}`).to.equal(true);
}

/** Compares every account's model with the module at the current block; returns how many hold books and breach. */
async function compareAll(
  system: System,
  accounts: readonly HDNodeWallet[],
): Promise<{ books: number; overCap: number; positions: number }> {
  const block = await ethers.provider.getBlockNumber();
  const prefilter = await prefilterAt(system);
  const addresses = accounts.map((a) => a.address);
  await prefilter.refresh(addresses, block);
  const module = system.ballast.riskModule;
  let books = 0;
  let overCap = 0;
  let positions = 0;
  for (const account of addresses) {
    const model = prefilter.status(account);
    expect(model, `${account}: the model evaluates every account here`).to.not.equal(undefined);
    const chain = await module.accountStatus(account, { blockTag: block });
    expect(Number(chain.status), `${account} status`).to.equal(model!.status);
    expectClose(`${account} equity`, model!.equity, chain.equity);
    expectClose(`${account} requirement`, model!.requirement, chain.requirement);
    expectClose(`${account} buffer`, model!.buffer, chain.buffer);
    expectClose(`${account} freeEquity`, model!.freeEquity, chain.freeEquity);
    if (model!.buffer > 0) books++;
    if (model!.status === 1) overCap++;
    for (const j of prefilter.judgements(account)!) {
      const risk = await module.positionRisk(account, j.market, { blockTag: block });
      const where = `${account} market ${j.market}`;
      expect(Number(risk.source), `${where} source`).to.equal(j.source);
      expectClose(`${where} price`, j.price, risk.price);
      expectClose(`${where} notional`, j.notional, risk.notional);
      expectClose(`${where} cap`, j.cap, risk.cap);
      if (!close(j.cap, fromWad(risk.cap), 0, ABS)) expect(Number(risk.binding), `${where} binding`).to.equal(j.binding);
      expectClose(`${where} deleverage`, j.deleverageNotional, risk.deleverageNotional);
      positions++;
    }
  }
  return { books, overCap, positions };
}

describe("the account rule in TypeScript agrees with the module (options books and perpetuals across markets)", () => {
  it(`calm, after a volatility spike, and 5 % away from the fresh pool TWAP: ${ACCOUNTS} accounts, every figure within 1e-9`, async () => {
    const { system, accounts } = await networkHelpers.loadFixture(deployed);
    const calm = await compareAll(system, accounts);
    expect(calm.books, "accounts holding options books").to.be.at.least(ACCOUNTS / 2);
    expect(calm.positions, "perpetual positions compared").to.be.at.least(ACCOUNTS);

    // Violent rounds on every feed: volatility jumps, caps and grid moves widen; some accounts breach.
    const feeds = [system.feeds.eth, ...system.extraFeeds.values()];
    for (const price of [2_700, 3_300, 2_700, 3_300, 3_000]) {
      await time.increase(60);
      for (const feed of feeds) await setPrice(feed, price);
    }
    for (const feed of feeds) await (await system.ballast.volatilityOracle.poke(feed.address)).wait();
    const spiked = await compareAll(system, accounts);
    expect(spiked.overCap, "accounts over cap after the spike").to.be.greaterThan(0);

    // Chainlink 5 % above the pool's TWAP on every market (fresh depth states): judged at both prices.
    for (const market of MARKETS) await (await system.ballast.riskModule.refreshDepth(market)).wait();
    for (const feed of feeds) await setPrice(feed, 3_150);
    await compareAll(system, accounts);
  });
});
