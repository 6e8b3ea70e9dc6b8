/**
 * The keeper as a library: `startKeeper(config, deps)` follows every account of the engine block by block
 * and runs its tasks on each new head (`tasks.ts`): poke the volatility oracle on new rounds, deleverage
 * the accounts over cap (`deleverager.ts`), refresh depth states (`--refresh-depth`), hedge options books
 * (`--hedge`). The tasks fill one batch per block that the transaction manager sends in order at
 * consecutive nonces, so a poke and the deleverages it enables are mined in the same block.
 * `scripts/keeper.ts` (CLI) and `scripts/keeper/hardhat.ts` (Hardhat script) wrap it; the demo runs it
 * in-process.
 *
 * Transactions are tracked in the background; the next block does not wait for them, and the in-flight
 * set keeps any of them from being sent twice. With `once`, one block is processed, what it sent is
 * waited for (until mined), and the keeper stops.
 */
import { EventEmitter } from "node:events";

import { formatEther, getAddress, type Provider, type Signer, Wallet, ZeroAddress } from "ethers";

import { moduleInterface } from "./abi.js";
import { CheckpointStore } from "./checkpoint.js";
import { type KeeperConfig, redactUrl } from "./config.js";
import { connect, type Connection } from "./connect.js";
import { type DeleverageResult, Deleverager } from "./deleverager.js";
import { DepthRefresher } from "./depthRefresher.js";
import { AccountDiscovery } from "./discovery.js";
import { BalanceWatch, NativePrice } from "./economics.js";
import { AbortedError, ChainMismatchError, ConfigError, describeError } from "./errors.js";
import { HeadSource } from "./heads.js";
import { healthReport } from "./health.js";
import { type HedgeTrade, Hedger } from "./hedger.js";
import { createLogger, type Logger } from "./logger.js";
import { type HealthReport, KeeperMetrics, type MetricsServer, startMetricsServer } from "./metrics.js";
import { OptIns } from "./optIns.js";
import { OraclePoker } from "./poker.js";
import { Prefilter } from "./prefilter.js";
import { classifyRpcError, Rpc, rootCause } from "./rpc.js";
import { Scanner } from "./scanner.js";
import { inShard } from "./shard.js";
import { blockContext, type KeeperTask } from "./tasks.js";
import { TxManager, type TxOutcome } from "./txManager.js";
import type { Candidate } from "./types.js";

export { type DeleverageResult, deleveragedEvent } from "./deleverager.js";
export type { HedgeTrade } from "./hedger.js";

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
      /** Feeds poked in this block's batch (the deleverages follow them). */
      poked: string[];
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
  /** Every market discovered. */
  markets(): readonly bigint[];
  /** Last block processed. */
  lastBlock(): number;
  /** Settles once everything submitted so far has been simulated and sent (or not sent). */
  sendsDone(): Promise<void>;
  health(): HealthReport;
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
  let connection: Connection | undefined;
  let provider: Provider;
  if (deps.provider !== undefined) provider = deps.provider;
  else if (config.rpc !== undefined) {
    const urls = config.rpc;
    // With failover, one request may try every endpoint, each with its own deadline.
    const timeoutMs = config.rpcTimeoutMs * urls.length + 100;
    connection = await connect(urls, {
      timeoutMs: config.rpcTimeoutMs,
      rpc: new Rpc({ ...rpcOptions, timeoutMs }),
      logger,
      metrics,
      source: "--rpc or KEEPER_RPC",
    });
    provider = connection.provider;
    rpcOptions.timeoutMs = timeoutMs;
  } else throw new ConfigError(["rpc (--rpc or KEEPER_RPC): required"]);
  // Two request paths: the loop's stops retrying at shutdown; the transactions' keeps working while
  // in-flight transactions are finished.
  const rpc = new Rpc({ ...rpcOptions, signal: stopLoop.signal });
  const txRpc = new Rpc(rpcOptions);
  try {
    return await start(config, deps, { logger, metrics, stopLoop, rpc, txRpc, provider, connection });
  } catch (error) {
    await connection?.close();
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
  connection: Connection | undefined;
}

/** Checks that the module and the lens are contracts and reads the engine and the oracle from the module. */
async function resolveContracts(config: KeeperConfig, provider: Provider, rpc: Rpc, chainId: bigint) {
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
  return { module, lens, engine, volatilityOracle };
}

