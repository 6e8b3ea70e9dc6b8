import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { InputError } from "../../scripts/lib/errors.js";
import {
  generateProfile,
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
  parseTickSnapshot,
  priceFromSqrtPriceX96,
  priceFromTick,
  type ProfileKind,
  readTickSnapshot,
  sqrtPriceX96FromPrice,
  type TickSnapshot,
} from "../../scripts/lib/uniswap/index.js";
import { segmentsOf } from "../../scripts/lib/uniswap/liquidity.js";
import { isqrt } from "../../scripts/lib/uniswap/math.js";
import { liquidityAtTick, snapshotToJson } from "../../scripts/lib/uniswap/tickSnapshot.js";
import { close } from "../helpers/numbers.js";

const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "univ3-ticks-sample.json");
const dir = await mkdtemp(path.join(tmpdir(), "ballast-ticks-"));

type Json = Record<string, unknown> & { ticks: Record<string, unknown>[] };
const fixtureJson = async (): Promise<Json> => JSON.parse(await readFile(FIXTURE, "utf8")) as Json;

async function file(name: string, json: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, typeof json === "string" ? json : JSON.stringify(json));
  return p;
}

async function failure(p: string): Promise<InputError> {
  try {
    await readTickSnapshot(p);
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    expect((error as InputError).file).to.equal(p);
    return error as InputError;
  }
  throw new Error("readTickSnapshot accepted a bad file");
}

describe("readTickSnapshot / parseTickSnapshot (Uniswap V3 tick snapshot JSON)", () => {
  it("reads the sample: 14 ticks, active liquidity equal to the running sum, big numbers exact", async () => {
    const { snapshot, warnings } = await readTickSnapshot(FIXTURE);
    expect(snapshot.ticks).to.have.length(14);
    expect(snapshot.liquidity).to.equal(15_603_000_000_000_000_000n);
    expect(liquidityAtTick(snapshot, snapshot.currentTick)).to.equal(snapshot.liquidity);
    expect(snapshot.sqrtPriceX96).to.equal(1771577727170071476549379952738304n);
    expect(snapshot.ticks[0]).to.deep.equal({
      tick: -887270,
      liquidityNet: 3_000_000_000_000_000n,
      liquidityGross: 3_000_000_000_000_000n,
    });
    // The sample's sqrt price went through a float: a hair below its tick's range, which is a warning only.
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain("sqrtPriceX96").and.contain("float rounding");
  });

  it("rejects unsorted ticks, naming the file and the tick index", async () => {
    const json = await fixtureJson();
    [json.ticks[3], json.ticks[4]] = [json.ticks[4]!, json.ticks[3]!];
    const error = await failure(await file("unsorted.json", json));
    expect(error.message).to.contain("unsorted.json").and.contain("ticks[4]").and.contain("ascending");
  });

  it("rejects a duplicated tick", async () => {
    const json = await fixtureJson();
    json.ticks.splice(5, 0, { ...json.ticks[5]!, liquidityNet: "0", liquidityGross: "0" });
    const error = await failure(await file("duplicate.json", json));
    expect(error.message).to.contain("ticks[6]").and.contain("ascending");
  });

  it("rejects a tick that is not a multiple of tickSpacing", async () => {
    const json = await fixtureJson();
    json.ticks[2]!.tick = 198315;
    const error = await failure(await file("spacing.json", json));
    expect(error.message).to.contain("spacing.json").and.contain("ticks[2] (tick 198315)").and.contain("multiple of tickSpacing 10");
  });

  for (const [label, value] of [
    ["letters", "12abc"],
    ["a float", 1.5],
    ["exponent notation", "4e17"],
    ["an empty string", ""],
    ["null", null],
  ] as const) {
    it(`rejects a liquidityNet that is ${label}, naming the field`, async () => {
      const json = await fixtureJson();
      json.ticks[7]!.liquidityNet = value;
      const error = await failure(await file(`garbage-${label.replace(/\s/g, "-")}.json`, json));
      expect(error.message).to.contain("ticks[7].liquidityNet");
    });
  }

  it("rejects a running sum of liquidityNet that goes negative", async () => {
    const json = await fixtureJson();
    // The second tick closes more than the first opened: -0.197e18 after it.
    json.ticks[1] = { tick: 191310, liquidityNet: "-200000000000000000", liquidityGross: "200000000000000000" };
    json.ticks[3] = { tick: 198810, liquidityNet: "200000000000000000", liquidityGross: "200000000000000000" };
    const error = await failure(await file("negative.json", json));
    expect(error.message).to.contain("negative.json").and.contain("ticks[1] (tick 191310)").and.contain("goes negative");
  });

  it("rejects a liquidity that differs from the running sum beyond the tolerance", async () => {
    const json = await fixtureJson();
    json.liquidity = "15603000100000000000"; // relative 6.4e-9
    const error = await failure(await file("mismatch.json", json));
    expect(error.message).to.contain("mismatch.json").and.contain("liquidity").and.contain("15603000000000000000");
  });

  it("warns, and does not fail, on a liquidity mismatch within the tolerance (float rounding of real exports)", async () => {
    const json = await fixtureJson();
    json.liquidity = "15603000000000004096"; // relative 2.6e-16
    const { snapshot, warnings } = await readTickSnapshot(await file("rounded.json", json));
    expect(snapshot.liquidity).to.equal(15_603_000_000_000_004_096n);
    expect(warnings.some((w) => w.startsWith("liquidity:") && w.includes("-4096"))).to.equal(true);
  });

  it("rejects liquidityNet that does not sum to zero, beyond the tolerance", async () => {
    const json = await fixtureJson();
    json.ticks[13]!.liquidityNet = "-2000000000000000";
    const error = await failure(await file("total.json", json));
    expect(error.message).to.contain("sums to 1000000000000000, not 0");
  });

  it("rejects a currentTick far from the tick of sqrtPriceX96", async () => {
    const json = await fixtureJson();
    json.currentTick = 200400;
    const error = await failure(await file("tick.json", json));
    expect(error.message).to.contain("currentTick: 200400 does not match sqrtPriceX96").and.contain("200310");
  });

  it("rejects a missing field, a file that is not JSON and a missing file, naming the file", async () => {
    const json = await fixtureJson();
    delete json.tickSpacing;
    expect((await failure(await file("field.json", json))).message).to.contain("tickSpacing");
    expect((await failure(await file("broken.json", "{ not json"))).message).to.contain("not valid JSON");
    expect((await failure(path.join(dir, "absent.json"))).message).to.contain("file not found");
  });

  it("parseTickSnapshot names its source and round-trips through snapshotToJson", async () => {
    const { snapshot } = parseTickSnapshot(await fixtureJson(), "memory");
    expect(parseTickSnapshot(JSON.parse(JSON.stringify(snapshotToJson(snapshot))), "again").snapshot).to.deep.equal(snapshot);
    expect(() => parseTickSnapshot({}, "from-api")).to.throw(InputError, "from-api");
  });
});

