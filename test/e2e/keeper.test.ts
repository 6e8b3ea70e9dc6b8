import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import type { Checkpoint } from "../../scripts/keeper/checkpoint.js";
import { freePort } from "./helpers/anvil.js";
import {
  deleveraged,
  e2eDescribe,
  fundedKey,
  type KeeperProcess,
  mine,
  openAccount,
  pendingFrom,
  runKeeper,
  setAutomine,
  until,
  volatilitySpike,
  type World,
  world,
} from "./helpers/local.js";

/** The keeper's flags against a world (fast polling, one confirmation unless said otherwise). */
function flags(w: World, rpc: string, checkpoint: string, extra: string[] = []): string[] {
  return [
    "--rpc",
    rpc,
    "--module",
    w.module,
    "--lens",
    w.lens,
    "--checkpoint",
    checkpoint,
    "--metrics-port",
    "0",
    "--poll-interval-ms",
    "100",
    "--confirmations",
    "1",
    "--checkpoint-interval-seconds",
    "0",
    "--shutdown-timeout-seconds",
    "5",
    ...extra,
  ];
}

async function caughtUp(w: World, keeper: KeeperProcess): Promise<void> {
  const head = Number(await w.anvil.request<string>("eth_blockNumber"));
  await until(
    () =>
      keeper.logs("block processed").some((l) => Number(l.block) >= head) ||
      keeper.logs("new accounts").some((l) => Number(l.block) >= head),
    `the keeper to reach block ${head}`,
  );
}

/** Every deleverage mined from `sender` since `from` targets a distinct account (nothing sent twice). */
async function expectNoDuplicates(w: World, sender: string, from: number): Promise<string[]> {
  const events = await deleveraged(w, from);
  const mine_ = events.filter((e) => e.keeper === sender).map((e) => e.account);
  expect(new Set(mine_).size, mine_.join(", ")).to.equal(mine_.length);
  return mine_;
}

