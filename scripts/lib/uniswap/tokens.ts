import { Contract, getAddress } from "ethers";

import { MAINNET } from "./addresses.js";
import { mappingSlot, type UniswapConn } from "./replica.js";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function transfer(address to, uint256 amount) returns (bool)",
] as const;
const WETH_ABI = ["function deposit() payable", "function transfer(address to, uint256 amount) returns (bool)"] as const;
const MINTABLE_ABI = ["function owner() view returns (address)", "function mint(address to, uint256 amount)"] as const;

/** An account that is no one's signer, impersonated to wrap ether into WETH for the replica's helpers. */
export const FUNDER = "0x00000000000000000000000000000000ba11a570";
const GAS_MONEY = 10n ** 18n;

/** A read-only ERC20 handle. */
export function erc20(conn: UniswapConn, token: string): Contract {
  return new Contract(token, ERC20_ABI, conn.ethers.provider);
}

/** The token balance of an account. */
export async function balanceOf(conn: UniswapConn, token: string, account: string): Promise<bigint> {
  return BigInt(await erc20(conn, token).getFunction("balanceOf")(account));
}

/**
 * Creates `amount` of `token` for `to`: WETH by depositing freshly set ether (from `FUNDER`, impersonated),
 * any other token by calling `mint(to, amount)` as the token's `owner()` (impersonated), as the replica's
 * USDC double and `TestStablecoin` copies allow; a token that cannot be minted that way (real USDC on a
 * mainnet fork) by writing its balance slot (`fundBySlot`).
 */
export async function fundToken(conn: UniswapConn, token: string, to: string, amount: bigint): Promise<void> {
  if (amount <= 0n) return;
  const { ethers, networkHelpers } = conn;
  if (getAddress(token) === MAINNET.weth) {
    await networkHelpers.setBalance(FUNDER, amount + GAS_MONEY);
    const funder = await ethers.getImpersonatedSigner(FUNDER);
    const weth = new Contract(token, WETH_ABI, funder);
    await (await weth.getFunction("deposit")({ value: amount })).wait();
    await (await weth.getFunction("transfer")(to, amount)).wait();
    return;
  }
  try {
    const owner = String(await new Contract(token, MINTABLE_ABI, ethers.provider).getFunction("owner")());
    if ((await ethers.provider.getBalance(owner)) < GAS_MONEY) await networkHelpers.setBalance(owner, GAS_MONEY);
    const minter = await ethers.getImpersonatedSigner(owner);
    await (await new Contract(token, MINTABLE_ABI, minter).getFunction("mint")(to, amount)).wait();
  } catch {
    await fundBySlot(conn, token, to, amount);
  }
}

/**
 * Adds `amount` to `to`'s balance by writing the token's storage: finds the slot of its balance mapping
 * (Solidity layout, `keccak256(holder, slot)`) by writing a marker and reading `balanceOf` back. Only for
 * test chains (forks), where storage can be set.
 */
export async function fundBySlot(conn: UniswapConn, token: string, to: string, amount: bigint): Promise<void> {
  const { ethers, networkHelpers } = conn;
  const current = await balanceOf(conn, token, to);
  for (let slot = 0n; slot < 64n; slot++) {
    const key = mappingSlot("address", to, slot);
    const previous = await ethers.provider.getStorage(token, key);
    await networkHelpers.setStorageAt(token, key, current + amount);
    if ((await balanceOf(conn, token, to)) === current + amount) return;
    await networkHelpers.setStorageAt(token, key, previous);
  }
  throw new Error(`cannot find the balance slot of ${token}`);
}

/** Ensures `account` holds at least `amount` of `token`, funding the difference. */
export async function topUp(conn: UniswapConn, token: string, account: string, amount: bigint): Promise<void> {
  const balance = await balanceOf(conn, token, account);
  if (balance < amount) await fundToken(conn, token, account, amount - balance);
}