describe("Uniswap V3 math ports", () => {
  it("getSqrtRatioAtTick hits the pool's bounds and 2^96 at tick 0; getTickAtSqrtRatio inverts it", () => {
    expect(getSqrtRatioAtTick(MIN_TICK)).to.equal(MIN_SQRT_RATIO);
    expect(getSqrtRatioAtTick(MAX_TICK)).to.equal(MAX_SQRT_RATIO);
    expect(getSqrtRatioAtTick(0)).to.equal(2n ** 96n);
    for (const tick of [MIN_TICK, -200311, -1, 0, 1, 60, 195_000, 200_311, MAX_TICK - 1]) {
      const sqrt = getSqrtRatioAtTick(tick);
      expect(getTickAtSqrtRatio(sqrt)).to.equal(tick);
      if (tick > MIN_TICK) expect(getTickAtSqrtRatio(sqrt - 1n)).to.equal(tick - 1);
    }
  });

  it("isqrt is the exact floor square root", () => {
    for (const v of [0n, 1n, 2n, 3n, 4n, 99n, 10n ** 36n, 10n ** 36n - 1n, 2n ** 255n + 12345n]) {
      const r = isqrt(v);
      expect(r * r <= v && (r + 1n) * (r + 1n) > v).to.equal(true);
    }
  });

  it("prices round-trip through sqrtPriceX96 in both orientations (USDC/WETH at 3000 is tick ~196,250)", () => {
    const wethBase = { baseIsToken0: false, token0Decimals: 6, token1Decimals: 18 };
    const sqrt = sqrtPriceX96FromPrice(3000, wethBase);
    expect(close(priceFromSqrtPriceX96(sqrt, wethBase), 3000, 1e-12, 0)).to.equal(true);
    const tick = getTickAtSqrtRatio(sqrt);
    expect(tick).to.be.within(196_200, 196_300);
    expect(close(priceFromTick(tick, wethBase), 3000, 1e-4, 0)).to.equal(true);
    const token0Base = { baseIsToken0: true, token0Decimals: 18, token1Decimals: 6 };
    expect(close(priceFromSqrtPriceX96(sqrtPriceX96FromPrice(2500.5, token0Base), token0Base), 2500.5, 1e-12, 0)).to.equal(true);
    expect(getTickAtSqrtRatio(sqrtPriceX96FromPrice(3000, token0Base))).to.equal(-tick - 1);
  });
});

