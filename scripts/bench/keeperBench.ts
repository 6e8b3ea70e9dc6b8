/**
 * The body of `npm run bench:keeper` (flags and help: `scripts/commands/benchKeeper.ts`).
 *
 * Measures the keeper against a local node (an in-process chain served over HTTP JSON-RPC) and writes
 * `{"scan": [{"accounts", "seconds", "accountsPerSecond", "peakMemoryMB", "mode", ...}], "reactionBlocks", ...}`.
 *
 * - Scan: the status of N accounts as the keeper reads it each block, in both scan modes: `full` (every
 *   account through `RiskLens.statusBatch`) and `prefilter` (the off-chain model, then the suspects and a
 *   sweep slice through the lens; the one-time snapshot load is reported as `warmupSeconds`). Accounts come
 *   from `contracts/test/keeper/SyntheticMarginEngine.sol`, a TEST DOUBLE engine that derives each account
 *   from its address (no storage, no transactions to create them); the risk module, volatility oracle,
 *   Chainlink proxies, Uniswap V3 pool and lens evaluating them are the real contracts. Each measurement runs
 *   in its own process, so `peakMemoryMB` is the keeper process's peak resident memory alone.
 * - Reaction: blocks from the block holding new Chainlink rounds that put accounts over cap (1 s interval
 *   mining) to the block mining their deleverage; the keeper's poke of the volatility oracle goes in the same
 *   block, right before the deleverages (docs/KEEPER.md, "Reaction").
 *
 * A benchmark measures and reports; it asserts nothing about time.
 */
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";

import { parseEther, Wallet } from "ethers";
import hre from "hardhat";
import { answer } from "../lib/chainlink/feeds.js";
import { toJson, writeFileAtomic } from "../lib/files.js";
import { provenance } from "../lib/provenance.js";
import { deploySystem, type System } from "../lib/system.js";
import { parseKeeperConfig } from "../keeper/config.js";
import { startKeeper } from "../keeper/keeper.js";
import { silentLogger } from "../keeper/logger.js";
import { deploySyntheticModule } from "../keeper/testing/benchSystem.js";
import { serveProvider } from "../keeper/testing/rpcServer.js";
import { openAtFractionOfCap } from "../../test/helpers/scenarios.js";

const CHUNK = 100;
const CONCURRENCY = 4;
const SWEEP = 250;

interface ScanEntry {
  mode: "full" | "prefilter";
  accounts: number;
  seconds: number;
  accountsPerSecond: number;
  peakMemoryMB: number;
  scannedOnChain: number;
  overCap: number;
  coldSeconds: number;
  warmupSeconds?: number;
  suspects?: number;
}

function runWorker(job: Record<string, unknown>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/keeper/testing/scanWorker.ts", JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`scan worker exited ${code}: ${err.slice(0, 2_000)}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>);
    });
  });
}

/** Blocks from new over-cap rounds to the mined deleverages, with 1 s interval mining. */
async function measureReaction(system: System, url: string) {
  const { ethers, networkHelpers, provider } = system.connection as System["connection"] & {
    provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> };
  };
  const accounts: string[] = [];
  for (const fraction of [0.6, 0.75, 0.9]) {
    const wallet = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
    await networkHelpers.setBalance(wallet.address, parseEther("10"));
    await openAtFractionOfCap(system, wallet, 1_000, fraction);
    accounts.push(wallet.address);
  }
  const key = Wallet.createRandom().privateKey;
  await networkHelpers.setBalance(new Wallet(key).address, parseEther("100"));
  const dir = await mkdtemp(path.join(tmpdir(), "ballast-bench-keeper-"));
  const keeper = await startKeeper(
    parseKeeperConfig({
      rpc: url,
      module: await system.ballast.riskModule.getAddress(),
      lens: await system.ballast.riskLens.getAddress(),
      pollIntervalMs: 100,
      confirmations: 1,
      metrics: false,
      checkpoint: path.join(dir, "checkpoint.json"),
    }),
    { privateKey: key, logger: silentLogger() },
  );
  const confirmed = new Map<string, number>();
  keeper.events.on("outcome", ({ candidate, outcome }) => {
    if (outcome.status === "confirmed") confirmed.set(candidate.account, outcome.receipt.blockNumber);
  });
  const head = await ethers.provider.getBlockNumber();
  while (keeper.lastBlock() < head) await new Promise((r) => setTimeout(r, 50));

  // Rounds in the past of the next block (so they are fresh and valid), published under interval mining.
  await networkHelpers.time.increase(600);
  const latest = await networkHelpers.time.latest();
  const prices = [2_700, 3_300, 2_700, 3_300, 3_000];
  await provider.request({ method: "evm_setAutomine", params: [false] });
  await provider.request({ method: "evm_setIntervalMining", params: [1_000] });
  const tx = await system.feeds.eth.aggregator.transmitBatch(
    prices.map((p) => answer(p)),
    prices.map((_, i) => latest - 300 + 60 * i),
  );
  const roundsBlock = (await tx.wait())!.blockNumber;
  const deadline = Date.now() + 60_000;
  while (confirmed.size < accounts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await keeper.stop();
  await provider.request({ method: "evm_setIntervalMining", params: [0] });
  await provider.request({ method: "evm_setAutomine", params: [true] });
  const blocks = accounts.map((a) => confirmed.get(a));
  if (blocks.some((b) => b === undefined)) throw new Error("reaction: not every account was deleveraged within 60 s");
  return {
    reactionBlocks: Math.max(...(blocks as number[])) - roundsBlock,
    reaction: {
      roundsBlock,
      deleverageBlocks: blocks,
      blockTimeSeconds: 1,
      note: "the keeper sends its volatility-oracle poke and the deleverages behind it (consecutive nonces) as soon as it sees the rounds' block; one block mines them all",
    },
  };
}

