/**
 * The keeper as a library: `startKeeper(config, deps)` follows every account of the engine block by block,
 * pokes the volatility oracle on new rounds, scans the accounts of its shard through the lens, ranks those
 * over cap and deleverages them through the transaction manager. `scripts/keeper.ts` (CLI) and
 * `scripts/keeper/hardhat.ts` (Hardhat script) wrap it; the demo runs it in-process.
 *
 * One tick per new head: discovery up to the head, pokes, scan at that block, rank, submit. Deleverages
 * are tracked in the background; the next tick does not wait for them, and the in-flight set keeps it from
 * sending any of them again.
 */
import { EventEmitter } from "node:events";

import {
  FetchRequest,
  getAddress,
  JsonRpcProvider,
  Network,
  type Provider,
  type Signer,
  type TransactionReceipt,
  Wallet,
  WebSocketProvider,
  ZeroAddress,
} from "ethers";

import { DELEVERAGED_TOPIC, moduleInterface, Status } from "./abi.js";
import { CheckpointStore } from "./checkpoint.js";
import { type KeeperConfig, redactUrl } from "./config.js";
import { DepthRefresher } from "./depthRefresher.js";
import { AccountDiscovery, type SyncResult } from "./discovery.js";
import { AbortedError, ChainMismatchError, ConfigError, describeError } from "./errors.js";
import { HeadSource } from "./heads.js";
import { Hedger } from "./hedger.js";
import { createLogger, type Logger } from "./logger.js";
import { type HealthReport, KeeperMetrics, type MetricsServer, startMetricsServer } from "./metrics.js";
import { OptIns } from "./optIns.js";
import { OraclePoker } from "./poker.js";
import { Prefilter } from "./prefilter.js";
import { rankOverCap } from "./ranking.js";
import { Rpc } from "./rpc.js";
import { Scanner } from "./scanner.js";
import { inShard } from "./shard.js";
import { sleep } from "./retry.js";
import { type TxJob, TxManager, type TxOutcome } from "./txManager.js";
import type { AccountStatus, Candidate } from "./types.js";

export interface KeeperDeps {
  /** A provider to use instead of connecting to `config.rpc` (e.g. an in-process chain). */
  provider?: Provider;
  /** The signer of transactions. Default: a `Wallet` from `privateKey`. Not needed in dry-run. */
  signer?: Signer;
  /** The signer's key (from `KEEPER_PRIVATE_KEY`); used when `signer` is not given. Never logged. */
  privateKey?: string;
  /** Default: a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Collect Node's default process metrics too (the CLI does). */
  defaultMetrics?: boolean;
}

/** The figures of a confirmed deleverage (from the `Deleveraged` event). */
export interface DeleverageResult {
  account: string;
  market: bigint;
  keeper: string;
  sizeBefore: bigint;
  sizeAfter: bigint;
  /** The price the breach was evaluated at (Chainlink, or the pool TWAP when it showed the larger breach). */
  price: bigint;
  notional: bigint;
  cap: bigint;
  binding: number;
  keeperFee: bigint;
}

/** A hedge submitted by hedge mode. */
export interface HedgeTrade {
  account: string;
  market: bigint;
  sizeDelta: bigint;
}

export interface KeeperEvents {
  /** A block was processed: statuses scanned, over-cap accounts ranked and submitted, hedges submitted. */
  block: [
    {
      number: number;
      head: number;
      accounts: number;
      owned: number;
      overCap: Candidate[];
      submitted: Candidate[];
      hedged: HedgeTrade[];
    },
  ];
  /** A hedge job finished. */
  hedgeOutcome: [{ hedge: HedgeTrade; outcome: TxOutcome }];
  /** A deleverage job finished. */
  outcome: [{ candidate: Candidate; outcome: TxOutcome; result?: DeleverageResult }];
  /** A tick failed (it is retried on the next head). */
  tickError: [{ error: unknown }];
}

