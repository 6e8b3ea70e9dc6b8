import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress, ZeroHash } from "ethers";

import { CHECKPOINT_VERSION, CheckpointStore, readCheckpoint } from "../../../scripts/keeper/checkpoint.js";
import { CheckpointError } from "../../../scripts/keeper/errors.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-keeper-checkpoint-"));
const MODULE = getAddress("0x00000000000000000000000000000000000000aa");
const identity = { chainId: 31337, module: MODULE };
const account = (i: number) => getAddress(`0x${i.toString(16).padStart(40, "0")}`);
const HASH = `0x${"ab".repeat(32)}`;
let n = 0;
const fresh = () => path.join(dir, `cp-${++n}.json`);

async function failure(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error("expected a CheckpointError");
}

describe("keeper checkpoint", () => {
  it("writes and reads back the documented fields; a missing file reads as no checkpoint", async () => {
    const file = fresh();
    expect(await readCheckpoint(file, identity)).to.equal(undefined);
    const store = new CheckpointStore(file, identity);
    await store.save({ lastBlock: 42, lastBlockHash: HASH, accounts: [account(1), account(2)], markets: [1n, 7n] });
    const json = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(json).sort()).to.deep.equal(["accounts", "chainId", "lastBlock", "lastBlockHash", "markets", "module", "version"]);
    expect(json.markets).to.deep.equal(["1", "7"]);
    expect(await readCheckpoint(file, identity)).to.deep.equal({
      version: CHECKPOINT_VERSION,
      chainId: 31337,
      module: MODULE,
      lastBlock: 42,
      lastBlockHash: HASH,
      accounts: [account(1), account(2)],
      markets: [1n, 7n],
    });
  });

  it("is written by the one file writer, durable, readable by its owner only (mode 0600), no temporary file left", async () => {
    const file = fresh();
    await new CheckpointStore(file, identity).save({ lastBlock: 1, lastBlockHash: HASH, accounts: [account(1)], markets: [1n] });
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect((await readdir(dir)).filter((f) => f.startsWith(path.basename(file)) && f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("reads a version 1 checkpoint (no markets) with its markets unknown, and refuses a version 2 one without them", async () => {
    const v1 = fresh();
    await writeFile(
      v1,
      JSON.stringify({ version: 1, chainId: 31337, module: MODULE, lastBlock: 3, lastBlockHash: HASH, accounts: [account(1)] }),
    );
    const read = await readCheckpoint(v1, identity);
    expect(read!.markets).to.equal(undefined);
    expect(read!.accounts).to.deep.equal([account(1)]);
    const v2 = fresh();
    await writeFile(v2, JSON.stringify({ version: 2, chainId: 31337, module: MODULE, lastBlock: 3, lastBlockHash: HASH, accounts: [] }));
    expect((await failure(readCheckpoint(v2, identity))).message).to.contain("markets: required");
  });

  it("writes atomically: no temporary file is left behind and a rewrite replaces the whole file", async () => {
    const file = fresh();
    const store = new CheckpointStore(file, identity);
    await store.save({ lastBlock: 1, lastBlockHash: HASH, accounts: Array.from({ length: 2_000 }, (_, i) => account(i + 1)), markets: [] });
    await store.save({
      lastBlock: 2,
      lastBlockHash: ZeroHash.replace(/0$/, "1"),
      accounts: Array.from({ length: 2_001 }, (_, i) => account(i + 1)),
      markets: [],
    });
    const files = (await readdir(dir)).filter((f) => f.startsWith(path.basename(file)));
    expect(files).to.deep.equal([path.basename(file)]);
    expect((await readCheckpoint(file, identity))!.accounts).to.have.length(2_001);
  });

  for (const [label, contents] of [
    ["truncated JSON", '{"version":1,"chainId":31337,"module":"0x'],
    ["an empty file", ""],
    [
      "a bad account address",
      JSON.stringify({ version: 1, chainId: 31337, module: MODULE, lastBlock: 1, lastBlockHash: HASH, accounts: ["0x1234"], markets: [] }),
    ],
    ["a missing field", JSON.stringify({ version: 1, chainId: 31337, module: MODULE, lastBlockHash: HASH, accounts: [], markets: [] })],
    [
      "an unknown version",
      JSON.stringify({ version: 3, chainId: 31337, module: MODULE, lastBlock: 1, lastBlockHash: HASH, accounts: [], markets: [] }),
    ],
    [
      "a negative block",
      JSON.stringify({ version: 1, chainId: 31337, module: MODULE, lastBlock: -1, lastBlockHash: HASH, accounts: [], markets: [] }),
    ],
  ] as const) {
    it(`a corrupted checkpoint (${label}) is a clear CheckpointError and the file is left untouched`, async () => {
      const file = fresh();
      await writeFile(file, contents);
      const error = await failure(new CheckpointStore(file, identity).load());
      expect(error.reason).to.equal("corrupted");
      expect(error.message).to.contain(file).and.contain("corrupted checkpoint").and.contain("will not overwrite");
      expect(await readFile(file, "utf8")).to.equal(contents);
    });
  }

  it("a checkpoint of another chain or another module is a mismatch error naming both", async () => {
    const file = fresh();
    await new CheckpointStore(file, identity).save({ lastBlock: 5, lastBlockHash: HASH, accounts: [account(1)], markets: [] });
    const chain = await failure(readCheckpoint(file, { ...identity, chainId: 1 }));
    expect(chain.reason).to.equal("mismatch");
    expect(chain.message).to.contain("chain 31337").and.contain("chain 1");
    const other = getAddress("0x00000000000000000000000000000000000000bb");
    const module = await failure(readCheckpoint(file, { ...identity, module: other }));
    expect(module.reason).to.equal("mismatch");
    expect(module.message).to.contain(MODULE).and.contain(other);
  });

  it("refuses to save a checkpoint that lacks an account of the loaded one, leaving the file as it was", async () => {
    const file = fresh();
    await new CheckpointStore(file, identity).save({
      lastBlock: 9,
      lastBlockHash: HASH,
      accounts: [account(1), account(2), account(3)],
      markets: [],
    });
    const before = await readFile(file, "utf8");
    const store = new CheckpointStore(file, identity);
    await store.load();
    const blank = await failure(store.save({ lastBlock: 10, lastBlockHash: HASH, accounts: [], markets: [] }));
    expect(blank.reason).to.equal("regression");
    const partial = await failure(store.save({ lastBlock: 10, lastBlockHash: HASH, accounts: [account(1), account(3)], markets: [] }));
    expect(partial.message).to.contain(account(2));
    expect(await readFile(file, "utf8")).to.equal(before);
    await store.save({ lastBlock: 10, lastBlockHash: HASH, accounts: [account(1), account(2), account(3), account(4)], markets: [] });
    expect((await readCheckpoint(file, identity))!.lastBlock).to.equal(10);
  });
});
