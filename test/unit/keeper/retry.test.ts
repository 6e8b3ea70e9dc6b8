import { expect } from "chai";
import fc from "fast-check";

import { AbortedError, FatalError, RetryableError, RetryExhaustedError } from "../../../scripts/keeper/errors.js";
import { backoffDelay, retry, sleep } from "../../../scripts/keeper/retry.js";

const SEED = Number(process.env.FC_SEED ?? 0x6b656570);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("keeper retry", () => {
  it("property (1,000 runs): full jitter delay is uniform in [0, min(max, base * 2^n))", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, base, max, u) => {
          const delay = backoffDelay(n, base, max, () => u);
          const ceiling = Math.min(max, base * 2 ** n);
          expect(delay).to.be.at.least(0);
          expect(delay).to.be.below(ceiling);
          expect(delay).to.equal(Math.floor(u * ceiling));
        },
      ),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it("the ceiling doubles per retry until maxDelay (exponential, capped)", () => {
    const top = () => 0.999999999;
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, 100, 1_000, top))).to.deep.equal([99, 199, 399, 799, 999, 999]);
  });

  it("retries a retryable error until it succeeds, waiting between attempts", async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await retry(
      async () => {
        if (++calls < 3) throw new RetryableError("flaky");
        return "ok";
      },
      { attempts: 5, baseDelayMs: 4, maxDelayMs: 100, random: () => 0.5, onRetry: (_, __, d) => delays.push(d) },
    );
    expect(value).to.equal("ok");
    expect(calls).to.equal(3);
    expect(delays).to.deep.equal([2, 4]);
  });

  it("gives up after max attempts with RetryExhaustedError carrying the last error", async () => {
    let calls = 0;
    const last = new RetryableError("still down");
    const error = await rejection(
      retry(
        async () => {
          calls++;
          throw last;
        },
        { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
      ),
    );
    expect(calls).to.equal(4);
    expect(error).to.be.instanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).attempts).to.equal(4);
    expect((error as RetryExhaustedError).cause).to.equal(last);
  });

  it("does not retry a fatal error, nor an unclassified one", async () => {
    for (const thrown of [new FatalError("bad input"), new TypeError("bug")]) {
      let calls = 0;
      const error = await rejection(
        retry(
          async () => {
            calls++;
            throw thrown;
          },
          { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
        ),
      );
      expect(calls).to.equal(1);
      expect(error).to.equal(thrown);
    }
  });

  it("an abort during the backoff wait rejects at once with AbortedError and makes no further attempt", async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const promise = retry(
      async () => {
        calls++;
        throw new RetryableError("down");
      },
      { attempts: 10, baseDelayMs: 10_000, maxDelayMs: 10_000, random: () => 0.99, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(promise);
    expect(error).to.be.instanceOf(AbortedError);
    expect(calls).to.equal(1);
    expect(Date.now() - started).to.be.below(2_000);
  });

  it("an already aborted signal makes no attempt at all", async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const error = await rejection(retry(async () => ++calls, { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, signal: controller.signal }));
    expect(error).to.be.instanceOf(AbortedError);
    expect(calls).to.equal(0);
    expect(await rejection(sleep(1_000, controller.signal))).to.be.instanceOf(AbortedError);
  });
});
