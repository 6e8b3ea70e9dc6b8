import { createRequire } from "node:module";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { AbiCoder, type BaseContract, Contract, getAddress, getCreate2Address, type InterfaceAbi, keccak256 } from "ethers";

import { FEE_TICK_SPACING, MAINNET } from "./addresses.js";

/** What the replica needs of a network connection (`await network.create()` provides it). */
export interface UniswapConn {
  ethers: HardhatEthers;
  networkHelpers: Pick<NetworkHelpers, "setCode" | "setStorageAt" | "setBalance" | "takeSnapshot">;
}

/** The Uniswap V3 mainnet replica on a test chain. */
export interface Replica {
  /** The real UniswapV3Factory at 0x1F98…F984 (v3-core 1.0.1 bytecode). */
  factory: Contract;
  /** The real WETH9 at 0xC02a…6Cc2. */
  weth: Contract;
  /** The 6-decimal `TestStablecoin` double at USDC's address, connected to its owner (who may mint). */
  usdc: Contract;
  /** USDC/WETH pools at their mainnet addresses, created but not initialized. */
  pools: { fee500: Contract; fee3000: Contract };
  /** `LiquiditySeeder` address. */
  seeder: string;
  /** `PoolSwapper` address. */
  swapper: string;
}

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const require = createRequire(import.meta.url);
const artifact = (path: string): Artifact => {
  const json = require(path) as { abi: InterfaceAbi; bytecode: string };
  return { abi: json.abi, bytecode: json.bytecode };
};
export const UNISWAP_V3_FACTORY_ARTIFACT = artifact("@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json");
export const UNISWAP_V3_POOL_ARTIFACT = artifact("@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json");
export const WETH9_ARTIFACT = artifact("canonical-weth/build/contracts/WETH9.json");

/**
 * Storage layout of UniswapV3Factory (v3-core 1.0.1), measured by deploying it and reading its slots (and
 * asserted by the replica test): slots 0–2 hold `UniswapV3PoolDeployer.parameters` (only set during a
 * `createPool`), then `owner` (3), `feeAmountTickSpacing` (mapping, 4), `getPool` (mapping, 5). The
 * `NoDelegateCall` immutable (`original = address(this)`) occurs once in the runtime code.
 */
export const FACTORY_SLOTS = { owner: 3n, feeAmountTickSpacing: 4n, getPool: 5n } as const;
/** WETH9 (canonical-weth 1.4.0): `name` (0, "Wrapped Ether"), `symbol` (1, "WETH"), `decimals` (2, 18), `balanceOf` (3), `allowance` (4). */
export const WETH9_SLOTS = { name: 0n, symbol: 1n, decimals: 2n, balanceOf: 3n, allowance: 4n } as const;
/** TestStablecoin (OpenZeppelin 5 ERC20 + Ownable): `_balances` (0), `_allowances` (1), `_totalSupply` (2), `_name` (3), `_symbol` (4), `_owner` (5). */
export const STABLECOIN_SLOTS = { balances: 0n, allowances: 1n, totalSupply: 2n, name: 3n, symbol: 4n, owner: 5n } as const;

const coder = AbiCoder.defaultAbiCoder();

/** The storage slot of `mapping(key => …)` declared at `slot`, for a value-type key. */
export function mappingSlot(keyType: string, key: bigint | string, slot: bigint): bigint {
  return BigInt(keccak256(coder.encode([keyType, "uint256"], [key, slot])));
}

/** The CREATE2 address of a Uniswap V3 pool (as the periphery's `PoolAddress.computeAddress`). */
export function computePoolAddress(tokenA: string, tokenB: string, fee: number, factory: string = MAINNET.uniswapV3Factory): string {
  const [token0, token1] = BigInt(tokenA) < BigInt(tokenB) ? [tokenA, tokenB] : [tokenB, tokenA];
  const salt = keccak256(coder.encode(["address", "address", "uint24"], [token0, token1, fee]));
  return getCreate2Address(factory, salt, MAINNET.poolInitCodeHash);
}

/**
 * Copies the runtime code of the contract deployed at `from` to `to`, replacing every byte-aligned occurrence
 * of `from`'s address in the code (immutables such as `address(this)`) by `to`, and copies the given storage
 * slots. Returns how many address occurrences were replaced.
 */
export async function copyContract(conn: UniswapConn, from: string, to: string, slots: readonly bigint[]): Promise<number> {
  const { ethers, networkHelpers } = conn;
  const code = (await ethers.provider.getCode(from)).toLowerCase();
  if (code === "0x") throw new Error(`no code at ${from}`);
  const needle = from.slice(2).toLowerCase();
  const replacement = to.slice(2).toLowerCase();
  let out = "";
  let cursor = 0;
  let replaced = 0;
  for (let at = code.indexOf(needle); at >= 0; at = code.indexOf(needle, at + 1)) {
    if (at % 2 !== 0) continue; // not byte-aligned: a coincidence inside other data
    out += code.slice(cursor, at) + replacement;
    cursor = at + needle.length;
    replaced++;
  }
  out += code.slice(cursor);
  await networkHelpers.setCode(to, out);
  for (const slot of slots) {
    await networkHelpers.setStorageAt(to, slot, await ethers.provider.getStorage(from, slot));
  }
  return replaced;
}

