import { AbiCoder, keccak256, type Signer } from "ethers";

import OptionsModule from "../../../deploy/modules/Options.js";
import type { ReferenceMarginEngine, ReferenceOptionsEngine } from "../../../typechain-types/index.js";
import { wad } from "../ballast/params.js";
import { ETH_MARKET, type System } from "../system.js";

/** Greeks sizing of a market, in natural units (vol points as fractions, seconds). */
export interface GreeksSetup {
  volShock: number;
  buffer: number;
  hedgeInterval: number;
}

/** The defaults: a 100-vol-point shock, a fifth of equity kept out of reach, a ten-minute hedge interval. */
export const DEFAULT_GREEKS: GreeksSetup = { volShock: 1, buffer: 0.2, hedgeInterval: 600 };

/** The engines' requirement per unit of short option underlying notional (10 %). */
export const DEFAULT_SHORT_MARGIN = 0.1;

/**
 * Turns on Greeks sizing of the ETH market (the system's admin holds `RISK_ADMIN_ROLE`). On a market that has open
 * interest (or had Greeks sizing before) switching it on is a tightening: it is proposed, so the chain waits
 * `GOVERNANCE_DELAY`, anyone executes it, and the feeds, volatility and depth are brought up to date
 * (`System.advance`).
 */
export async function enableGreeks(system: System, greeks: GreeksSetup = DEFAULT_GREEKS): Promise<void> {
  const module = system.ballast.riskModule;
  const config = {
    enabled: true,
    volShock: wad(greeks.volShock),
    buffer: wad(greeks.buffer),
    hedgeInterval: greeks.hedgeInterval,
  };
  await (await module.connect(system.admin).configureGreeks(ETH_MARKET, config)).wait();
  const key = keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["greeks", ETH_MARKET]));
  const [, executableAt] = await module.pendingChange(key);
  if (executableAt === 0n) return;
  await system.connection.networkHelpers.time.increaseTo(executableAt);
  await (await module.executeGreeksConfig(ETH_MARKET, config)).wait();
  await system.advance(1);
}

/**
 * A reference options engine on the ETH market of `marginEngine` (default: Ballast's, deployed through the
 * Ignition module `deploy/modules/Options.ts`; another engine, such as a baseline's, gets a direct deployment
 * because Ignition deploys a module once per chain) and attached to it.
 */
export async function deployOptions(
  system: System,
  marginEngine: ReferenceMarginEngine = system.ballast.engine,
  shortMargin = DEFAULT_SHORT_MARGIN,
): Promise<ReferenceOptionsEngine> {
  const { connection } = system;
  const { ethers } = connection;
  const params = {
    marginEngine: await marginEngine.getAddress(),
    market: ETH_MARKET,
    feed: system.feeds.eth.address,
    volatilityOracle: await system.ballast.volatilityOracle.getAddress(),
    shortMargin: wad(shortMargin),
  };
  if (marginEngine === system.ballast.engine) {
    const { optionsEngine } = await connection.ignition.deploy(OptionsModule, { parameters: { Options: params } });
    return ethers.getContractAt("ReferenceOptionsEngine", await optionsEngine.getAddress());
  }
  const owner = await system.admin.getAddress();
  const optionsEngine = await ethers.deployContract(
    "ReferenceOptionsEngine",
    [owner, params.marginEngine, params.market, params.feed, params.volatilityOracle, params.shortMargin],
    system.admin,
  );
  await (await marginEngine.connect(system.admin).setOptionsEngine(await optionsEngine.getAddress())).wait();
  return optionsEngine;
}

/** Lists a call and a put of one strike and expiry; returns their series ids. */
export async function listStraddle(
  optionsEngine: ReferenceOptionsEngine,
  owner: Signer,
  expiry: number,
  strike: number,
): Promise<{ call: bigint; put: bigint }> {
  const ids: bigint[] = [];
  for (const isCall of [true, false]) {
    await (await optionsEngine.connect(owner).listSeries({ isCall, expiry, strike: wad(strike) })).wait();
    ids.push(await optionsEngine.seriesCount());
  }
  return { call: ids[0]!, put: ids[1]! };
}

/** Greeks as the contracts exchange them (WAD, signed). */
export interface Greeks {
  delta: bigint;
  gamma: bigint;
  vega: bigint;
}

/** The per-unit Greeks of selling one straddle (one call and one put). */
export async function shortStraddleGreeks(optionsEngine: ReferenceOptionsEngine, call: bigint, put: bigint): Promise<Greeks> {
  const [, c] = await optionsEngine.quote(call);
  const [, p] = await optionsEngine.quote(put);
  return { delta: -(c.delta + p.delta), gamma: -(c.gamma + p.gamma), vega: -(c.vega + p.vega) };
}
