import { expect } from "chai";
import type { Signer } from "ethers";
import fc from "fast-check";

import { wad } from "../../scripts/lib/ballast/params.js";
import { adverseMove, depthBound, liquidationBound, stressedMove } from "../../scripts/lib/riskMath.js";
import { ETH_MARKET, type System } from "../../scripts/lib/system.js";
import { fromWad, propertySeed } from "../helpers/numbers.js";
import { systemFixture } from "../helpers/system.js";

/**
 * Invariants of the risk module under random sequences of deposits, trades, price and volatility moves,
 * time, and deleverages (RUNS sequences of STEPS actions each, fixed seed; FC_SEED overrides):
 * - I1 a user reduction never reverts because of the module;
 * - I2 deleverage never increases any position, and never the deleveraged account's risk;
 * - I3 after a deleverage the position is at or under cap * (1 - tauTarget), unless the window limited it;
 * - I4 no rolling deleverage window sees more than rho * D(s_max);
 * - I5 a cap never exceeds its liquidation-distance, depth or tier bound (recomputed from the module's inputs).
 */
const RUNS = 25;
const STEPS = 20;
const USERS = 4;

const { connection, load } = await systemFixture({ market: { rho: wad(0.05) } });
const { ethers, networkHelpers } = connection;

type Action =
  | { kind: "deposit"; user: number; usdc: number }
  | { kind: "increase"; user: number; fraction: number; short: boolean }
  | { kind: "reduce"; user: number; fraction: number }
  | { kind: "price"; move: number }
  | { kind: "spike" }
  | { kind: "time"; seconds: number }
  | { kind: "deleverage" };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("deposit" as const), user: fc.nat(USERS - 1), usdc: fc.integer({ min: 100, max: 50_000 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("increase" as const),
      user: fc.nat(USERS - 1),
      fraction: fc.double({ min: 0.3, max: 1.2, noNaN: true }),
      short: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("reduce" as const),
      user: fc.nat(USERS - 1),
      fraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("price" as const), move: fc.double({ min: -0.04, max: 0.04, noNaN: true }) }), weight: 2 },
  // Jumps (a crash or a squeeze) put whole sides over their caps at once.
  {
    arbitrary: fc.record({
      kind: fc.constant("price" as const),
      move: fc.oneof(fc.double({ min: -0.1, max: -0.06, noNaN: true }), fc.double({ min: 0.06, max: 0.1, noNaN: true })),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: "spike" as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("time" as const), seconds: fc.integer({ min: 60, max: 1_800 }) }), weight: 1 },
  { arbitrary: fc.constant({ kind: "deleverage" as const }), weight: 2 },
);

interface WindowEntry {
  time: number;
  notional: bigint;
  capacity: bigint;
}

async function sizes(system: System, users: Signer[]): Promise<bigint[]> {
  return Promise.all(users.map(async (u) => (await system.ballast.engine.position(await u.getAddress(), ETH_MARKET))[0]));
}

async function checkCaps(system: System, user: Signer): Promise<void> {
  const module = system.ballast.riskModule;
  const address = await user.getAddress();
  const status = await module.accountStatus(address);
  if (status.status === 2n) return;
  const risk = await module.positionRisk(address, ETH_MARKET);
  const [sigma] = await system.ballast.volatilityOracle.getVolatility(system.feeds.eth.address);
  const depth = await module.depthState(ETH_MARKET);
  const isLong = risk.size > 0n;
  const { gap } = await module.marketConfig(ETH_MARKET);
  const x = adverseMove(stressedMove(fromWad(sigma), 3_600, 3, fromWad(gap)), isLong);
  const equity = fromWad(status.equity);
  const side = risk.size === 0n ? Math.min(fromWad(depth.down), fromWad(depth.up)) : isLong ? fromWad(depth.down) : fromWad(depth.up);
  const tolerance = (v: number) => v * (1 + 1e-9) + 1e-6;
  const cap = fromWad(risk.cap);
  expect(cap <= tolerance(liquidationBound(equity, 0.05, x)), "I5 liquidation-distance bound").to.equal(true);
  expect(cap <= tolerance(depthBound(side, 0.05)), "I5 depth bound").to.equal(true);
  expect(cap <= tolerance(Math.max(0, equity) * 20), "I5 tier bound (USDC, 20x)").to.equal(true);
}