describe("generateProfile (synthetic tick snapshots)", () => {
  const KINDS: ProfileKind[] = ["concentrated", "wide", "gapped", "one-sided"];
  const usdcWeth = (kind: ProfileKind, extra: Partial<Parameters<typeof generateProfile>[0]> = {}): TickSnapshot =>
    generateProfile({
      kind,
      spotPrice: 3000,
      baseIsToken0: false,
      token0Decimals: 6,
      token1Decimals: 18,
      fee: 500,
      tickSpacing: 10,
      ...extra,
    });
  const segmentLiquidity = (s: TickSnapshot, tick: number): bigint => liquidityAtTick(s, tick);

  for (const kind of KINDS) {
    for (const baseIsToken0 of [false, true]) {
      it(`${kind} (base is token${baseIsToken0 ? 0 : 1}) passes parseTickSnapshot with no warning`, () => {
        const s = baseIsToken0
          ? generateProfile({ kind, spotPrice: 3000, baseIsToken0, token0Decimals: 18, token1Decimals: 6, fee: 3000, tickSpacing: 60 })
          : usdcWeth(kind);
        const { snapshot, warnings } = parseTickSnapshot(snapshotToJson(s), kind);
        expect(warnings).to.deep.equal([]);
        expect(snapshot.ticks.length).to.be.greaterThan(10);
        const price = priceFromSqrtPriceX96(s.sqrtPriceX96, {
          baseIsToken0,
          token0Decimals: s.token0Decimals,
          token1Decimals: s.token1Decimals,
        });
        expect(close(price, 3000, 1e-12, 0), `${price}`).to.equal(true);
      });
    }
  }

  it("concentrated: active liquidity of the mainnet 0.05 % pool's order by default, a heavy current range, little beyond 1000 ticks", () => {
    for (const seed of [1, 2, 3]) {
      const s = usdcWeth("concentrated", { seed });
      expect(Number(s.liquidity)).to.be.within(5e18, 3e19);
      const share = (offset: number): number => Number(segmentLiquidity(s, s.currentTick + offset)) / Number(s.liquidity);
      // Just outside the ~30-tick current range, at most 60 % of the active liquidity is left.
      expect(share(-50)).to.be.lessThan(0.6);
      expect(share(50)).to.be.lessThan(0.6);
      expect(share(-1000)).to.be.lessThan(0.25);
      expect(share(1000)).to.be.lessThan(0.25);
    }
  });

  it("wide: liquidity 5000 ticks away is still a large fraction of the active liquidity", () => {
    const s = usdcWeth("wide");
    expect(Number(segmentLiquidity(s, s.currentTick + 5000)) / Number(s.liquidity)).to.be.greaterThan(0.2);
  });

  it("gapped: active liquidity at the spot, and a zero-liquidity hole within 200 ticks on each side", () => {
    const s = usdcWeth("gapped");
    expect(s.liquidity > 0n).to.equal(true);
    const holeAt = (sign: number): boolean => {
      for (let d = 10; d <= 200; d += 10) if (segmentLiquidity(s, s.currentTick + sign * d) === 0n) return true;
      return false;
    };
    expect(holeAt(1)).to.equal(true);
    expect(holeAt(-1)).to.equal(true);
  });

  it("one-sided: no active liquidity, and every tick on the side where the base price is higher", () => {
    const token1Base = usdcWeth("one-sided");
    expect(token1Base.liquidity).to.equal(0n);
    expect(token1Base.ticks.every((t) => t.tick <= token1Base.currentTick)).to.equal(true); // base = token1: price up = tick down
    const token0Base = generateProfile({
      kind: "one-sided",
      spotPrice: 3000,
      baseIsToken0: true,
      token0Decimals: 18,
      token1Decimals: 6,
      fee: 500,
      tickSpacing: 10,
    });
    expect(token0Base.liquidity).to.equal(0n);
    expect(token0Base.ticks.every((t) => t.tick > token0Base.currentTick)).to.equal(true);
  });

  it("is deterministic per seed, and totalLiquidity scales it", () => {
    expect(usdcWeth("concentrated", { seed: 5 })).to.deep.equal(usdcWeth("concentrated", { seed: 5 }));
    expect(usdcWeth("concentrated", { seed: 5 })).to.not.deep.equal(usdcWeth("concentrated", { seed: 6 }));
    const one = usdcWeth("concentrated", { totalLiquidity: 10n ** 18n });
    const two = usdcWeth("concentrated", { totalLiquidity: 2n * 10n ** 18n });
    expect(close(Number(two.liquidity) / Number(one.liquidity), 2, 1e-9, 0)).to.equal(true);
  });
});
