/**
 * One measurement of the keeper's scan benchmark, in its own process so that its peak memory is the
 * keeper's alone (the chain runs in the parent). Reads a JSON job from argv[2], prints a JSON result.
 *
 * - `full`: every account through the lens at one block (`Scanner.scan`), as `scanMode: "full"` does.
 * - `prefilter`: the snapshots are loaded first (`warmupSeconds`), then one block's work as
 *   `scanMode: "prefilter"` does it: market inputs re-read, the model run over every account, the suspects
 *   and one sweep slice evaluated through the lens.
 *
 * Each step runs twice: `coldSeconds` is the first run (JIT and caches cold on both sides), `seconds` the
 * second (the steady state of a keeper that runs block after block). Peak memory is the process's high-water
 * resident set (`VmHWM`; `getrusage` would report the parent's, inherited through fork).
 */
import { readFileSync } from "node:fs";

import { JsonRpcProvider, Network } from "ethers";

import { silentLogger } from "../logger.js";
import { Prefilter } from "../prefilter.js";
import { Rpc } from "../rpc.js";
import { Scanner } from "../scanner.js";
import { syntheticAccounts } from "./syntheticAccounts.js";

interface Job {
  url: string;
  chainId: number;
  lens: string;
  module: string;
  engine: string;
  oracle: string;
  accounts: number;
  mode: "full" | "prefilter";
  chunkSize: number;
  concurrency: number;
  sweepPerBlock: number;
}

/** Peak resident memory of this process in MB. */
function peakMemoryMB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    /* not Linux */
  }
  return sampledPeak / 1024 / 1024;
}

let sampledPeak = 0;
const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 20);

const job = JSON.parse(process.argv[2]!) as Job;
const network = Network.from(job.chainId);
const provider = new JsonRpcProvider(job.url, network, { staticNetwork: network, cacheTimeout: -1 });
const rpc = new Rpc({ timeoutMs: 600_000, attempts: 3 });
const logger = silentLogger();
const accounts = syntheticAccounts(job.accounts);
const block = await provider.getBlockNumber();
const scanner = new Scanner(
  provider,
  rpc,
  { lens: job.lens, module: job.module, chunkSize: job.chunkSize, concurrency: job.concurrency },
  logger,
);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [(performance.now() - start) / 1000, value];
}

let result: Record<string, unknown>;
if (job.mode === "full") {
  const [cold] = await timed(() => scanner.scan(accounts, block));
  const [seconds, statuses] = await timed(() => scanner.scan(accounts, block));
  result = { seconds, coldSeconds: cold, overCap: statuses.filter((s) => s.ok && s.status === 1).length, scannedOnChain: accounts.length };
} else {
  const prefilter = new Prefilter(
    provider,
    rpc,
    { module: job.module, engine: job.engine, oracle: job.oracle, margin: 0.05, snapshotConcurrency: job.concurrency },
    logger,
  );
  const [warmupSeconds] = await timed(() => prefilter.refresh(accounts, block));
  const step = async () => {
    await prefilter.refresh(accounts, block);
    const { suspects } = prefilter.suspects(accounts);
    const flagged = new Set(suspects);
    const sweep = accounts.slice(0, job.sweepPerBlock).filter((a) => !flagged.has(a));
    const statuses = await scanner.scan([...suspects, ...sweep], block);
    return {
      suspects: suspects.length,
      scanned: suspects.length + sweep.length,
      overCap: statuses.filter((s) => s.ok && s.status === 1).length,
    };
  };
  const [cold] = await timed(step);
  const [seconds, r] = await timed(step);
  result = { seconds, coldSeconds: cold, warmupSeconds, overCap: r.overCap, suspects: r.suspects, scannedOnChain: r.scanned };
}
clearInterval(sampler);
provider.destroy();
process.stdout.write(`${JSON.stringify({ ...result, peakMemoryMB: peakMemoryMB() })}\n`);
