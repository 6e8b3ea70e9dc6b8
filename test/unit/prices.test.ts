import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { InputError } from "../../scripts/lib/errors.js";
import { maxDrawdown, readPricePath } from "../../scripts/lib/prices.js";

const dir = await mkdtemp(path.join(tmpdir(), "ballast-prices-"));
const OHLC = "timestamp,open,high,low,close";
const SAMPLE = path.join("test", "fixtures", "eth-usdt-1h-sample.csv");

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

async function failure(p: string): Promise<InputError> {
  try {
    await readPricePath(p);
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return error as InputError;
  }
  throw new Error("readPricePath accepted a bad file");
}

describe("readPricePath (price path CSV)", () => {
  it("reads OHLC bars with their source lines, tolerating CRLF, blank lines and uneven spacing", async () => {
    const p = await file("ohlc.csv", `${OHLC}\r\n100,10,12,9,11\r\n\r\n160,11,11.5,10.5,10.75\r\n400,10.75,10.75,10.75,10.75\r\n`);
    const read = await readPricePath(p);
    expect(read.kind).to.equal("ohlc");
    expect(read.file).to.equal(p);
    expect(read.points).to.deep.equal([
      { t: 100, open: 10, high: 12, low: 9, close: 11, line: 2 },
      { t: 160, open: 11, high: 11.5, low: 10.5, close: 10.75, line: 4 },
      { t: 400, open: 10.75, high: 10.75, low: 10.75, close: 10.75, line: 5 },
    ]);
  });

  it("reads the two-column form with open = high = low = close = price", async () => {
    const read = await readPricePath(await file("price.csv", "timestamp,price\n1000,2500.5\n1060,.5\n1200,3e3\n"));
    expect(read.kind).to.equal("price");
    expect(read.points.map((p) => [p.t, p.open, p.high, p.low, p.close])).to.deep.equal([
      [1000, 2500.5, 2500.5, 2500.5, 2500.5],
      [1060, 0.5, 0.5, 0.5, 0.5],
      [1200, 3000, 3000, 3000, 3000],
    ]);
  });

  it("reads the real-format ETH/USDT hourly sample (504 bars, lows near 266, highs near 367)", async () => {
    const read = await readPricePath(SAMPLE);
    expect(read.kind).to.equal("ohlc");
    expect(read.points).to.have.length(504);
    expect(read.points[0]).to.deep.equal({ t: 1560988800, open: 268.14, high: 268.63, low: 267.8, close: 268.09, line: 2 });
    const lows = Math.min(...read.points.map((p) => p.low));
    const highs = Math.max(...read.points.map((p) => p.high));
    expect(lows).to.be.within(265, 268);
    expect(highs).to.be.within(360, 367);
  });

  it("rejects a wrong header, naming the file, line 1 and both accepted headers", async () => {
    const error = await failure(await file("header.csv", "time,open,high,low,close\n1,1,1,1,1\n"));
    expect(error.message).to.contain("header.csv:1").and.contain(`"${OHLC}"`).and.contain('"timestamp,price"');
  });

  it("rejects a row with a missing field, naming its line", async () => {
    const error = await failure(await file("short.csv", `${OHLC}\n1,1,1,1,1\n2,1,1,1\n`));
    expect(error.message).to.contain("short.csv:3").and.contain("expected 5 fields");
  });

  it("rejects an empty field and a garbage price, naming the line and the column", async () => {
    const empty = await failure(await file("empty-field.csv", `${OHLC}\n1,1,1,1,1\n2,1,,1,1\n`));
    expect(empty.message).to.contain("empty-field.csv:3").and.contain('column "high"');
    const garbage = await failure(await file("garbage.csv", "timestamp,price\n1,100\n2,1O0\n"));
    expect(garbage.message).to.contain("garbage.csv:3").and.contain('column "price"').and.contain('"1O0"');
  });

  it("rejects a garbage timestamp and a timestamp in milliseconds", async () => {
    const garbage = await failure(await file("ts.csv", "timestamp,price\n2019-06-20,100\n"));
    expect(garbage.message).to.contain("ts.csv:2").and.contain('column "timestamp"');
    const millis = await failure(await file("ms.csv", "timestamp,price\n1560988800000,100\n"));
    expect(millis.message).to.contain("ms.csv:2").and.contain("not a unix time in seconds");
  });

  it("rejects timestamps that do not strictly increase, naming both lines", async () => {
    const equal = await failure(await file("equal.csv", "timestamp,price\n10,1\n20,1\n\n20,1\n"));
    expect(equal.message).to.contain("equal.csv:5").and.contain("strictly increase").and.contain("line 3");
    const back = await failure(await file("back.csv", `${OHLC}\n10,1,1,1,1\n5,1,1,1,1\n`));
    expect(back.message).to.contain("back.csv:3").and.contain("line 2");
  });

  it("rejects a zero or negative price, naming the line and the column", async () => {
    const zero = await failure(await file("zero.csv", "timestamp,price\n10,1\n20,0\n"));
    expect(zero.message).to.contain("zero.csv:3").and.contain("must be positive");
    const negative = await failure(await file("negative.csv", `${OHLC}\n10,1,1,-1,1\n`));
    expect(negative.message).to.contain("negative.csv:2").and.contain('column "low"').and.contain("must be positive");
  });

  it("rejects high below low, and open or close outside [low, high]", async () => {
    const inverted = await failure(await file("inverted.csv", `${OHLC}\n10,1,1,1,1\n20,1,0.9,1.1,1\n`));
    expect(inverted.message).to.contain("inverted.csv:3").and.contain("high 0.9 is below low 1.1");
    const open = await failure(await file("open.csv", `${OHLC}\n10,1.3,1.2,0.9,1\n`));
    expect(open.message).to.contain("open.csv:2").and.contain("open 1.3 is outside");
    const close = await failure(await file("close.csv", `${OHLC}\n10,1,1.2,0.9,0.8\n`));
    expect(close.message).to.contain("close.csv:2").and.contain("close 0.8 is outside");
  });

  it("rejects an empty file, a header-only file and a missing file, naming the file", async () => {
    expect((await failure(await file("empty.csv", "\n\n"))).message)
      .to.contain("empty.csv")
      .and.contain("file is empty");
    expect((await failure(await file("header-only.csv", `${OHLC}\n`))).message)
      .to.contain("header-only.csv")
      .and.contain("no data rows");
    expect((await failure(path.join(dir, "nope.csv"))).message).to.contain("file not found");
  });
});

