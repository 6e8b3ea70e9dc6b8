/**
 * Test harness of the keeper's integration tests: the whole system on an in-process chain (the lead's
 * system fixture), served over HTTP by a JSON-RPC bridge, behind a fault-injecting proxy; keepers started
 * against the proxy's URL with their logs captured; helpers to open positions, move the market so that
 * accounts go over cap, and read what happened on-chain.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";

import { type Block, getAddress, parseEther, Transaction, type TransactionResponse, Wallet } from "ethers";

import { answer } from "../../../scripts/lib/chainlink/feeds.js";
import { ETH_MARKET, type System, type SystemOptions } from "../../../scripts/lib/system.js";
import { moduleInterface } from "../../../scripts/keeper/abi.js";
import { type KeeperConfigInput, parseKeeperConfig } from "../../../scripts/keeper/config.js";
import { type Keeper, type KeeperDeps, startKeeper } from "../../../scripts/keeper/keeper.js";
import { createLogger } from "../../../scripts/keeper/logger.js";
import { FaultProxy } from "../../../scripts/keeper/testing/faultProxy.js";
import { type JsonRpcServer, serveProvider } from "../../../scripts/keeper/testing/rpcServer.js";
import { openAtFractionOfCap } from "../../helpers/scenarios.js";
import { systemFixture } from "../../helpers/system.js";

export const WAD = 10n ** 18n;

export interface StartedKeeper {
  keeper: Keeper;
  key: string;
  address: string;
  /** Every log line the keeper wrote. */
  lines: string[];
  checkpoint: string;
}