/** A fresh chain with the system and the synthetic module, served over HTTP (one per measurement, so that
 * no measurement runs on a node slowed down by the previous ones). */
async function freshChain() {
  const chain = await hre.network.create();
  const system = await deploySystem(chain as never);
  const synthetic = await deploySyntheticModule(system, 100);
  const server = await serveProvider(chain.provider);
  const chainId = Number((await chain.ethers.provider.getNetwork()).chainId);
  const oracle = await system.ballast.volatilityOracle.getAddress();
  return {
    chain,
    system,
    synthetic,
    server,
    chainId,
    oracle,
    close: async () => {
      await server.close();
      await chain.close();
    },
  };
}

/**
 * Runs the benchmark and writes its report. A benchmark's report is a measurement: its timings are its
 * content (the one exception to "no wall-clock field"), with the provenance of the code measured.
 */
export async function runKeeperBench(args: { sizes: number[]; out: string; quiet: boolean }): Promise<void> {
  const log = (line: string) => (args.quiet ? undefined : process.stderr.write(`${line}\n`));

  const scan: ScanEntry[] = [];
  for (const accounts of args.sizes) {
    for (const mode of ["full", "prefilter"] as const) {
      log(`bench:keeper: ${mode} scan of ${accounts} accounts...`);
      const node = await freshChain();
      const { synthetic } = node;
      const r = await runWorker({
        url: node.server.url,
        chainId: node.chainId,
        lens: synthetic.lens,
        module: synthetic.module,
        engine: synthetic.engine,
        oracle: node.oracle,
        accounts,
        mode,
        chunkSize: CHUNK,
        concurrency: CONCURRENCY,
        sweepPerBlock: SWEEP,
      }).finally(() => node.close());
      const entry: ScanEntry = {
        mode,
        accounts,
        seconds: round(r.seconds!),
        coldSeconds: round(r.coldSeconds!),
        accountsPerSecond: Math.round(accounts / r.seconds!),
        peakMemoryMB: round(r.peakMemoryMB!),
        scannedOnChain: r.scannedOnChain!,
        overCap: r.overCap!,
        ...(mode === "prefilter" ? { warmupSeconds: round(r.warmupSeconds!), suspects: r.suspects! } : {}),
      };
      log(`  ${JSON.stringify(entry)}`);
      scan.push(entry);
    }
  }
  log("bench:keeper: reaction...");
  const node = await freshChain();
  const reaction = await measureReaction(node.system, node.server.url).finally(() => node.close());
  const report = {
    provenance: await provenance({
      tool: "bench:keeper",
      mode: "replica",
      chainId: node.chainId,
      parameters: { sizes: args.sizes, lensChunkSize: CHUNK, readConcurrency: CONCURRENCY, sweepPerBlock: SWEEP },
    }),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    setup: {
      node: "in-process Hardhat EDR chain served over HTTP JSON-RPC (loopback), a fresh one per measurement; EDR executes eth_calls one at a time",
      accounts:
        "SyntheticMarginEngine test double (contracts/test/keeper): snapshots derived from addresses; module, oracles, pool and lens real",
      lensChunkSize: CHUNK,
      readConcurrency: CONCURRENCY,
      sweepPerBlock: SWEEP,
      prefilterMargin: 0.05,
      full: "seconds = one scan of every account through RiskLens.statusBatch at one block (second run; coldSeconds = first run)",
      prefilter:
        "seconds = one block of scanMode prefilter (second run; coldSeconds = first): market inputs re-read, model over every account, suspects + sweep through the lens; warmupSeconds = loading every snapshot once at start",
      memory: "peakMemoryMB = high-water resident memory of the keeper process doing the scan (the chain runs in another process)",
    },
    scan,
    ...reaction,
  };
  await writeFileAtomic(args.out, toJson(report));
  process.stdout.write(toJson(report));
  log(`bench:keeper -> ${args.out}`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