describe("maxDrawdown (largest peak-to-trough fall of the close)", () => {
  const closes = (...values: number[]) => ({ points: values.map((close, t) => ({ t, open: close, high: close, low: close, close })) });

  it("is the largest fall from a running peak, not from the first or the global peak", () => {
    // Falls: 100 -> 80 (20 %), then peak 120 -> 90 (25 %), then peak 150 -> 140 (6.7 %).
    expect(Math.abs(maxDrawdown(closes(100, 80, 120, 90, 150, 140)) - 0.25)).to.be.lessThan(1e-12);
  });

  it("is zero for a path that never falls and for a single point", () => {
    expect(maxDrawdown(closes(1, 2, 2, 3))).to.equal(0);
    expect(maxDrawdown(closes(5))).to.equal(0);
  });

  it("uses closes only, ignoring intrabar lows", () => {
    const path = { points: [{ t: 0, open: 100, high: 100, low: 50, close: 100 }] };
    expect(maxDrawdown(path)).to.equal(0);
  });

  it("matches a direct computation on the ETH/USDT sample", async () => {
    const read = await readPricePath(SAMPLE);
    let expected = 0;
    const c = read.points.map((p) => p.close);
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) expected = Math.max(expected, 1 - c[j]! / c[i]!);
    expect(Math.abs(maxDrawdown(read) - expected)).to.be.lessThan(1e-12);
    expect(expected).to.be.greaterThan(0.1);
  });
});
