import { writeFileSync } from "node:fs";
/**
 * The end-to-end tests' world: anvil (a real, separate node) with the demo system deployed through the
 * project's own `deploySystem` (the same code as `npm run deploy:local`), and the keeper run as an operator
 * runs it: a child process of `bin/keeper.mjs` (or `npm run keeper`), its log lines parsed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { getAddress, parseEther, Wallet } from "ethers";

import { moduleInterface } from "../../../scripts/keeper/abi.js";
import { answer } from "../../../scripts/lib/chainlink/feeds.js";
import { connectLocal, localDeploymentId } from "../../../scripts/lib/deployLocal.js";
import { type Connection, deploySystem, type System } from "../../../scripts/lib/system.js";
import { openAtFractionOfCap } from "../../helpers/scenarios.js";
import { until as untilHolds } from "../../helpers/until.js";
import { type Anvil, type AnvilOptions, startAnvil } from "./anvil.js";

/** `describe` when the end-to-end tier runs (`npm run test:e2e`), else skipped with its reason in the title. */
export const e2eDescribe = process.env.BALLAST_E2E === "1" ? describe : describe.skip;

export interface World {
  anvil: Anvil;
  connection: Connection;
  system: System;
  module: string;
  lens: string;
  dir: string;
  close(): Promise<void>;
}

/** Starts anvil and deploys the system on it. */
export async function world(options: AnvilOptions = {}): Promise<World> {
  const anvil = await startAnvil(options);
  try {
    const connection = await connectLocal(anvil.url);
    const system = await deploySystem(connection, { deploymentId: await localDeploymentId(connection) });
    const dir = await mkdtemp(path.join(tmpdir(), "ballast-e2e-"));
    return {
      anvil,
      connection,
      system,
      module: await system.ballast.riskModule.getAddress(),
      lens: await system.ballast.riskLens.getAddress(),
      dir,
      close: async () => {
        await connection.close().catch(() => undefined);
        await anvil.stop();
      },
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** A new account with `usdc` of collateral and a long at `fraction` of its cap. */
export async function openAccount(w: World, fraction: number, usdc = 1_000): Promise<Wallet> {
  const wallet = new Wallet(Wallet.createRandom().privateKey, w.connection.ethers.provider);
  await w.connection.networkHelpers.setBalance(wallet.address, parseEther("10"));
  await openAtFractionOfCap(w.system, wallet, usdc, fraction);
  return wallet;
}

/** A funded key for a keeper. */
export async function fundedKey(w: World): Promise<{ key: string; address: string }> {
  const wallet = Wallet.createRandom();
  await w.connection.networkHelpers.setBalance(wallet.address, parseEther("100"));
  return { key: wallet.privateKey, address: wallet.address };
}

/**
 * Violent Chainlink rounds (+-10 %, one minute apart) in one transaction, not poked. Returns its block. With
 * `manual`, automine is off: the transaction is mined here, alone in its block.
 */
export async function volatilitySpike(w: World, endPrice = 3_000, manual = false): Promise<number> {
  const { networkHelpers } = w.connection;
  const latest = await networkHelpers.time.latest();
  const prices = [endPrice * 0.9, endPrice * 1.1, endPrice * 0.9, endPrice * 1.1, endPrice];
  const times = prices.map((_, i) => latest + 60 * (i + 1));
  await networkHelpers.time.setNextBlockTimestamp(times.at(-1)! + 1);
  const tx = await w.system.feeds.eth.aggregator.transmitBatch(
    prices.map((p) => answer(p)),
    times,
    { gasLimit: 2_000_000 },
  );
  if (manual) await mine(w);
  return (await tx.wait())!.blockNumber;
}

export async function setAutomine(w: World, on: boolean): Promise<void> {
  await w.anvil.request("evm_setAutomine", [on]);
}

export async function mine(w: World): Promise<number> {
  await w.anvil.request("evm_mine");
  return Number(await w.anvil.request<string>("eth_blockNumber"));
}

/** `Deleveraged` events from `fromBlock`, in chain order. */
export async function deleveraged(w: World, fromBlock: number) {
  const logs = await w.connection.ethers.provider.getLogs({
    address: w.module,
    topics: [moduleInterface.getEvent("Deleveraged")!.topicHash],
    fromBlock,
  });
  return logs.map((log) => {
    const parsed = moduleInterface.parseLog(log)!;
    return {
      account: getAddress(parsed.args.account as string),
      keeper: getAddress(parsed.args.keeper as string),
      block: log.blockNumber,
      hash: log.transactionHash,
    };
  });
}

/** Transactions of `sender` waiting in the node's pool. */
export async function pendingFrom(w: World, sender: string): Promise<{ nonce: number; to: string }[]> {
  const content = await w.anvil.request<{ pending: Record<string, Record<string, { nonce: string; to: string }>> }>("txpool_content");
  const mine = Object.entries(content.pending).find(([from]) => from.toLowerCase() === sender.toLowerCase())?.[1] ?? {};
  return Object.values(mine).map((tx) => ({ nonce: Number(tx.nonce), to: getAddress(tx.to) }));
}

export interface KeeperProcess {
  child: ChildProcess;
  /** Everything it printed. */
  output(): string;
  /** Its JSON log lines with `msg` containing `text`. */
  logs(text: string): Record<string, unknown>[];
  exit: Promise<number | null>;
  /**
   * Resolves once its output pipes are closed and every byte in them has been read: after the last process holding
   * them (npm and the keeper under it) has exited. `exit` can come first (Node's order), so read `output()` after this.
   */
  closed: Promise<void>;
  /** The signal that ended it, if a signal did. */
  signal(): NodeJS.Signals | null;
  /** Resolves once `count` log lines contain `msg`; on timeout, fails with the keeper's last output. */
  waitFor(msg: string, count?: number, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code once its output is all read. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the keeper as an operator would (`command`: its node arguments, default `bin/keeper.mjs`). With
 * `E2E_KEEPER_LOG=<file>` its whole output is written there when it is stopped or a wait for it times out (a
 * failure message shows only the last 4,000 characters).
 */
export function runKeeper(
  args: string[],
  env: Record<string, string>,
  command: string[] = [process.execPath, "bin/keeper.mjs"],
  options: { detached?: boolean } = {},
): KeeperProcess {
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", KEEPER_NATIVE_USD_PRICE: "3000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  let signal: NodeJS.Signals | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code, by) => {
      signal = by;
      resolve(code);
    }),
  );
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const parse = () =>
    text.split("\n").flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const logs = (msg: string) => parse().filter((l) => typeof l.msg === "string" && l.msg.includes(msg));
  return {
    child,
    output: () => text,
    logs,
    exit,
    closed,
    signal: () => signal,
    waitFor: (msg, count = 1, timeoutMs = 30_000) =>
      until(() => logs(msg).length >= count, `${count} x "${msg}"`, timeoutMs).catch((error: Error) => {
        if (process.env.E2E_KEEPER_LOG) writeFileSync(process.env.E2E_KEEPER_LOG, text);
        throw new Error(`${error.message}; the keeper's last output:\n${text.slice(-4_000)}`);
      }),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      const code = await exit;
      await closed;
      if (process.env.E2E_KEEPER_LOG) writeFileSync(process.env.E2E_KEEPER_LOG, text);
      return code;
    },
  };
}

/** Polls until `predicate` holds (a node and a keeper process are slower than the in-process chain: 30 s). */
export function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  return untilHolds(predicate, what, timeoutMs, 50);
}
