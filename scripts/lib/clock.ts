/**
 * A chain clock that does not read the wall clock. The in-process chain gives a block with no timestamp set
 * the wall-clock time (plus the offset of the last time jump): how long the host took between two
 * transactions then leaks into block times, TWAPs and volatility, and a rerun under another load gives other
 * figures. With this clock every block that is not given a time explicitly (`evm_setNextBlockTimestamp`,
 * `time.increase`, `time.increaseTo`) is one second after the previous one. Calls (`eth_call` on `latest`)
 * already read the latest block's time. Only the start of the chain still comes from the wall clock: reports
 * place their times on the path's own timeline.
 */
import type { NetworkConnection } from "hardhat/types/network";

type Request = (args: { method: string; params?: unknown[] | object }) => Promise<unknown>;

const MINES = new Set(["eth_sendTransaction", "eth_sendRawTransaction", "evm_mine", "hardhat_mine"]);

/** Installs the deterministic clock on a connection's provider (every user of the connection sees it). */
export function useDeterministicClock(connection: NetworkConnection): void {
  const provider = connection.provider as unknown as { request: Request };
  const request: Request = provider.request.bind(provider);
  let explicit = false;
  let queue: Promise<unknown> = Promise.resolve();
  const latest = async () =>
    Number(BigInt(((await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string }).timestamp));
  provider.request = (args) => {
    if (args.method === "evm_setNextBlockTimestamp") {
      explicit = true;
      return request(args);
    }
    if (args.method === "evm_increaseTime") throw new Error("the deterministic clock moves time with evm_setNextBlockTimestamp only");
    if (!MINES.has(args.method)) return request(args);
    // One block at a time: the next block's time is decided just before it is mined.
    const run = queue.then(async () => {
      const params = Array.isArray(args.params) ? args.params : [];
      const timed = explicit || (args.method === "evm_mine" && params[0] !== undefined);
      if (!timed) await request({ method: "evm_setNextBlockTimestamp", params: [`0x${((await latest()) + 1).toString(16)}`] });
      explicit = false;
      return request(args);
    });
    queue = run.catch(() => undefined);
    return run;
  };
}