e2eDescribe("keeper end to end against a real node (anvil on loopback, started and stopped by each test)", function () {
  this.timeout(240_000);
  const worlds: World[] = [];
  const keepers: KeeperProcess[] = [];
  afterEach(async () => {
    for (const k of keepers.splice(0)) {
      if (k.child.exitCode === null) k.child.kill("SIGKILL");
      // A detached keeper leads its own process group (npm and what it started): end all of it.
      if (k.child.spawnargs[0] === "npm") {
        try {
          process.kill(-k.child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    for (const w of worlds.splice(0)) await w.close();
  });
  const start = async (options: Parameters<typeof world>[0] = {}) => {
    const w = await world(options);
    worlds.push(w);
    return w;
  };
  const keeper = (...args: Parameters<typeof runKeeper>) => {
    const k = runKeeper(...args);
    keepers.push(k);
    return k;
  };

  it("over HTTP: a volatility breach in block B is deleveraged in block B+1, the poke and the deleverage in that one block; SIGTERM writes the checkpoint and exits 0", async () => {
    const w = await start();
    const risky = await openAccount(w, 0.8);
    const calm = await openAccount(w, 0.1);
    const { key, address } = await fundedKey(w);
    const checkpoint = path.join(w.dir, "http.json");
    const k = keeper(flags(w, w.anvil.url, checkpoint, ["--log-level", "debug"]), { KEEPER_PRIVATE_KEY: key });
    await caughtUp(w, k);
    await setAutomine(w, false);
    const spike = await volatilitySpike(w, 3_000, true);
    await until(async () => (await pendingFrom(w, address)).length === 2, "the poke and the deleverage in the pool");
    const pending = (await pendingFrom(w, address)).sort((a, b) => a.nonce - b.nonce);
    expect(pending.map((p) => p.to)).to.deep.equal([await w.system.ballast.volatilityOracle.getAddress(), w.module]);
    const next = await mine(w);
    expect(next).to.equal(spike + 1);
    const events = await deleveraged(w, spike);
    expect(events.map((e) => [e.account, e.keeper, e.block])).to.deep.equal([[risky.address, address, spike + 1]]);
    await setAutomine(w, true);
    await k.waitFor("deleverage confirmed", 1);
    expect(await k.stop("SIGTERM"), k.output()).to.equal(0);
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.accounts).to.have.members([risky.address, calm.address]);
    expect(saved.markets).to.deep.equal(["1"]);
    expect(k.output().toLowerCase()).not.to.contain(key.slice(2).toLowerCase());
  });

  it("over WebSocket: deleverages through the subscription; the node restarts (connection dropped): the keeper reconnects in-process, resumes from where it was, misses nothing and sends nothing twice; SIGTERM exits 0", async () => {
    const w = await start();
    const first = await openAccount(w, 0.8);
    const { key, address } = await fundedKey(w);
    const from = Number(await w.anvil.request<string>("eth_blockNumber"));
    const k = keeper(
      flags(w, w.anvil.wsUrl, path.join(w.dir, "ws.json"), [
        "--poll-interval-ms",
        "60000",
        "--rpc-timeout-ms",
        "3000",
        "--log-level",
        "debug",
      ]),
      {
        KEEPER_PRIVATE_KEY: key,
      },
    );
    await k.waitFor("subscribed to new heads", 1);
    // Polling every 60 s: within this test, only the subscription wakes the keeper.
    await volatilitySpike(w);
    await k.waitFor("deleverage confirmed", 1);

    await w.anvil.restart();
    await k.waitFor("WebSocket reconnected", 1, 60_000);
    // After the restart: the first account closes its position; three calm days (fresh rounds; the volatility
    // decays and caps grow back); a new account; and the same spike, seen through the new connection.
    const { size } = await w.system.ballast.engine.position(first.address, 1n);
    await w.system.ballast.engine.connect(first).trade(1n, -size);
    await w.system.advance(3 * 86_400);
    const second = await openAccount(w, 0.8);
    await volatilitySpike(w);
    await k.waitFor("deleverage confirmed", 2, 60_000);
    expect(k.logs("WebSocket closed; reconnecting").length).to.be.at.least(1);
    expect(await expectNoDuplicates(w, address, from)).to.have.members([first.address, second.address]);
    expect(await k.stop("SIGTERM"), k.output()).to.equal(0);
    expect(k.output()).not.to.contain("eth_unsubscribe").and.not.to.contain('"level":"error"');
  });

  it("restart from the checkpoint: a volatility-only breach while the keeper is down (no position change) is poked and deleveraged at once on restart, without rescanning", async () => {
    const w = await start();
    const account = await openAccount(w, 0.8);
    const { key, address } = await fundedKey(w);
    const checkpoint = path.join(w.dir, "restart.json");
    const one = keeper(flags(w, w.anvil.url, checkpoint), { KEEPER_PRIVATE_KEY: key });
    await caughtUp(w, one);
    expect(await one.stop("SIGTERM")).to.equal(0);
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.markets).to.deep.equal(["1"]);

    // Down: rounds only (no PositionChanged after the checkpoint).
    await setAutomine(w, false);
    const spike = await volatilitySpike(w, 3_000, true);
    const two = keeper(flags(w, w.anvil.url, checkpoint, ["--log-level", "debug"]), { KEEPER_PRIVATE_KEY: key });
    await until(async () => (await pendingFrom(w, address)).length === 2, "the poke and the deleverage after the restart");
    await mine(w);
    await setAutomine(w, true);
    const events = await deleveraged(w, spike);
    expect(events.map((e) => [e.account, e.block])).to.deep.equal([[account.address, spike + 1]]);
    const resume = two.logs("keeper starting")[0]!;
    expect(resume.resumeFrom).to.equal(saved.lastBlock);
    expect(resume.markets).to.equal(1);
    expect(await two.stop()).to.equal(0);
  });

  it("npm run keeper: SIGINT to the process group with a deleverage in flight stops the keeper cleanly with a final checkpoint; SIGTERM to npm's process stops the keeper too (no orphan)", async () => {
    const w = await start();
    await openAccount(w, 0.8);
    const { key } = await fundedKey(w);
    const npm = "npm";
    const checkpoint = path.join(w.dir, "npm.json");
    const group = keeper(
      ["run", "keeper", "--", ...flags(w, w.anvil.url, checkpoint, ["--shutdown-timeout-seconds", "2"])],
      { KEEPER_PRIVATE_KEY: key },
      [npm],
      { detached: true },
    );
    await group.waitFor("new accounts", 1);
    await setAutomine(w, false);
    await volatilitySpike(w, 3_000, true);
    await group.waitFor("deleverage sent", 1);
    process.kill(-group.child.pid!, "SIGINT");
    // npm waits for the keeper, then ends itself by the signal it received (its convention, as a shell's).
    const code = await group.exit;
    await group.closed;
    expect(code === 0 || group.signal() === "SIGINT", `${code} ${group.signal()}: ${group.output()}`).to.equal(true);
    expect(group.output()).to.contain('"signal":"SIGINT"').and.contain("checkpoint written; stopped");
    expect(() => process.kill(-group.child.pid!, 0), "no process left in the group").to.throw();
    await setAutomine(w, true);
    const saved = JSON.parse(await readFile(checkpoint, "utf8")) as Checkpoint;
    expect(saved.accounts).to.have.length(1);

    const term = keeper(
      ["run", "keeper", "--", ...flags(w, w.anvil.url, path.join(w.dir, "npm2.json"))],
      { KEEPER_PRIVATE_KEY: key },
      [npm],
      {
        detached: true,
      },
    );
    await term.waitFor("serving /metrics", 1);
    term.child.kill("SIGTERM");
    const termCode = await term.exit;
    expect(termCode === 0 || term.signal() === "SIGTERM", `${termCode} ${term.signal()}: ${term.output()}`).to.equal(true);
    await until(
      () => {
        try {
          process.kill(-term.child.pid!, 0);
          return false;
        } catch {
          return true;
        }
      },
      "every process of npm's group gone",
      10_000,
    );
    await term.closed;
    expect(term.output()).to.contain("checkpoint written; stopped");
  });

  it("over WebSocket with the node down at start: retries (no crash), starts once the node is up", async () => {
    const w = await start();
    await w.anvil.stop();
    const k = keeper(flags(w, w.anvil.wsUrl, path.join(w.dir, "down.json"), ["--rpc-attempts", "30", "--rpc-timeout-ms", "1000"]), {
      KEEPER_PRIVATE_KEY: (await import("ethers")).Wallet.createRandom().privateKey,
      KEEPER_DRY_RUN: "true",
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(k.child.exitCode, k.output()).to.equal(null);
    await w.anvil.start();
    await k.waitFor("serving /metrics", 1, 60_000);
    expect(await k.stop()).to.equal(0);
    expect(k.output()).not.to.contain("ECONNREFUSED\n").and.not.to.contain("Unhandled");
  });

  it("an unreachable RPC fails within seconds naming the variable and the endpoint, exit 1", async () => {
    const port = await freePort();
    const started = Date.now();
    const k = keeper(
      ["--module", "0x0000000000000000000000000000000000000001", "--lens", "0x0000000000000000000000000000000000000002", "--dry-run"],
      { KEEPER_RPC: `http://127.0.0.1:${port}/v3/SECRET`, KEEPER_RPC_ATTEMPTS: "2", KEEPER_RPC_TIMEOUT_MS: "500" },
    );
    expect(await k.exit).to.equal(1);
    expect(Date.now() - started).to.be.below(20_000);
    expect(k.output()).to.contain("cannot reach the RPC (--rpc or KEEPER_RPC: http://127.0.0.1:").and.not.to.contain("SECRET");
  });

  it("automine (one block per transaction): the last deleverage, short of its confirmations, is reported mined at shutdown without waiting; /health stays 200 on the idle chain", async () => {
    const w = await start();
    await openAccount(w, 0.8);
    const { key } = await fundedKey(w);
    const k = keeper(
      flags(w, w.anvil.url, path.join(w.dir, "auto.json"), [
        "--confirmations",
        "2",
        "--health-max-age-seconds",
        "2",
        "--shutdown-timeout-seconds",
        "30",
      ]),
      { KEEPER_PRIVATE_KEY: key },
    );
    await caughtUp(w, k);
    await volatilitySpike(w);
    await k.waitFor("deleverage sent", 1);
    const port = Number(k.logs("serving /metrics")[0]!.port);
    await new Promise((r) => setTimeout(r, 3_000));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).to.equal(200);
    const started = Date.now();
    expect(await k.stop()).to.equal(0);
    expect(Date.now() - started, "no wait for confirmations that never come").to.be.below(10_000);
    expect(k.logs("mined, not yet final when the keeper stopped")).to.have.length(1);
    expect(k.logs("abandoned at shutdown")).to.have.length(0);
  });
});
