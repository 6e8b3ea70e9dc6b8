import { expect } from "chai";

import { healthReport, type HealthInputs } from "../../../scripts/keeper/health.js";

const NOW = 1_000_000;
const base: HealthInputs = {
  now: NOW,
  stopping: false,
  maxAgeSeconds: 120,
  firstTickDone: true,
  lastProgressAt: NOW - 1_000,
  lastProcessedAt: NOW - 1_000,
  lastHeadAt: NOW - 500,
  processed: 100,
  head: 100,
  accounts: 3,
  owned: 3,
  inFlight: 0,
  unevaluable: 0,
  balanceLow: false,
  balance: "1.0",
};

describe("keeper health", () => {
  it("a chain that makes no new block is healthy while the keeper reads its head (an idle dev chain, automine)", () => {
    const report = healthReport({ ...base, lastProcessedAt: NOW - 600_000, lastHeadAt: NOW - 1_000 });
    expect(report.ok).to.equal(true);
    expect(report.body.status).to.equal("ok");
  });

  it("is stale (503) when the head cannot be read for healthMaxAgeSeconds, or a newer head waits that long", () => {
    expect(healthReport({ ...base, lastProcessedAt: NOW - 200_000, lastHeadAt: NOW - 200_000 }).body.status).to.equal("stale");
    const behind = healthReport({ ...base, head: 105, lastProcessedAt: NOW - 200_000 });
    expect(behind.ok).to.equal(false);
    expect(behind.body).to.include({ status: "stale", lag: 5 });
  });

  it("is degraded (200) with unevaluable accounts or a balance below minBalance, syncing during a first catch-up, stopping (503) at shutdown", () => {
    expect(healthReport({ ...base, unevaluable: 2 }).body).to.include({ status: "degraded", unevaluable: 2 });
    expect(healthReport({ ...base, balanceLow: true }).body).to.include({ status: "degraded", balanceLow: true });
    expect(healthReport({ ...base, unevaluable: 2 }).ok).to.equal(true);
    expect(healthReport({ ...base, firstTickDone: false, lastProgressAt: NOW - 5_000 }).body.status).to.equal("syncing");
    expect(healthReport({ ...base, firstTickDone: false, lastProgressAt: NOW - 500_000 }).ok).to.equal(false);
    expect(healthReport({ ...base, stopping: true })).to.deep.include({ ok: false });
  });
});