export async function keeperHarness(options: SystemOptions = {}) {
  const { connection, load } = await systemFixture(options);
  const { ethers, networkHelpers, provider } = connection;
  const bridge: JsonRpcServer = await serveProvider(provider);
  const dir = await mkdtemp(path.join(tmpdir(), "ballast-keeper-it-"));
  const running: Keeper[] = [];
  const logs: { key: string; lines: string[] }[] = [];
  let proxy = new FaultProxy(bridge.url);
  await proxy.start();
  let files = 0;

  const harness = {
    connection,
    ethers,
    networkHelpers,
    bridge,
    dir,
    get proxy() {
      return proxy;
    },
    /** A fresh fault proxy (counts and rules reset). */
    async resetProxy(): Promise<FaultProxy> {
      await proxy.close();
      proxy = new FaultProxy(bridge.url);
      await proxy.start();
      return proxy;
    },
    load,

    /** A new file path in the test directory. */
    file(name = "checkpoint.json"): string {
      return path.join(dir, `${++files}-${name}`);
    },

    /** A random key holding 100 ETH. */
    async fundedKey(): Promise<{ key: string; address: string }> {
      const wallet = Wallet.createRandom();
      await networkHelpers.setBalance(wallet.address, parseEther("100"));
      return { key: wallet.privateKey, address: wallet.address };
    },

    /** Starts a keeper against the proxy (fast polling, metrics on any port, a fresh checkpoint file). */
    async start(system: System, overrides: KeeperConfigInput = {}, key?: string, deps: KeeperDeps = {}): Promise<StartedKeeper> {
      const signer = key === undefined ? await harness.fundedKey() : { key, address: new Wallet(key).address };
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _, done) {
          lines.push(chunk.toString());
          if (process.env.KEEPER_TEST_LOGS) process.stderr.write(chunk);
          done();
        },
      });
      const checkpoint = overrides.checkpoint ?? harness.file();
      const config = parseKeeperConfig({
        rpc: proxy.url,
        module: await system.ballast.riskModule.getAddress(),
        lens: await system.ballast.riskLens.getAddress(),
        pollIntervalMs: 50,
        metricsPort: 0,
        confirmations: 1,
        checkpointIntervalSeconds: 0,
        rpcTimeoutMs: 2_000,
        rpcAttempts: 4,
        logLevel: "debug",
        shutdownTimeoutSeconds: 5,
        stuckAfterSeconds: 30,
        ...overrides,
        checkpoint,
      });
      const keeper = await startKeeper(config, {
        privateKey: signer.key,
        logger: createLogger({ level: "debug", destination: sink, secrets: [signer.key] }),
        ...deps,
      });
      running.push(keeper);
      logs.push({ key: signer.key, lines });
      return { keeper, key: signer.key, address: signer.address, lines, checkpoint };
    },

    /** Stops every keeper started since the last call, and checks that none ever logged its key. */
    async stopAll(): Promise<void> {
      const keepers = running.splice(0);
      await Promise.all(keepers.map((k) => k.stop().catch(() => undefined)));
      for (const { key, lines } of logs.splice(0)) {
        const leaked = lines.find((line) => line.toLowerCase().includes(key.slice(2).toLowerCase()));
        if (leaked !== undefined) throw new Error(`a keeper logged its private key: ${leaked.slice(0, 200)}`);
      }
    },

    /** A new wallet holding 10 ETH for gas, nothing in the engine. */
    async wallet(): Promise<Wallet> {
      const wallet = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
      await networkHelpers.setBalance(wallet.address, parseEther("10"));
      return wallet;
    },

    /** A new account holding `usdc` with a long of `fraction` of its cap. */
    async openAccount(system: System, fraction: number, usdc = 1_000, key = Wallet.createRandom().privateKey): Promise<Wallet> {
      const wallet = new Wallet(key, ethers.provider);
      await networkHelpers.setBalance(wallet.address, parseEther("10"));
      await openAtFractionOfCap(system, wallet, usdc, fraction);
      return wallet;
    },

    /**
     * Violent Chainlink rounds (+-10 % one minute apart, ending at `endPrice`) published in ONE block and not
     * poked: the keeper must poke the oracle, and then the liquidation-distance caps shrink. Returns the block.
     */
    async volatilitySpike(system: System, endPrice = 3_000, mine = true): Promise<number> {
      const latest = await networkHelpers.time.latest();
      const prices = [endPrice * 0.9, endPrice * 1.1, endPrice * 0.9, endPrice * 1.1, endPrice];
      const times = prices.map((_, i) => latest + 60 * (i + 1));
      await system.feeds.eth.aggregator.transmitBatch(
        prices.map((p) => answer(p)),
        times,
      );
      await networkHelpers.time.setNextBlockTimestamp(times.at(-1)! + 1);
      if (mine) await networkHelpers.mine();
      return ethers.provider.getBlockNumber();
    },

    async setAutomine(on: boolean): Promise<void> {
      await provider.request({ method: "evm_setAutomine", params: [on] });
    },

    /** `Deleveraged` events from `fromBlock`, in chain order. */
    async deleveraged(system: System, fromBlock: number) {
      const logs = await ethers.provider.getLogs({
        address: await system.ballast.riskModule.getAddress(),
        topics: [moduleInterface.getEvent("Deleveraged")!.topicHash],
        fromBlock,
      });
      return logs.map((log) => {
        const parsed = moduleInterface.parseLog(log)!;
        return {
          account: getAddress(parsed.args.account as string),
          market: parsed.args.market as bigint,
          keeper: getAddress(parsed.args.keeper as string),
          notional: parsed.args.notional as bigint,
          cap: parsed.args.cap as bigint,
          keeperFee: parsed.args.keeperFee as bigint,
          block: log.blockNumber,
          logIndex: log.index,
        };
      });
    },

    /** Every transaction mined from `sender` since `fromBlock`, with its receipt status and decoded call. */
    async minedFrom(sender: string, fromBlock: number) {
      const head = await ethers.provider.getBlockNumber();
      const out: {
        hash: string;
        nonce: number;
        block: number;
        status: number;
        call?: { name: string; account?: string; market?: bigint };
        tx: TransactionResponse;
      }[] = [];
      for (let n = fromBlock; n <= head; n++) {
        const block = (await ethers.provider.getBlock(n, true)) as Block;
        for (const tx of block.prefetchedTransactions) {
          if (tx.from.toLowerCase() !== sender.toLowerCase()) continue;
          const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
          const parsed = tx.data === "0x" ? null : moduleInterface.parseTransaction({ data: tx.data });
          out.push({
            hash: tx.hash,
            nonce: tx.nonce,
            block: n,
            status: receipt!.status ?? 0,
            tx,
            ...(parsed === null
              ? {}
              : {
                  call: {
                    name: parsed.name,
                    ...(parsed.name === "deleverage"
                      ? { account: getAddress(parsed.args[0] as string), market: parsed.args[1] as bigint }
                      : {}),
                  },
                }),
          });
        }
      }
      return out;
    },

    /** Raw transactions the proxy saw from `sender`, decoded. */
    broadcastFrom(sender: string) {
      return proxy.rawTransactions.map((raw) => Transaction.from(raw)).filter((tx) => tx.from?.toLowerCase() === sender.toLowerCase());
    },

    async close(): Promise<void> {
      await harness.stopAll();
      await proxy.close();
      await bridge.close();
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof keeperHarness>>;

export { until } from "../../helpers/until.js";

/** Resolves with the first `event` of `keeper` whose payload satisfies `predicate`. */
export function nextEvent<K extends "block" | "outcome">(
  keeper: Keeper,
  event: K,
  predicate: (payload: Parameters<Parameters<Keeper["events"]["on"]>[1]>[0]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      keeper.events.off(event, listener as never);
      reject(new Error(`timed out waiting for keeper event ${event}`));
    }, timeoutMs);
    const listener = (payload: never) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      keeper.events.off(event, listener as never);
      resolve(payload);
    };
    keeper.events.on(event, listener as never);
  });
}

/** Collects the outcomes a keeper reports. */
export function outcomes(keeper: Keeper) {
  const list: { account: string; market: bigint; status: string; hash?: string; keeper?: string }[] = [];
  keeper.events.on("outcome", ({ candidate, outcome, result }) =>
    list.push({
      account: candidate.account,
      market: candidate.market,
      status: outcome.status,
      ...("hash" in outcome ? { hash: outcome.hash } : {}),
      ...(result ? { keeper: result.keeper } : {}),
    }),
  );
  return list;
}

export { ETH_MARKET };
