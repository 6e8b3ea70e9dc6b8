/**
 * The calibrator's check of its recommendation on the EVM: a few Monte Carlo paths re-run with the recommended
 * parameters on the real contracts (`simulate`, Ballast alone, phase mining), each against the model engine
 * started from that chain's state, compared with the parity tolerances.
 */
import { simulationChain } from "../chain.js";
import { USDC_WETH } from "../environment.js";
import { ModelMarket } from "../sim/model/market.js";
import { simulateModel } from "../sim/model/simulate.js";
import { compareSummaries } from "../sim/parity.js";
import { replayPrices } from "../sim/replay.js";
import { simulate } from "../sim/simulate.js";
import { generateProfile, type TickSnapshot } from "../uniswap/index.js";
import { asPricePath, type McPath } from "./paths.js";
import type { VerificationRow } from "./report.js";
import { type Candidate, candidateOverrides } from "./space.js";

export interface VerifyOptions {
  accounts: number;
  seed: number;
  profile?: TickSnapshot;
  onPath?: (done: number, total: number) => void;
}

/** Runs each path on the EVM and on the model from the same start; see the module comment. */
export async function verifyOnEvm(paths: readonly McPath[], candidate: Candidate, options: VerifyOptions): Promise<VerificationRow[]> {
  const rows: VerificationRow[] = [];
  const overrides = candidateOverrides(candidate);
  for (const [i, path] of paths.entries()) {
    const replay = replayPrices(asPricePath(path, 1_600_000_000));
    const profile =
      options.profile ??
      generateProfile({ kind: "concentrated", spotPrice: replay.rounds[0]!.price, ...USDC_WETH, fee: 500, tickSpacing: 10 });
    const chain = await simulationChain();
    let market: ModelMarket | undefined;
    const common = { replay, policies: ["ballast"] as const, accounts: options.accounts, seed: options.seed };
    let evm;
    try {
      evm = await simulate(chain, {
        ...common,
        ...(options.profile === undefined ? {} : { pool: { file: "pool", snapshot: options.profile } }),
        setup: {
          market: overrides.market,
          volatility: overrides.volatility,
          ...(overrides.baseCollateral === undefined
            ? {}
            : { collaterals: { weth: { baseHaircut: overrides.baseCollateral.baseHaircut } } }),
        },
        onSystem: async (system) => {
          market = await ModelMarket.fromChain(system, profile);
        },
      });
    } finally {
      await chain.close();
    }
    const model = await simulateModel({ ...common, market: market! });
    const e = evm.summary.policies[0]!;
    const m = model.summary.policies[0]!;
    const mismatches = compareSummaries(evm.summary.policies, model.summary.policies);
    rows.push({
      id: path.id,
      kind: path.kind,
      evm: { badDebt: e.badDebt, liquidations: e.liquidations, deleverages: e.deleverages, calmCapacity: e.calmCapacity },
      model: { badDebt: m.badDebt, liquidations: m.liquidations, deleverages: m.deleverages, calmCapacity: m.calmCapacity },
      agrees: mismatches.length === 0,
      mismatches: mismatches.map((x) => `${x.figure} ${x.evm} vs ${x.model}`),
    });
    options.onPath?.(i + 1, paths.length);
  }
  return rows;
}
