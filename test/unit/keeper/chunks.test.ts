import { expect } from "chai";
import fc from "fast-check";

import { blockRanges, chunk, mapLimit, Semaphore } from "../../../scripts/keeper/chunks.js";

const SEED = Number(process.env.FC_SEED ?? 0x6b656570);

describe("keeper chunking", () => {
  it("chunk splits into slices of at most size, in order, and rejects a size below 1", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).to.deep.equal([]);
    expect(() => chunk([1], 0)).to.throw(RangeError);
  });

  it("property (500 runs): block ranges cover [from, to] exactly once, each at most size blocks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 700 }),
        (from, length, size) => {
          const to = from + length - 1;
          const ranges = blockRanges(from, to, size);
          let next = from;
          for (const [a, b] of ranges) {
            expect(a).to.equal(next);
            expect(b - a + 1).to.be.within(1, size);
            next = b + 1;
          }
          expect(next).to.equal(to + 1);
        },
      ),
      { numRuns: 500, seed: SEED },
    );
  });

  it("mapLimit keeps the input order and never runs more than limit at once", async () => {
    let active = 0;
    let peak = 0;
    const result = await mapLimit([30, 5, 20, 1, 10, 2, 8], 3, async (ms, i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, ms));
      active--;
      return i;
    });
    expect(result).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).to.equal(3);
  });

  it("mapLimit rejects on the first failure and starts no further item", async () => {
    const started: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, i === 1 ? 5 : 40));
      if (i === 1) throw new Error("boom");
      return i;
    });
    let error: unknown;
    try {
      await run;
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal("boom");
    await new Promise((r) => setTimeout(r, 80));
    expect(started).to.deep.equal([0, 1]);
  });

  it("Semaphore admits at most its limit and serves waiters first come, first served", async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    const release = await semaphore.acquire();
    const waiters = [1, 2, 3].map((i) => semaphore.run(async () => void order.push(i)));
    expect(semaphore.inUse).to.equal(1);
    release();
    await Promise.all(waiters);
    expect(order).to.deep.equal([1, 2, 3]);
    expect(semaphore.inUse).to.equal(0);
  });
});