export interface Keeper {
  /** Stops: no new block, in-flight transactions finished or abandoned (bounded), checkpoint written. */
  stop(): Promise<void>;
  /** Settles when the keeper stopped (rejects on a fatal error, after the checkpoint is written). */
  readonly done: Promise<void>;
  readonly events: EventEmitter<KeeperEvents>;
  readonly metrics: KeeperMetrics;
  /** The metrics server's port, when serving. */
  readonly metricsPort: number | undefined;
  /** The sender, or undefined in dry-run without a signer. */
  readonly address: string | undefined;
  readonly chainId: bigint;
  readonly engine: string;
  readonly volatilityOracle: string;
  /** Every account discovered (all shards). */
  accounts(): readonly string[];
  /** Last block processed. */
  lastBlock(): number;
  health(): HealthReport;
}

/** A provider for an RPC URL: HTTP(S) with a request deadline and a fixed network, or WebSocket. */
export async function connect(
  url: string,
  timeoutMs: number,
  rpc: Rpc,
): Promise<{ provider: JsonRpcProvider | WebSocketProvider; websocket: boolean }> {
  if (/^wss?:/i.test(url)) {
    const provider = new WebSocketProvider(url);
    await rpc.call("eth_chainId", () => provider.getNetwork());
    return { provider, websocket: true };
  }
  const chainId = await rpc.call("eth_chainId", async () => {
    const request = new FetchRequest(url);
    request.timeout = timeoutMs;
    request.setHeader("content-type", "application/json");
    request.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
    const response = await request.send();
    response.assertOk();
    const body = response.bodyJson as { result?: string; error?: { message?: string } };
    if (typeof body.result !== "string") throw new Error(`eth_chainId: ${body.error?.message ?? "no result"}`);
    return BigInt(body.result);
  });
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  const network = Network.from(chainId);
  return { provider: new JsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1 }), websocket: false };
}

/** Starts a keeper. Throws `ConfigError`, `CheckpointError` or `ChainMismatchError` before anything runs. */
export async function startKeeper(config: KeeperConfig, deps: KeeperDeps = {}): Promise<Keeper> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, secrets: [deps.privateKey] });
  const metrics = new KeeperMetrics(deps.defaultMetrics ?? false);
  const stopLoop = new AbortController();
  const onRpcError = (label: string, error: unknown, kind: string) => {
    metrics.rpcErrors.inc({ method: label, kind });
    logger.debug({ method: label, kind, error: describeError(error) }, "RPC request failed");
  };
  const rpcOptions = { timeoutMs: config.rpcTimeoutMs, attempts: config.rpcAttempts, onError: onRpcError };
  // Two request paths: the loop's stops retrying at shutdown; the transactions' keeps working while
  // in-flight transactions are finished.
  const rpc = new Rpc({ ...rpcOptions, signal: stopLoop.signal });
  const txRpc = new Rpc(rpcOptions);

  let provider: Provider;
  let ownProvider: JsonRpcProvider | WebSocketProvider | undefined;
  let websocket = false;
  if (deps.provider !== undefined) provider = deps.provider;
  else if (config.rpc !== undefined) {
    ({ provider: ownProvider, websocket } = await connect(config.rpc, config.rpcTimeoutMs, rpc));
    provider = ownProvider;
  } else throw new ConfigError(["rpc (--rpc or KEEPER_RPC): required"]);

  try {
    return await start(config, deps, { logger, metrics, stopLoop, rpc, txRpc, provider, ownProvider, websocket });
  } catch (error) {
    ownProvider?.destroy();
    throw error;
  }
}

interface Context {
  logger: Logger;
  metrics: KeeperMetrics;
  stopLoop: AbortController;
  rpc: Rpc;
  txRpc: Rpc;
  provider: Provider;
  ownProvider: JsonRpcProvider | WebSocketProvider | undefined;
  websocket: boolean;
}

