import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { InputError } from "../../scripts/lib/errors.js";
import { readRounds } from "../../scripts/lib/rounds.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-rounds-"));
const HEADER = "roundId,answer,startedAt,updatedAt,answeredInRound";

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

async function failure(p: string): Promise<InputError> {
  try {
    await readRounds(p);
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return error as InputError;
  }
  throw new Error("readRounds accepted a bad file");
}

describe("readRounds (Chainlink rounds CSV)", () => {
  it("reads proxy round ids above 2^53 exactly, and tolerates CRLF and blank lines", async () => {
    const p = await file("ok.csv", `${HEADER}\r\n110680464442257309697,2817715991074,1680737747,1680737747,110680464442257309697\r\n\r\n`);
    const [round] = await readRounds(p);
    expect(round!.roundId).to.equal(110680464442257309697n);
    expect(round!.answer).to.equal(2817715991074n);
  });

  it("rejects a missing column, naming the file, the line and the expected header", async () => {
    const error = await failure(await file("header.csv", "roundId,answer,startedAt,updatedAt\n1,2,3,4\n"));
    expect(error.message).to.contain("header.csv:1").and.contain("roundId,answer,startedAt,updatedAt,answeredInRound");
  });

  it("rejects a non-numeric field, naming the line and the column", async () => {
    const error = await failure(await file("nan.csv", `${HEADER}\n1,100,10,10,1\n2,1e3,20,20,2\n`));
    expect(error.message).to.contain("nan.csv:3").and.contain('column "answer"');
  });

  it("rejects a row with the wrong number of fields", async () => {
    const error = await failure(await file("short.csv", `${HEADER}\n1,100,10,10\n`));
    expect(error.message).to.contain("short.csv:2").and.contain("expected 5 fields");
  });

  it("rejects rows not sorted by updatedAt, naming both lines", async () => {
    const error = await failure(await file("unsorted.csv", `${HEADER}\n1,100,10,20,1\n2,100,10,15,2\n`));
    expect(error.message).to.contain("unsorted.csv:3").and.contain("not sorted").and.contain("line 2");
  });

  it("rejects round ids that do not increase", async () => {
    const error = await failure(await file("ids.csv", `${HEADER}\n5,100,10,20,5\n5,100,10,25,5\n`));
    expect(error.message).to.contain("ids.csv:3").and.contain("must increase");
  });

  it("rejects an empty file and a header-only file", async () => {
    expect((await failure(await file("empty.csv", ""))).message).to.contain("file is empty");
    expect((await failure(await file("header-only.csv", `${HEADER}\n`))).message).to.contain("no data rows");
  });

  it("rejects a missing file", async () => {
    expect((await failure(path.join(dir, "nope.csv"))).message).to.contain("file not found");
  });
});