async function start(config: KeeperConfig, deps: KeeperDeps, ctx: Context): Promise<Keeper> {
  const { logger, metrics, stopLoop, rpc, txRpc, provider } = ctx;
  const chainId = ctx.connection?.chainId ?? (await rpc.call("eth_chainId", () => provider.getNetwork())).chainId;
  const { module, lens, engine, volatilityOracle } = await resolveContracts(config, provider, rpc, chainId);

  const signer = deps.signer ?? (deps.privateKey !== undefined ? new Wallet(deps.privateKey, provider) : undefined);
  if (signer === undefined && !config.dryRun)
    throw new ConfigError(["KEEPER_PRIVATE_KEY: required to send transactions (or use --dry-run)"]);
  const address = signer === undefined ? undefined : getAddress(await signer.getAddress());
  const localSigning = signer === undefined ? false : await TxManager.canSignLocally(signer, chainId);

  const store = new CheckpointStore(config.checkpoint, { chainId: Number(chainId), module });
  const checkpoint = await store.load();
  const nativePrice = new NativePrice(
    provider,
    rpc,
    {
      ...(config.nativeUsdFeed === undefined ? {} : { feed: config.nativeUsdFeed }),
      ...(config.nativeUsdPrice === undefined ? {} : { fixed: config.nativeUsdPrice }),
    },
    logger,
  );

  logger.info(
    {
      chainId,
      rpc: config.rpc === undefined || deps.provider !== undefined ? "(provider)" : config.rpc.map(redactUrl),
      module,
      lens,
      engine,
      volatilityOracle,
      keeper: address,
      localSigning,
      dryRun: config.dryRun,
      once: config.once || undefined,
      shard: `${config.shardIndex}/${config.shardCount}`,
      checkpoint: config.checkpoint,
      resumeFrom: checkpoint?.lastBlock,
      accounts: checkpoint?.accounts.length ?? 0,
      markets: checkpoint?.markets?.length,
      profitCheck: config.unprofitable === "send" ? "off (send)" : nativePrice.configured ? "on" : "off (no native token price)",
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
  const balance = address === undefined ? undefined : new BalanceWatch(provider, rpc, address, config.minBalance, logger, metrics);

  const events = new EventEmitter<KeeperEvents>();
  const tasks = await buildTasks(config, {
    provider,
    rpc,
    tx,
    logger,
    metrics,
    module,
    lens,
    engine,
    volatilityOracle,
    address,
    nativePrice,
  });
  tasks.deleverager.onResult = (candidate, outcome, result) =>
    events.emit("outcome", result === undefined ? { candidate, outcome } : { candidate, outcome, result });
  if (tasks.hedger !== undefined) tasks.hedger.onHedgeOutcome = (hedge, outcome) => events.emit("hedgeOutcome", { hedge, outcome });
  const ordered: KeeperTask[] = [
    ...(config.poke ? [tasks.poker] : []),
    tasks.deleverager,
    ...(tasks.refresher === undefined ? [] : [tasks.refresher]),
    ...(tasks.hedger === undefined ? [] : [tasks.hedger]),
  ];
  tasks.deleverager.addAccounts(discovery.accounts);
  for (const task of ordered) await task.learnMarkets([...discovery.markets]);

  const heads = new HeadSource(provider, rpc, config.pollIntervalMs, logger);
  if (ctx.connection?.websocket === true && config.subscribe) await heads.subscribeVia(ctx.connection.headSubscriptions);
  // After a failover the new endpoint may disagree near the head: re-read the last safeDepth blocks.
  let seenSwitches = ctx.connection?.switches() ?? 0;

  let processed = discovery.lastBlock;
  let lastHead = processed;
  let lastProcessedAt = Date.now();
  let firstTickDone = false;
  let lastSave = 0;
  let savedBlock = -1;
  let stopping = false;

  const health = (): HealthReport =>
    healthReport({
      now: Date.now(),
      stopping,
      maxAgeSeconds: config.healthMaxAgeSeconds,
      firstTickDone,
      lastProgressAt: discovery.lastProgressAt,
      lastProcessedAt,
      lastHeadAt: heads.lastPollAt,
      processed,
      head: Math.max(lastHead, heads.lastHead),
      accounts: discovery.accountCount,
      owned: tasks.deleverager.owned.length,
      inFlight: tx.inFlightCount,
      unevaluable: tasks.deleverager.last.unevaluable,
      balanceLow: balance?.low ?? false,
      balance: balance?.balance === undefined ? undefined : formatEther(balance.balance),
    });
  let server: MetricsServer | undefined;
  if (config.metrics) {
    server = await startMetricsServer(metrics, health, config.metricsHost, config.metricsPort);
    logger.info({ host: config.metricsHost, port: server.port }, "serving /metrics and /health");
  }

  const saveCheckpoint = async () => {
    if (discovery.lastBlock < 0 || discovery.lastBlockHash === "") return;
    if (discovery.lastBlock === savedBlock) return;
    const snapshot = {
      lastBlock: discovery.lastBlock,
      lastBlockHash: discovery.lastBlockHash,
      accounts: [...discovery.accounts],
      markets: [...discovery.markets],
    };
    await store.save(snapshot);
    savedBlock = snapshot.lastBlock;
    lastSave = Date.now();
    logger.debug({ lastBlock: snapshot.lastBlock, accounts: snapshot.accounts.length }, "checkpoint written");
  };

  const tick = async (head: number) => {
    const started = Date.now();
    lastHead = head;
    metrics.head.set(head);
    const switches = ctx.connection?.switches() ?? 0;
    if (switches !== seenSwitches) {
      seenSwitches = switches;
      await discovery.rewind(config.safeDepth);
    }
    const sync = await discovery.syncTo(head);
    if (sync.added.length > 0) {
      tasks.deleverager.addAccounts(sync.added);
      logger.info({ added: sync.added.length, total: discovery.accountCount, block: discovery.lastBlock }, "new accounts");
    }
    if (sync.newMarkets.length > 0) for (const task of ordered) await task.learnMarkets(sync.newMarkets);
    const block = blockContext(discovery.lastBlock, head, sync);
    await balance?.read(block.number);
    for (const task of ordered) await task.run(block);
    const outcomes = tx.submitAll(
      block.batch.map((p) => p.job),
      config.readConcurrency,
    );
    outcomes.forEach((promise, i) => void promise.then((outcome) => block.batch[i]!.onOutcome(outcome)));

    processed = block.number;
    lastProcessedAt = Date.now();
    firstTickDone = true;
    metrics.lastBlock.set(processed);
    metrics.lag.set(Math.max(0, lastHead - processed));
    metrics.accountsTracked.set(discovery.accountCount);
    metrics.accountsOwned.set(tasks.deleverager.owned.length);
    if (Date.now() - lastSave >= config.checkpointIntervalSeconds * 1000) await saveCheckpoint();
    const { overCap, submitted } = tasks.deleverager.last;
    logger.debug(
      { block: processed, head, accounts: discovery.accountCount, overCap: overCap.length, ms: Date.now() - started },
      "block processed",
    );
    events.emit("block", {
      number: processed,
      head,
      accounts: discovery.accountCount,
      owned: tasks.deleverager.owned.length,
      overCap,
      submitted,
      hedged: tasks.hedger?.lastHedges ?? [],
      poked: [...block.pendingFeeds],
    });
    return outcomes;
  };

  let fatal: unknown;
  const loop = async () => {
    if (config.once) {
      try {
        const head = await heads.next(processed - 1, stopLoop.signal);
        const outcomes = await tick(head);
        await tx.sendsDone();
        logger.info({ block: processed, submitted: outcomes.length }, "--once: block processed; waiting for what it sent");
      } catch (error) {
        if (!(stopLoop.signal.aborted || error instanceof AbortedError)) fatal = error;
      }
      return;
    }
    while (!stopLoop.signal.aborted) {
      let head = processed;
      try {
        head = await heads.next(processed, stopLoop.signal);
        await tick(head);
      } catch (error) {
        if (stopLoop.signal.aborted || error instanceof AbortedError) break;
        // A node that did not answer (down, restarting, a block it no longer serves) is a warning: the block's
        // work is retried on the next head. Anything else is an error an operator must look at.
        const transient = classifyRpcError(rootCause(error)) === "transient";
        logger[transient ? "warn" : "error"]({ err: error }, "tick failed; retrying on the next head");
        events.emit("tickError", { error });
        await heads.afterFailure(head, stopLoop.signal);
      }
    }
  };

  const running = loop();
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
        logger.info(
          { lastBlock: discovery.lastBlock, accounts: discovery.accountCount, markets: discovery.markets.size },
          "checkpoint written; stopped",
        );
      } catch (error) {
        logger.error({ err: error }, "could not write the checkpoint at shutdown");
        fatal ??= error;
      }
      await heads.close().catch(() => undefined);
      await server?.close();
      await ctx.connection?.close();
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
    markets: () => [...discovery.markets],
    lastBlock: () => processed,
    sendsDone: () => tx.sendsDone(),
    health,
  };
}