describe(`RiskModule invariants (${RUNS} random sequences x ${STEPS} actions)`, () => {
  it("I1-I5 hold under random deposits, trades, price and volatility moves, time and deleverages", async () => {
    const signers = await ethers.getSigners();
    const users = signers.slice(1, 1 + USERS);
    const keeper = signers[1 + USERS]!;
    let executed = 0;
    let deleverages = 0;
    let windowLimited = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ fraction: fc.double({ min: 0.5, max: 0.95, noNaN: true }), short: fc.boolean() }), {
          minLength: USERS,
          maxLength: USERS,
        }),
        fc.array(action, { minLength: STEPS, maxLength: STEPS }),
        async (openings, actions) => {
          const system = await load();
          const module = system.ballast.riskModule;
          const engine = system.ballast.engine;
          let price = 3_000;
          // Every account starts with a position (a random direction and fraction of its cap).
          for (const [i, user] of users.entries()) {
            await system.deposit(user, { usdc: 5_000 });
            const cap = fromWad((await module.positionRisk(await user.getAddress(), ETH_MARKET)).cap);
            const size = ((cap * openings[i]!.fraction) / price) * (openings[i]!.short ? -1 : 1);
            await (await engine.connect(user).trade(ETH_MARKET, wad(size.toFixed(12)))).wait();
          }
          const window: WindowEntry[] = [];
          for (const a of actions) {
            executed++;
            if (a.kind === "deposit") {
              await system.deposit(users[a.user]!, { usdc: a.usdc });
            } else if (a.kind === "increase") {
              const user = users[a.user]!;
              const risk = await module.positionRisk(await user.getAddress(), ETH_MARKET);
              const size = ((fromWad(risk.cap) * a.fraction) / price) * (a.short ? -1 : 1);
              if (Math.abs(size) < 1e-6) continue;
              // Increases may be refused (cap, oracle); that is the module doing its job.
              await engine
                .connect(user)
                .trade(ETH_MARKET, wad(size.toFixed(12)))
                .catch(() => undefined);
            } else if (a.kind === "reduce") {
              const user = users[a.user]!;
              const [size] = await engine.position(await user.getAddress(), ETH_MARKET);
              if (size === 0n) continue;
              const delta = -((size * BigInt(Math.round(a.fraction * 1e6))) / 1_000_000n);
              if (delta === 0n) continue;
              try {
                await (await engine.connect(user).trade(ETH_MARKET, delta)).wait();
              } catch (error) {
                expect.fail(`I1: a user reduction reverted: ${String(error)}`);
              }
            } else if (a.kind === "price") {
              // The oracle moves and arbitrage drags the pool after it (its TWAP lags for a while).
              price *= 1 + a.move;
              await system.setEthPrice(price);
              await system.movePool(price);
            } else if (a.kind === "spike") {
              for (const p of [price * 0.95, price * 1.05, price]) {
                await networkHelpers.time.increase(60);
                await system.setEthPrice(p);
              }
              await system.ballast.volatilityOracle.poke(system.feeds.eth.address);
            } else if (a.kind === "time") {
              await system.advance(a.seconds);
            } else {
              // A keeper's sweep: every account the module quotes a deleverage for.
              for (const user of users) {
                const address = await user.getAddress();
                const [quoted] = await module.deleverageQuote(address, ETH_MARKET);
                if (quoted === 0n) continue;
                const before = await sizes(system, users);
                const [, capacity] = await module.deleverageCapacity(ETH_MARKET);
                const receipt = await (await module.connect(keeper).deleverage(address, ETH_MARKET)).wait();
                deleverages++;
                const event = receipt!.logs.map((l) => module.interface.parseLog(l)).find((e) => e?.name === "Deleveraged")!;
                const after = await sizes(system, users);
                // I2: only this position moves, towards zero, never past it.
                after.forEach((size, i) => {
                  const abs = (v: bigint) => (v < 0n ? -v : v);
                  expect(abs(size) <= abs(before[i]!), "I2 a position grew").to.equal(true);
                  if (users[i] !== user) expect(size, "I2 another account moved").to.equal(before[i]);
                  else expect(size === 0n || size > 0n === before[i]! > 0n, "I2 a position flipped").to.equal(true);
                });
                // I3: at or under cap * (1 - tauTarget) unless the window limited the reduction.
                // The full reduction due at the evaluation price; less than that means the window limited it.
                const abs = (v: bigint) => (v < 0n ? -v : v);
                const price = event.args.price as bigint;
                const due =
                  (abs(before[users.indexOf(user)]!) * price + wad(1) - 1n) / wad(1) - ((event.args.cap as bigint) * wad(0.95)) / wad(1);
                const limited = (event.args.notional as bigint) < due;
                if (limited) windowLimited++;
                else {
                  // At the price the breach was evaluated at (Chainlink, or the TWAP when they diverged).
                  const cap = event.args.cap as bigint;
                  const sizeAfter = event.args.sizeAfter as bigint;
                  const remaining = (abs(sizeAfter) * price) / wad(1);
                  expect(remaining <= (cap * wad(0.95)) / wad(1), "I3 above cap * (1 - tauTarget)").to.equal(true);
                }
                // I4: record for the rolling-window check.
                const block = await ethers.provider.getBlock(receipt!.blockNumber);
                window.push({ time: block!.timestamp, notional: event.args.notional as bigint, capacity });
              }
            }
            for (const user of users) await checkCaps(system, user);
          }
          // I4: every rolling window of one deleverageWindow (3,600 s) sums to at most the largest capacity seen in it.
          for (const start of window) {
            const inside = window.filter((w) => w.time >= start.time && w.time < start.time + 3_600);
            const total = inside.reduce((sum, w) => sum + w.notional, 0n);
            const capacity = inside.reduce((max, w) => (w.capacity > max ? w.capacity : max), 0n);
            expect(total <= capacity, `I4 window exceeded: ${total} > ${capacity}`).to.equal(true);
          }
        },
      ),
      { numRuns: RUNS, seed: propertySeed(), endOnFailure: true },
    );
    console.log(`      ${executed} actions, ${deleverages} deleverages (${windowLimited} limited by the window)`);
    expect(executed).to.equal(RUNS * STEPS);
    // The sequences must actually exercise deleverage (and the window), or I2-I4 would hold vacuously.
    expect(deleverages).to.be.greaterThan(RUNS);
    expect(windowLimited).to.be.greaterThan(0);
  });
});
