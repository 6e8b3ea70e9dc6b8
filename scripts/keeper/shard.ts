/**
 * Sharding of accounts between keepers: an account belongs to shard `keccak256(account) mod shardCount`
 * (the 20 address bytes hashed), so shards are balanced and every keeper computes the same assignment.
 */
import { getAddress, keccak256 } from "ethers";

/** The shard of `account` among `count` shards. */
export function shardOf(account: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  if (count === 1) return 0;
  return Number(BigInt(keccak256(getAddress(account))) % BigInt(count));
}

/** Whether `account` belongs to shard `index` of `count`. */
export function inShard(account: string, index: number, count: number): boolean {
  return shardOf(account, count) === index;
}