/**
 * A signal handler for SIGINT and SIGTERM: the first signal stops the keeper (in-flight work finished or
 * abandoned within `shutdownTimeoutSeconds`, checkpoint written); later ones (a process group's SIGINT
 * arrives twice under `npm run`: from the terminal and forwarded by npm) are logged and otherwise ignored,
 * so that the shutdown always completes.
 */
export function stopOnSignals(keeper: Keeper, logger: Logger): (signal: NodeJS.Signals) => void {
  let received = 0;
  return (signal) => {
    if (received++ === 0) {
      logger.info({ signal }, "signal received");
      void keeper.stop().catch(() => undefined);
    } else {
      logger.info({ signal }, "signal received while stopping; finishing the shutdown");
    }
  };
}

/** Calls `onExit` once the process's parent has gone (the process was re-parented), checking every second. */
export function watchParent(onExit: () => void): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, 1_000);
  timer.unref();
  return timer;
}

interface TaskDeps {
  provider: Provider;
  rpc: Rpc;
  tx: TxManager;
  logger: Logger;
  metrics: KeeperMetrics;
  module: string;
  lens: string;
  engine: string;
  volatilityOracle: string;
  address: string | undefined;
  nativePrice: NativePrice;
}

/** The keeper's tasks, built from the configuration. */
async function buildTasks(config: KeeperConfig, d: TaskDeps) {
  const { provider, rpc, tx, logger, metrics } = d;
  const scanner = new Scanner(
    provider,
    rpc,
    { lens: d.lens, module: d.module, oracle: d.volatilityOracle, chunkSize: config.lensChunkSize, concurrency: config.readConcurrency },
    logger,
  );
  const prefilter =
    config.scanMode === "prefilter"
      ? new Prefilter(
          provider,
          rpc,
          {
            module: d.module,
            engine: d.engine,
            oracle: d.volatilityOracle,
            margin: config.prefilterMargin,
            snapshotConcurrency: config.readConcurrency,
          },
          logger,
        )
      : undefined;
  const deleverager = new Deleverager(
    provider,
    rpc,
    tx,
    scanner,
    prefilter,
    d.nativePrice,
    {
      module: d.module,
      oracle: d.volatilityOracle,
      shardIndex: config.shardIndex,
      shardCount: config.shardCount,
      sweepPerBlock: config.sweepPerBlock,
      readConcurrency: config.readConcurrency,
      cooldownSeconds: config.cooldownSeconds,
      unprofitable: config.unprofitable,
    },
    logger,
    metrics,
  );
  const poker = new OraclePoker(
    provider,
    rpc,
    tx,
    { module: d.module, oracle: d.volatilityOracle, feeds: config.feeds, failurePauseMs: 10 * 60_000 },
    logger,
    metrics,
  );
  const refresher = config.refreshDepth
    ? new DepthRefresher(
        provider,
        rpc,
        tx,
        { module: d.module, fraction: config.depthRefreshFraction, pauseMs: 10 * 60_000 },
        logger,
        metrics,
      )
    : undefined;
  let hedger: Hedger | undefined;
  if (config.hedge) {
    if (d.address === undefined)
      throw new ConfigError([
        "KEEPER_PRIVATE_KEY: hedge mode needs the keeper's address (accounts opt in by approving it), even in dry-run",
      ]);
    const optIns = new OptIns(provider, rpc, {
      engine: d.engine,
      hedger: d.address,
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
        module: d.module,
        engine: d.engine,
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
  return { deleverager, poker, refresher, hedger };
}
