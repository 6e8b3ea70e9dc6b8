import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";

import { InputError, UsageError } from "../../../scripts/lib/errors.js";
import { checkMainnetFork, DEFAULT_FORK_BLOCK, forkBlock } from "../../../scripts/lib/forkCheck.js";

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("mainnet fork pre-flight (MAINNET_RPC_URL, FORK_BLOCK)", () => {
  it("FORK_BLOCK: the pinned default when unset, a number when it is one, and a usage error naming the variable and the value otherwise", () => {
    expect(forkBlock({})).to.equal(DEFAULT_FORK_BLOCK);
    expect(forkBlock({ FORK_BLOCK: "19000000" })).to.equal(19_000_000);
    for (const bad of ["latest", "-1", "1e6", "0x10"]) {
      const error = (() => {
        try {
          forkBlock({ FORK_BLOCK: bad });
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected an error");
      })();
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.contain(`FORK_BLOCK: expected a block number`).and.contain(JSON.stringify(bad));
    }
  });

  it("an unreachable MAINNET_RPC_URL fails within seconds, naming the variable and the endpoint without its path", async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await failure(() => checkMainnetFork({ MAINNET_RPC_URL: `http://127.0.0.1:${port}/v2/SECRETKEY` }, 2_000));
    expect(Date.now() - started).to.be.below(5_000);
    expect(error).to.be.instanceOf(InputError);
    expect(error.message).to.contain(`MAINNET_RPC_URL (http://127.0.0.1:${port}/…): cannot reach the RPC`).and.not.contain("SECRETKEY");
  });

  it("an RPC of another chain, or without the fork block, is named as such", async () => {
    let chainId = "0x7a69";
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id, result: method === "eth_chainId" ? chainId : "0x64" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await failure(() => checkMainnetFork({ MAINNET_RPC_URL: url }))).message).to.contain(
        "serves chain 0x7a69, not Ethereum mainnet (1)",
      );
      chainId = "0x1";
      expect((await failure(() => checkMainnetFork({ MAINNET_RPC_URL: url, FORK_BLOCK: "200" }))).message).to.contain(
        "FORK_BLOCK 200 is above the head",
      );
      await checkMainnetFork({ MAINNET_RPC_URL: url, FORK_BLOCK: "50" });
    } finally {
      server.close();
    }
  });

  it("npm run scenario -- <name> --mode mainnet-fork with FORK_BLOCK=latest or an unreachable RPC exits non-zero within seconds with that message", async function () {
    this.timeout(60_000);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
        const started = Date.now();
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/scenario.ts", "cascade", "--mode", "mainnet-fork"], {
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("exit", (code) => resolve({ code, output, ms: Date.now() - started }));
      });
    const port = await closedPort();
    const latest = await run({ MAINNET_RPC_URL: `http://127.0.0.1:${port}`, FORK_BLOCK: "latest" });
    expect(latest.code, latest.output).to.equal(2);
    expect(latest.output).to.contain("FORK_BLOCK: expected a block number").and.contain('"latest"').and.not.contain("    at ");
    const unreachable = await run({ MAINNET_RPC_URL: `http://127.0.0.1:${port}/key` });
    expect(unreachable.code, unreachable.output).to.equal(1);
    expect(unreachable.output).to.contain(`MAINNET_RPC_URL (http://127.0.0.1:${port}/…): cannot reach the RPC`);
    expect(unreachable.ms).to.be.below(30_000);
  });
});