async function start(config: KeeperConfig, deps: KeeperDeps, ctx: Context): Promise<Keeper> {
  const { logger, metrics, stopLoop, rpc, txRpc, provider } = ctx;
  const { chainId } = await rpc.call("eth_chainId", () => provider.getNetwork());
  const module = getAddress(config.module);
  const lens = getAddress(config.lens);

  for (const [name, address] of [
    ["module", module],
    ["lens", lens],
  ] as const) {
    const code = await rpc.call("eth_getCode", () => provider.getCode(address));
    if (code === "0x") throw new ChainMismatchError(`${name} ${address} has no code on chain ${chainId}: wrong address or wrong network`);
  }
  const readAddress = async (fn: "engine" | "volatilityOracle") => {
    try {
      const data = await rpc.call("eth_call", () => provider.call({ to: module, data: moduleInterface.encodeFunctionData(fn) }));
      return getAddress(moduleInterface.decodeFunctionResult(fn, data)[0] as string);
    } catch (error) {
      throw new ChainMismatchError(`module ${module} does not answer ${fn}(): is it a Ballast RiskModule? (${describeError(error)})`);
    }
  };
  const engine = config.engine ?? (await readAddress("engine"));
  const volatilityOracle = config.volatilityOracle ?? (await readAddress("volatilityOracle"));

  const signer = deps.signer ?? (deps.privateKey !== undefined ? new Wallet(deps.privateKey, provider) : undefined);
  if (signer === undefined && !config.dryRun)
    throw new ConfigError(["KEEPER_PRIVATE_KEY: required to send transactions (or use --dry-run)"]);
  const address = signer === undefined ? undefined : getAddress(await signer.getAddress());
  const localSigning = signer === undefined ? false : await TxManager.canSignLocally(signer, chainId);

  const store = new CheckpointStore(config.checkpoint, { chainId: Number(chainId), module });
  const checkpoint = await store.load();

  logger.info(
    {
      chainId,
      rpc: config.rpc === undefined ? "(provider)" : redactUrl(config.rpc),
      module,
      lens,
      engine,
      volatilityOracle,
      keeper: address,
      localSigning,
      dryRun: config.dryRun,
      shard: `${config.shardIndex}/${config.shardCount}`,
      checkpoint: config.checkpoint,
      resumeFrom: checkpoint?.lastBlock,
      accounts: checkpoint?.accounts.length ?? 0,
    },
    "keeper starting",
  );

  const discovery = new AccountDiscovery(
    provider,
    rpc,
    {
      engine,
      startBlock: config.startBlock,
      logChunkBlocks: config.logChunkBlocks,
      reorgHistory: config.reorgHistory,
      safeDepth: config.safeDepth,
      concurrency: config.readConcurrency,
      // The prefilter drops cached snapshots on any engine log naming an account.
      allLogs: config.scanMode === "prefilter",
    },
    logger,
    metrics,
  );
  if (checkpoint !== undefined) await discovery.restore(checkpoint);

  const tx = new TxManager(
    provider,
    signer,
    txRpc,
    {
      chainId,
      maxFeePerGas: config.maxFeePerGas,
      priorityFee: config.priorityFee,
      bumpPercent: config.bumpPercent,
      stuckAfterMs: config.stuckAfterSeconds * 1000,
      maxReplacements: config.maxReplacements,
      gasLimitMarginPercent: config.gasLimitMarginPercent,
      confirmations: config.confirmations,
      concurrency: config.txConcurrency,
      pollMs: Math.min(config.pollIntervalMs, 1_000),
      dryRun: config.dryRun,
      from: address ?? ZeroAddress,
    },
    logger,
    metrics,
    localSigning,
  );
  await tx.init();

  const scanner = new Scanner(
    provider,
    rpc,
    { lens, module, chunkSize: config.lensChunkSize, concurrency: config.readConcurrency },
    logger,
  );
  const prefilter =
    config.scanMode === "prefilter"
      ? new Prefilter(
          provider,
          rpc,
          { module, engine, oracle: volatilityOracle, margin: config.prefilterMargin, snapshotConcurrency: config.readConcurrency },
          logger,
        )
      : undefined;
  const poker = new OraclePoker(
    provider,
    rpc,
    {
      module,
      oracle: volatilityOracle,
      feeds: config.feeds,
      waitMs: Math.max(config.pollIntervalMs * 5, 10_000),
      failurePauseMs: 10 * 60_000,
    },
    tx,
    logger,
    metrics,
  );
  const refresher = config.refreshDepth
    ? new DepthRefresher(provider, rpc, tx, { module, fraction: config.depthRefreshFraction, pauseMs: 10 * 60_000 }, logger, metrics)
    : undefined;
  refresher?.learnMarkets(discovery.markets);
  let hedger: Hedger | undefined;
  if (config.hedge) {
    if (address === undefined)
      throw new ConfigError([
        "KEEPER_PRIVATE_KEY: hedge mode needs the keeper's address (accounts opt in by approving it), even in dry-run",
      ]);
    const optIns = new OptIns(provider, rpc, {
      engine,
      hedger: address,
      startBlock: config.startBlock,
      safeDepth: config.safeDepth,
      logChunkBlocks: config.logChunkBlocks,
    });
    hedger = new Hedger(
      provider,
      rpc,
      optIns,
      tx,
      {
        module,
        engine,
        markets: config.hedgeMarkets,
        minTrade: BigInt(Math.round(config.hedgeMinTrade * 1e9)) * 10n ** 9n,
        concurrency: config.readConcurrency,
        cooldownMs: config.cooldownSeconds * 1000,
        inShard: (account) => inShard(account, config.shardIndex, config.shardCount),
      },
      logger,
      metrics,
    );
    logger.info({ markets: config.hedgeMarkets, minTrade: config.hedgeMinTrade }, "hedge mode on");
  }
  const heads = new HeadSource(provider, rpc, config.pollIntervalMs, logger);
  if (ctx.websocket && config.subscribe) await heads.subscribe();

  const events = new EventEmitter<KeeperEvents>();
  const owned: string[] = [];
  const addOwned = (accounts: readonly string[]) => {
    for (const a of accounts) if (inShard(a, config.shardIndex, config.shardCount)) owned.push(a);
  };
  addOwned(discovery.accounts);
  await poker.learnMarkets(discovery.markets);

  /** Accounts (after a failure) and positions (after a deleverage) paused until a time. */
  const cooldown = new Map<string, number>();
  /** Markets whose deleverage window is exhausted. */
  const windowWait = new Set<bigint>();
  let processed = discovery.lastBlock;
  let lastHead = processed;
  let lastProcessedAt = Date.now();
  let firstTickDone = false;
  let lastSave = 0;
  let savedBlock = -1;

  const health = (): HealthReport => {
    const age = (Date.now() - lastProcessedAt) / 1000;
    // A first catch-up (logs from startBlock) can take long: it counts as alive while it reads blocks.
    const syncing = !firstTickDone && (Date.now() - discovery.lastProgressAt) / 1000 <= config.healthMaxAgeSeconds;
    const ok = !stopping && (age <= config.healthMaxAgeSeconds || syncing);
    return {
      ok,
      body: {
        status: stopping ? "stopping" : syncing && age > config.healthMaxAgeSeconds ? "syncing" : ok ? "ok" : "stale",
        lastBlock: processed,
        head: lastHead,
        lag: Math.max(0, lastHead - processed),
        secondsSinceLastBlock: Math.round(age * 10) / 10,
        accounts: discovery.accountCount,
        owned: owned.length,
        inFlight: tx.inFlightCount,
      },
    };
  };
  let server: MetricsServer | undefined;
  if (config.metrics) {
    server = await startMetricsServer(metrics, health, config.metricsHost, config.metricsPort);
    logger.info({ host: config.metricsHost, port: server.port }, "serving /metrics and /health");
  }

  const saveCheckpoint = async () => {
    if (discovery.lastBlock < 0 || discovery.lastBlockHash === "") return;
    if (discovery.lastBlock === savedBlock) return;
    const snapshot = { lastBlock: discovery.lastBlock, lastBlockHash: discovery.lastBlockHash, accounts: [...discovery.accounts] };
    await store.save(snapshot);
    savedBlock = snapshot.lastBlock;
    lastSave = Date.now();
    logger.debug({ lastBlock: snapshot.lastBlock, accounts: snapshot.accounts.length }, "checkpoint written");
  };

  const onOutcome = (candidate: Candidate, outcome: TxOutcome) => {
    const key = `${candidate.account}:${candidate.market}`;
    const context = { account: candidate.account, market: candidate.market };
    let result: DeleverageResult | undefined;
    switch (outcome.status) {
      case "confirmed":
        result = deleveragedEvent(outcome.receipt, module, candidate.account, candidate.market);
        metrics.deleveragesConfirmed.inc();
        cooldown.set(key, Date.now() + config.cooldownSeconds * 1000);
        logger.info(
          {
            ...context,
            hash: outcome.hash,
            block: outcome.receipt.blockNumber,
            gasUsed: outcome.receipt.gasUsed,
            replacements: outcome.replacements,
            ...(result === undefined
              ? {}
              : {
                  sizeBefore: result.sizeBefore,
                  sizeAfter: result.sizeAfter,
                  price: result.price,
                  notional: result.notional,
                  cap: result.cap,
                  binding: result.binding,
                  keeperFee: result.keeperFee,
                }),
          },
          "deleverage confirmed",
        );
        break;
      case "reverted":
        metrics.deleveragesFailed.inc({ reason: "reverted" });
        cooldown.set(candidate.account, Date.now() + config.cooldownSeconds * 1000);
        logger.warn(
          { ...context, hash: outcome.hash, block: outcome.receipt.blockNumber },
          "deleverage reverted on-chain (state changed after simulation)",
        );
        break;
      case "failed":
        metrics.deleveragesFailed.inc({ reason: outcome.reason });
        cooldown.set(candidate.account, Date.now() + config.cooldownSeconds * 1000);
        break;
      case "cancelled":
        metrics.deleveragesFailed.inc({ reason: "cancelled" });
        break;
      case "waiting":
        windowWait.add(candidate.market);
        break;
      default:
        break;
    }
    events.emit("outcome", result === undefined ? { candidate, outcome } : { candidate, outcome, result });
  };

  const coolingDown = (c: Candidate, now: number) =>
    (cooldown.get(c.account) ?? 0) > now || (cooldown.get(`${c.account}:${c.market}`) ?? 0) > now;

  /** Markets whose window is exhausted and still has no room. */
  const windowBlocked = async (blockTag: number): Promise<Set<bigint>> => {
    const blocked = new Set<bigint>();
    for (const market of windowWait) {
      try {
        const data = await rpc.call("eth_call", () =>
          provider.call({ to: module, data: moduleInterface.encodeFunctionData("deleverageCapacity", [market]), blockTag }),
        );
        const [remaining] = moduleInterface.decodeFunctionResult("deleverageCapacity", data) as unknown as [bigint, bigint];
        if (remaining === 0n) blocked.add(market);
        else windowWait.delete(market);
      } catch {
        blocked.add(market);
      }
    }
    return blocked;
  };

  let sweepCursor = 0;
  /** The next `count` owned accounts, round robin. */
  const nextSweep = (count: number): string[] => {
    if (owned.length === 0 || count === 0) return [];
    const out: string[] = [];
    for (let i = 0; i < Math.min(count, owned.length); i++) out.push(owned[(sweepCursor + i) % owned.length]!);
    sweepCursor = (sweepCursor + out.length) % owned.length;
    return out;
  };
  /** Statuses of the accounts to evaluate this block: every owned one, or the prefilter's suspects and the sweep. */
  const scanAccounts = async (sync: SyncResult, blockTag: number): Promise<AccountStatus[]> => {
    if (prefilter === undefined) {
      metrics.accountsScanned.set(owned.length);
      return scanner.scan(owned, blockTag);
    }
    if (sync.reorged) prefilter.invalidateAll();
    else prefilter.invalidate(sync.touched);
    await prefilter.refresh(owned, blockTag);
    const { suspects } = prefilter.suspects(owned);
    const flagged = new Set(suspects);
    const sweep = nextSweep(config.sweepPerBlock).filter((a) => !flagged.has(a));
    metrics.prefilterSuspects.set(suspects.length);
    metrics.accountsScanned.set(suspects.length + sweep.length);
    const statuses = await scanner.scan([...suspects, ...sweep], blockTag);
    for (const s of statuses) {
      if (flagged.has(s.account) || !s.ok || s.status !== Status.OverCap) continue;
      metrics.prefilterMisses.inc();
      prefilter.markMissed(s.account);
      logger.error(
        { account: s.account, modelRatio: prefilter.ratio(s.account), ratio: s.ratio },
        "prefilter missed an over-cap account (found by the sweep); it is evaluated on-chain every block from now on",
      );
    }
    return statuses;
  };

  const tick = async (head: number) => {
    const started = Date.now();
    lastHead = head;
    metrics.head.set(head);
    const sync = await discovery.syncTo(head);
    if (sync.added.length > 0) {
      addOwned(sync.added);
      logger.info({ added: sync.added.length, total: discovery.accountCount, block: discovery.lastBlock }, "new accounts");
    }
    if (sync.newMarkets.length > 0) {
      await poker.learnMarkets(sync.newMarkets);
      refresher?.learnMarkets(sync.newMarkets);
    }
    let blockTag = discovery.lastBlock;
    if (config.poke && (await poker.pokeIfNeeded(blockTag))) {
      blockTag = Math.max(blockTag, await rpc.call("eth_blockNumber", () => provider.getBlockNumber()));
    }
    const timer = metrics.scanSeconds.startTimer();
    const statuses: AccountStatus[] = await scanAccounts(sync, blockTag);
    timer();
    const overCap = rankOverCap(statuses);
    metrics.accountsOverCap.set(overCap.length);
    metrics.accountsUnevaluable.set(statuses.filter((s) => !s.ok || s.status === 2).length);
    const now = Date.now();
    const blocked = windowWait.size > 0 ? await windowBlocked(blockTag) : new Set<bigint>();
    const submitted = overCap.filter((c) => !tx.isInFlight(jobKey(c)) && !coolingDown(c, now) && !blocked.has(c.market));
    if (overCap.length > 0) {
      logger.info(
        {
          block: blockTag,
          overCap: overCap.length,
          submitting: submitted.length,
          top: overCap.slice(0, 5).map((c) => ({ account: c.account, market: c.market, ratio: c.ratio })),
        },
        "over-cap accounts",
      );
    }
    const jobs = submitted.map((c) => deleverageJob(module, c));
    tx.submitAll(jobs, config.readConcurrency).forEach((promise, i) => void promise.then((outcome) => onOutcome(submitted[i]!, outcome)));
    await refresher?.tick(blockTag);
    const hedged: HedgeTrade[] = [];
    for (const h of (await hedger?.tick(blockTag)) ?? []) {
      const hedge = { account: h.account, market: h.market, sizeDelta: h.sizeDelta };
      hedged.push(hedge);
      void h.outcome.then((outcome) => events.emit("hedgeOutcome", { hedge, outcome }));
    }

    processed = blockTag;
    lastProcessedAt = Date.now();
    firstTickDone = true;
    metrics.lastBlock.set(processed);
    metrics.lag.set(Math.max(0, lastHead - processed));
    metrics.accountsTracked.set(discovery.accountCount);
    metrics.accountsOwned.set(owned.length);
    if (Date.now() - lastSave >= config.checkpointIntervalSeconds * 1000) await saveCheckpoint();
    logger.debug({ block: blockTag, head, accounts: owned.length, overCap: overCap.length, ms: Date.now() - started }, "block processed");
    events.emit("block", { number: blockTag, head, accounts: discovery.accountCount, owned: owned.length, overCap, submitted, hedged });
  };

  let stopping = false;
  let fatal: unknown;
  const loop = async () => {
    while (!stopLoop.signal.aborted) {
      try {
        const head = await heads.next(processed, stopLoop.signal);
        await tick(head);
      } catch (error) {
        if (stopLoop.signal.aborted || error instanceof AbortedError) break;
        logger.error({ err: error }, "tick failed; retrying on the next head");
        events.emit("tickError", { error });
        await sleep(config.pollIntervalMs, stopLoop.signal).catch(() => undefined);
      }
    }
  };

  const running = loop();
  if (ctx.ownProvider instanceof WebSocketProvider) {
    const socket = ctx.ownProvider.websocket as { addEventListener?: (event: string, fn: () => void) => void };
    socket.addEventListener?.("close", () => {
      if (stopping) return;
      fatal = new Error("the WebSocket connection to the RPC closed; restart the keeper (it resumes from its checkpoint)");
      void stop();
    });
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      logger.info("stopping: no new blocks");
      stopLoop.abort(new AbortedError("stopping"));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((r) => (timer = setTimeout(r, config.shutdownTimeoutSeconds * 1000)))]);
      clearTimeout(timer);
      await tx.drain(config.shutdownTimeoutSeconds * 1000);
      try {
        await saveCheckpoint();
        logger.info({ lastBlock: discovery.lastBlock, accounts: discovery.accountCount }, "checkpoint written; stopped");
      } catch (error) {
        logger.error({ err: error }, "could not write the checkpoint at shutdown");
        fatal ??= error;
      }
      await heads.close().catch(() => undefined);
      await server?.close();
      ctx.ownProvider?.destroy();
      if (fatal !== undefined) throw fatal;
    })();
    return stopped;
  };
  const done = running.then(() => stop());
  done.catch(() => undefined);

  return {
    stop,
    done,
    events,
    metrics,
    metricsPort: server?.port,
    address,
    chainId,
    engine,
    volatilityOracle,
    accounts: () => discovery.accounts,
    lastBlock: () => processed,
    health,
  };
}

