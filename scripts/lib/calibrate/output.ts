/** The calibrator's parameters file: the recommended set as the `BallastMarket` Ignition parameters, with provenance. */
import { paramsFileText } from "../ballast/paramsFile.js";
import type { Provenance } from "../provenance.js";
import { candidateOverrides } from "./space.js";
import type { CandidateResult } from "./sweep.js";

/** The text of `params.json` for the chosen set (see `scripts/lib/ballast/paramsFile.ts`). */
export function candidateOverridesFile(chosen: CandidateResult, record: Provenance): string {
  return paramsFileText(candidateOverrides(chosen.candidate), {
    provenance: {
      ...record,
      result: { capacity: chosen.capacity, pBadDebt: chosen.pBadDebt, paths: chosen.evaluated, deleveragedShare: chosen.deleveragedShare },
    },
  });
}
