/**
 * A real, separate node for the end-to-end tests: anvil from npm (`@foundry-rs/anvil`), started by the
 * test itself on loopback at a free port, stopped by the test (and on process exit, whatever happens).
 * Its state can be kept across a restart (`--state`): a node restart keeps the chain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The anvil binary of this platform (the npm wrapper is not used: a test must stop the node by its pid). */
export function anvilBinary(): string {
  const platform = `${process.platform === "win32" ? "win32" : process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  const pkg = path.dirname(require.resolve(`@foundry-rs/anvil-${platform}/package.json`));
  return path.join(pkg, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

/** A TCP port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface AnvilOptions {
  /** Seconds between blocks (interval mining); default: automine (one block per transaction). */
  blockTime?: number;
  /** Keep the chain across `restart()` in this file (default: a fresh temporary file). */
  stateFile?: string;
  chainId?: number;
}

export class Anvil {
  private child: ChildProcess | undefined;
  private output = "";
  port = 0;
  readonly stateFile: Promise<string>;

  constructor(private readonly options: AnvilOptions = {}) {
    this.stateFile =
      options.stateFile !== undefined
        ? Promise.resolve(options.stateFile)
        : mkdtemp(path.join(tmpdir(), "ballast-anvil-")).then((dir) => path.join(dir, "state.json"));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the node printed (for failure messages). */
  get log(): string {
    return this.output.slice(-4_000);
  }

  /** Starts the node (on the same port after a `stop()`), and resolves once it answers. */
  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const args = [
      "--host",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--chain-id",
      String(this.options.chainId ?? 31337),
      "--state",
      await this.stateFile,
      "--accounts",
      "20",
      ...(this.options.blockTime === undefined ? [] : ["--block-time", String(this.options.blockTime)]),
    ];
    const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    child.on("exit", () => running.delete(child));
    child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${this.log}`);
      try {
        const response = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          signal: AbortSignal.timeout(1_000),
        });
        if (response.ok) return this;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`anvil did not answer on ${this.url} within 30 s: ${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the node (SIGTERM: it writes its state file) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    // The state file is written on SIGTERM; a SIGKILL would lose it (and a restart would then run on an old
    // chain), so a loaded machine gets a minute before the node is killed, and a kill fails the restart.
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 60_000);
    await exited;
    clearTimeout(timer);
    if (killed) throw new Error(`anvil did not exit within 60 s of SIGTERM (killed; its state was not written): ${this.log}`);
  }

  /** Stops and starts the node again on the same port, with its state. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** A JSON-RPC request to the node. */
  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }
}

/** Starts an anvil; the caller stops it (`after`). */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  return new Anvil(options).start();
}
