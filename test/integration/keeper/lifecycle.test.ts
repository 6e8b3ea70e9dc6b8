import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";

import { expect } from "chai";
import { toBigInt } from "ethers";

import { type Checkpoint } from "../../../scripts/keeper/checkpoint.js";
import { keeperHarness, outcomes, until } from "./harness.js";

const h = await keeperHarness();

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs `scripts/keeper.ts` as an operator would (`npm run keeper -- ...` runs the same command). */
function runKeeper(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/keeper.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", KEEPER_NATIVE_USD_PRICE: "3000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function contracts(system: Awaited<ReturnType<typeof h.load>>) {
  return { module: await system.ballast.riskModule.getAddress(), lens: await system.ballast.riskLens.getAddress() };
}

describe("keeper lifecycle: CLI, shutdown, restart, configuration errors", () => {
  after(() => h.close());
  afterEach(async () => {
    await h.stopAll();
    await h.setAutomine(true);
    await h.resetProxy();
  });

  it("SIGTERM: stops taking blocks, writes the checkpoint and exits 0; the private key never appears in its output", async () => {
    const system = await h.load();
    const first = await h.openAccount(system, 0.3);
    const { module, lens } = await contracts(system);
    const { key } = await h.fundedKey();
    const checkpoint = h.file();
    const run = runKeeper(
      [
        "--rpc",
        h.proxy.url,
        "--module",
        module,
        "--lens",
        lens,
        "--checkpoint",
        checkpoint,
        "--metrics-port",
        "0",
        "--poll-interval-ms",
        "50",
        "--log-level",
        "debug",
      ],
      { KEEPER_PRIVATE_KEY: key },
    );
    await until(() => run.output().includes('"msg":"new accounts"'), "the first accounts", 30_000);
    const second = await h.openAccount(system, 0.3);
    await until(() => run.output().includes('"total":2'), "the second account", 30_000);
    run.child.kill("SIGTERM");
    expect(await run.exit, run.output()).to.equal(0);
    expect(run.output()).to.contain('"signal":"SIGTERM"').and.contain("checkpoint written; stopped");
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.accounts).to.have.members([first.address, second.address]);
    expect(saved.lastBlock).to.be.at.least((await h.ethers.provider.getBlockNumber()) - 1);
    expect(run.output().toLowerCase()).not.to.contain(key.slice(2).toLowerCase());
  });

  it("a crash (SIGKILL) mid-run, then a restart: resumes from the checkpoint without a full rescan, misses no account, deleverages the ones over cap", async () => {
    const system = await h.load();
    const before = [await h.openAccount(system, 0.7), await h.openAccount(system, 0.2)];
    const { module, lens } = await contracts(system);
    const { key } = await h.fundedKey();
    const checkpoint = h.file();
    const run = runKeeper(
      [
        "--rpc",
        h.proxy.url,
        "--module",
        module,
        "--lens",
        lens,
        "--checkpoint",
        checkpoint,
        "--metrics",
        "false",
        "--poll-interval-ms",
        "50",
        "--checkpoint-interval-seconds",
        "0",
      ],
      { KEEPER_PRIVATE_KEY: key },
    );
    const head = await h.ethers.provider.getBlockNumber();
    await until(
      async () => {
        try {
          return (JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint).lastBlock >= head;
        } catch {
          return false;
        }
      },
      "a checkpoint at the head",
      30_000,
    );
    run.child.kill("SIGKILL");
    await run.exit;
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.accounts).to.have.members(before.map((w) => w.address));

    // While it is down: new accounts, and the market moves.
    const after = [await h.openAccount(system, 0.8), await h.openAccount(system, 0.1)];
    await h.volatilitySpike(system);
    const proxy = await h.resetProxy();
    const { keeper } = await h.start(system, { checkpoint }, key);
    const done = outcomes(keeper);
    await until(() => done.filter((o) => o.status === "confirmed").length === 2, "both over-cap accounts deleveraged", 30_000);
    expect(keeper.accounts()).to.have.members([...before, ...after].map((w) => w.address));
    expect(done.map((o) => o.account)).to.have.members([before[0]!.address, after[0]!.address]);
    const starts = proxy.requests
      .filter((r) => r.method === "eth_getLogs")
      .map((r) => Number(toBigInt((r.params[0] as { fromBlock: string }).fromBlock)));
    expect(Math.min(...starts), "no rescan below the checkpoint").to.equal(saved.lastBlock + 1);
  });

  it("stop() with a transaction that cannot be mined: waits at most shutdownTimeoutSeconds, abandons it with its nonce and hash logged, writes the checkpoint", async () => {
    const system = await h.load();
    await h.openAccount(system, 0.8);
    const { keeper, address, lines, checkpoint } = await h.start(system, { shutdownTimeoutSeconds: 1, poke: false });
    const from = await h.ethers.provider.getBlockNumber();
    await until(() => keeper.lastBlock() >= from, "the keeper to catch up");
    await h.setAutomine(false);
    await h.volatilitySpike(system, 3_000, false);
    await system.ballast.volatilityOracle.poke(system.feeds.eth.address, { gasLimit: 5_000_000 });
    await h.networkHelpers.mine();
    await until(() => h.broadcastFrom(address).length === 1, "the deleverage broadcast");
    const pending = h.broadcastFrom(address)[0]!;
    const started = Date.now();
    await keeper.stop();
    // The loop's current block, then at most 1 s for the transaction: bounded.
    expect(Date.now() - started).to.be.below(5_000);
    const abandoned = lines.find((l) => l.includes("abandoned at shutdown while pending"));
    expect(abandoned, "abandon logged").to.be.a("string");
    expect(abandoned).to.contain(pending.hash!).and.contain(`"nonce":${pending.nonce}`);
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.lastBlock).to.be.at.least(from);
    await h.setAutomine(true);
  });

  it("a malformed flag exits 2, naming the flag, and prints the usage", async () => {
    const run = runKeeper(
      [
        "--rpc",
        "http://127.0.0.1:1",
        "--module",
        "0x12",
        "--lens",
        "0x0000000000000000000000000000000000000001",
        "--poll-interval-ms",
        "soon",
      ],
      { KEEPER_PRIVATE_KEY: `0x${"11".repeat(32)}` },
    );
    expect(await run.exit).to.equal(2);
    expect(run.output())
      .to.contain("--module: expected a 0x-prefixed 20-byte address")
      .and.contain("--poll-interval-ms: expected an integer")
      .and.contain("usage: npm run keeper");
  });

  it("a wrong module (not a RiskModule, or no contract at all) exits 1 with a clear message", async () => {
    const system = await h.load();
    const { lens } = await contracts(system);
    const engine = await system.ballast.engine.getAddress();
    const env = {
      KEEPER_PRIVATE_KEY: `0x${"11".repeat(32)}`,
      KEEPER_RPC_ATTEMPTS: "2",
      KEEPER_METRICS: "false",
      KEEPER_CHECKPOINT: h.file(),
    };
    const notModule = runKeeper(["--rpc", h.proxy.url, "--module", engine, "--lens", lens], env);
    expect(await notModule.exit).to.equal(1);
    expect(notModule.output()).to.contain(`module ${engine} does not answer engine(): is it a Ballast RiskModule?`);
    const eoa = "0x000000000000000000000000000000000000dEaD";
    const noCode = runKeeper(["--rpc", h.proxy.url, "--module", eoa, "--lens", lens], env);
    expect(await noCode.exit).to.equal(1);
    expect(noCode.output()).to.contain(`module ${eoa} has no code on chain 31337`);
  });

  it("a corrupted checkpoint, or one of another module, exits 1 and leaves the file untouched", async () => {
    const system = await h.load();
    const { module, lens } = await contracts(system);
    const env = { KEEPER_PRIVATE_KEY: `0x${"11".repeat(32)}`, KEEPER_METRICS: "false" };
    const corrupted = h.file();
    await writeFile(corrupted, '{"version":1,"chainId":31337,"mod');
    const bad = runKeeper(["--rpc", h.proxy.url, "--module", module, "--lens", lens, "--checkpoint", corrupted], env);
    expect(await bad.exit).to.equal(1);
    expect(bad.output()).to.contain("corrupted checkpoint");
    expect(await readFile(corrupted, "utf8")).to.equal('{"version":1,"chainId":31337,"mod');
    const other = h.file();
    const foreign = JSON.stringify({
      version: 1,
      chainId: 31337,
      module: "0x0000000000000000000000000000000000000001",
      lastBlock: 3,
      lastBlockHash: `0x${"ab".repeat(32)}`,
      accounts: [],
    });
    await writeFile(other, foreign);
    const mismatch = runKeeper(["--rpc", h.proxy.url, "--module", module, "--lens", lens, "--checkpoint", other], env);
    expect(await mismatch.exit).to.equal(1);
    expect(mismatch.output()).to.contain("checkpoint is for module 0x0000000000000000000000000000000000000001");
    expect(await readFile(other, "utf8")).to.equal(foreign);
  });

  it("the Hardhat script takes its configuration from KEEPER_* and its RPC from the network (wrong module: exit 1)", async () => {
    const child = spawn(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "run", "scripts/keeper/hardhat.ts"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        KEEPER_MODULE: "0x000000000000000000000000000000000000dEaD",
        KEEPER_LENS: "0x000000000000000000000000000000000000bEEF",
        KEEPER_METRICS: "false",
        KEEPER_CHECKPOINT: h.file(),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, output).to.equal(1);
    expect(output).to.contain("module 0x000000000000000000000000000000000000dEaD has no code on chain 31337");
  });
});
