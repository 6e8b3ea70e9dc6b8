import { expect } from "chai";
import type { Provider } from "ethers";

import { AbortedError } from "../../../scripts/keeper/errors.js";
import { HeadSource } from "../../../scripts/keeper/heads.js";
import { silentLogger } from "../../../scripts/keeper/logger.js";
import { Rpc } from "../../../scripts/keeper/rpc.js";

/** A provider whose head is set by the test, with an optional "block" subscription. */
function chain() {
  let head = 10;
  let listener: (() => void) | undefined;
  let polls = 0;
  const provider = {
    getBlockNumber: async () => {
      polls++;
      return head;
    },
    on: async (_: string, fn: () => void) => void (listener = fn),
    off: async () => void (listener = undefined),
  } as unknown as Provider;
  return {
    provider,
    polls: () => polls,
    mine: (notify: boolean) => {
      head++;
      if (notify) listener?.();
    },
  };
}

const rpc = new Rpc({ timeoutMs: 1_000, attempts: 1 });

describe("keeper head source", () => {
  it("returns the head at once when it is already above the last block processed", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 10_000, silentLogger());
    expect(await heads.next(9, new AbortController().signal)).to.equal(10);
  });

  it("polls every interval until a new head appears", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 30, silentLogger());
    setTimeout(() => c.mine(false), 100);
    const started = Date.now();
    expect(await heads.next(10, new AbortController().signal)).to.equal(11);
    expect(Date.now() - started).to.be.at.least(90);
    expect(c.polls()).to.be.at.least(3);
  });

  it("with a subscription, a new head wakes it at once instead of waiting for the next poll", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 60_000, silentLogger());
    await heads.subscribe();
    setTimeout(() => c.mine(true), 50);
    const started = Date.now();
    expect(await heads.next(10, new AbortController().signal)).to.equal(11);
    expect(Date.now() - started).to.be.below(5_000);
    await heads.close();
  });

  it("an abort while waiting rejects with AbortedError", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 60_000, silentLogger());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    let error: unknown;
    try {
      await heads.next(10, controller.signal);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AbortedError);
  });

  it("after a failed tick, returns at once when the chain has moved past the failed head (blocks came while it failed)", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 60_000, silentLogger());
    await heads.subscribe();
    c.mine(false);
    const started = Date.now();
    await heads.afterFailure(10, new AbortController().signal);
    expect(Date.now() - started).to.be.below(5_000);
    await heads.close();
  });

  it("after a failed tick on the current head, waits for the next head's notification, not the poll interval", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 60_000, silentLogger());
    await heads.subscribe();
    let returned = false;
    const waiting = heads.afterFailure(10, new AbortController().signal).then(() => (returned = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(returned, "no new head yet: still waiting").to.equal(false);
    c.mine(true);
    await waiting;
    expect(c.polls()).to.equal(1);
    await heads.close();
  });

  it("after a failed tick with no subscription and no new head, waits one poll interval (an idle chain still retries)", async () => {
    const c = chain();
    const heads = new HeadSource(c.provider, rpc, 150, silentLogger());
    const started = Date.now();
    await heads.afterFailure(10, new AbortController().signal);
    expect(Date.now() - started).to.be.at.least(140);
  });
});