const jobKey = (c: Candidate) => `deleverage:${c.account}:${c.market}`;

/** The deleverage job of a candidate: simulate, and map the module's reverts. */
function deleverageJob(module: string, c: Candidate): TxJob {
  return {
    key: jobKey(c),
    kind: "deleverage",
    to: module,
    data: moduleInterface.encodeFunctionData("deleverage", [c.account, c.market]),
    errors: moduleInterface,
    onRevert: (revert) => {
      switch (revert?.name) {
        case "NothingToDeleverage":
        case "AlreadyDeleveraged":
          return "drop";
        case "DeleverageWindowExhausted":
          return "wait";
        case "PriceInvalid":
        case "SequencerDown":
        case "SequencerGracePeriod":
          return "skip";
        default:
          return "fail";
      }
    },
    context: { job: "deleverage", account: c.account, market: c.market, ratio: c.ratio, notional: c.notional, cap: c.cap },
  };
}

/** The `Deleveraged` event of `account`/`market` in a receipt. */
export function deleveragedEvent(
  receipt: TransactionReceipt,
  module: string,
  account: string,
  market: bigint,
): DeleverageResult | undefined {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== module.toLowerCase() || log.topics[0] !== DELEVERAGED_TOPIC) continue;
    const parsed = moduleInterface.parseLog(log);
    if (parsed === null) continue;
    const result: DeleverageResult = {
      account: getAddress(parsed.args.account as string),
      market: parsed.args.market as bigint,
      keeper: getAddress(parsed.args.keeper as string),
      sizeBefore: parsed.args.sizeBefore as bigint,
      sizeAfter: parsed.args.sizeAfter as bigint,
      price: parsed.args.price as bigint,
      notional: parsed.args.notional as bigint,
      cap: parsed.args.cap as bigint,
      binding: Number(parsed.args.binding),
      keeperFee: parsed.args.keeperFee as bigint,
    };
    if (result.account === getAddress(account) && result.market === market) return result;
  }
  return undefined;
}