/** A contract handle on a Uniswap V3 pool at `address`, from the v3-core artifact ABI. */
export async function poolAt(conn: UniswapConn, address: string): Promise<Contract> {
  const [signer] = await conn.ethers.getSigners();
  return new Contract(address, UNISWAP_V3_POOL_ARTIFACT.abi, signer);
}

/** Creates (does not initialize) the pool for two tokens and a fee through the replica's factory. */
export async function createPool(
  conn: UniswapConn,
  replica: Pick<Replica, "factory">,
  tokenA: string,
  tokenB: string,
  fee: number,
): Promise<Contract> {
  const expected = computePoolAddress(tokenA, tokenB, fee, await replica.factory.getAddress());
  await (await replica.factory.getFunction("createPool")(tokenA, tokenB, fee)).wait();
  const created = getAddress(String(await replica.factory.getFunction("getPool")(tokenA, tokenB, fee)));
  if (created !== expected) throw new Error(`pool created at ${created}, expected ${expected}`);
  return poolAt(conn, created);
}

/**
 * Places a `TestStablecoin` (6 decimals, "USD Coin"/"USDC", pure name/symbol/decimals) at `address`, owned by the
 * first signer (its minter), and returns it connected to that signer. The replica puts one at USDC's address;
 * tests may put more elsewhere (e.g. above WETH's address, to get pools whose token0 is WETH).
 */
export async function deployStablecoinAt(conn: UniswapConn, address: string): Promise<Contract> {
  const { ethers } = conn;
  const [deployer] = await ethers.getSigners();
  const stablecoinFactory = await ethers.getContractFactory("TestStablecoin", deployer);
  const staging = await (await stablecoinFactory.deploy()).waitForDeployment();
  await copyContract(conn, await staging.getAddress(), address, [STABLECOIN_SLOTS.name, STABLECOIN_SLOTS.symbol, STABLECOIN_SLOTS.owner]);
  return new Contract(address, stablecoinFactory.interface, deployer);
}

/**
 * Places the real UniswapV3Factory at its mainnet address (owner `opts.owner`, default the first signer; fee
 * tiers 500/10, 3000/60, 10000/200 and 100/1 as on mainnet), the real WETH9 and the 6-decimal USDC double at
 * theirs, deploys the `LiquiditySeeder` and `PoolSwapper` helpers, and creates (does not initialize) the
 * USDC/WETH 0.05 % and 0.3 % pools, which land at their mainnet addresses. Each contract is first deployed
 * normally, then its runtime code and storage are copied to the mainnet address (see `copyContract`).
 * Run it once per chain.
 */
export async function deployUniswapReplica(conn: UniswapConn, opts: { owner?: string } = {}): Promise<Replica> {
  const { ethers } = conn;
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("the network has no signer");
  const owner = getAddress(opts.owner ?? deployer.address);

  // Factory: deploy, enable the 0.01 % tier (governance did on mainnet), hand over ownership, copy.
  const factoryFactory = new ethers.ContractFactory(UNISWAP_V3_FACTORY_ARTIFACT.abi, UNISWAP_V3_FACTORY_ARTIFACT.bytecode, deployer);
  const staging = (await (await factoryFactory.deploy()).waitForDeployment()) as BaseContract as Contract;
  await (await staging.getFunction("enableFeeAmount")(100, 1)).wait();
  if (owner !== deployer.address) await (await staging.getFunction("setOwner")(owner)).wait();
  const feeSlots = Object.keys(FEE_TICK_SPACING).map((fee) => mappingSlot("uint24", BigInt(fee), FACTORY_SLOTS.feeAmountTickSpacing));
  const replaced = await copyContract(conn, await staging.getAddress(), MAINNET.uniswapV3Factory, [FACTORY_SLOTS.owner, ...feeSlots]);
  if (replaced !== 1) throw new Error(`expected one NoDelegateCall immutable in the factory code, found ${replaced}`);
  const factory = new Contract(MAINNET.uniswapV3Factory, UNISWAP_V3_FACTORY_ARTIFACT.abi, deployer);

  // WETH9: its name, symbol and decimals are storage set by the constructor.
  const wethFactory = new ethers.ContractFactory(WETH9_ARTIFACT.abi, WETH9_ARTIFACT.bytecode, deployer);
  const wethStaging = await (await wethFactory.deploy()).waitForDeployment();
  await copyContract(conn, await wethStaging.getAddress(), MAINNET.weth, [WETH9_SLOTS.name, WETH9_SLOTS.symbol, WETH9_SLOTS.decimals]);
  const weth = new Contract(MAINNET.weth, WETH9_ARTIFACT.abi, deployer);

  const usdc = await deployStablecoinAt(conn, MAINNET.usdc);

  const seeder = await (await ethers.deployContract("LiquiditySeeder")).waitForDeployment();
  const swapper = await (await ethers.deployContract("PoolSwapper")).waitForDeployment();

  const fee500 = await createPool(conn, { factory }, MAINNET.usdc, MAINNET.weth, 500);
  const fee3000 = await createPool(conn, { factory }, MAINNET.usdc, MAINNET.weth, 3000);
  return {
    factory,
    weth,
    usdc,
    pools: { fee500, fee3000 },
    seeder: await seeder.getAddress(),
    swapper: await swapper.getAddress(),
  };
}
