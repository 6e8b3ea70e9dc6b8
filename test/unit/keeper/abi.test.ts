import { expect } from "chai";
import { type Fragment, Interface } from "ethers";
import hre from "hardhat";

import {
  AGGREGATOR_ABI,
  ENGINE_ABI,
  ERC20_ABI,
  RISK_LENS_ABI,
  RISK_MODULE_ABI,
  VOLATILITY_ORACLE_ABI,
} from "../../../scripts/keeper/abi.js";
import { KEEPER_PREVIEW_ABI } from "../../../scripts/keeper/preview.js";

/** The signature of a fragment with its outputs: the same text for the same ABI. */
function shape(fragment: Fragment): string {
  const outputs =
    "outputs" in fragment ? (fragment.outputs as { format(f: "sighash"): string }[]).map((o) => o.format("sighash")).join(",") : "";
  return `${fragment.format("sighash")}->(${outputs})`;
}

describe("keeper ABI fragments", () => {
  for (const [label, fragments, artifacts] of [
    ["RiskModule", RISK_MODULE_ABI, ["RiskModule", "ReferenceMarginEngine"]],
    ["RiskLens", RISK_LENS_ABI, ["RiskLens"]],
    ["ReferenceMarginEngine", ENGINE_ABI, ["ReferenceMarginEngine"]],
    ["VolatilityOracle", VOLATILITY_ORACLE_ABI, ["VolatilityOracle"]],
    ["EACAggregatorProxy", AGGREGATOR_ABI, ["EACAggregatorProxy"]],
    ["ERC20", ERC20_ABI, ["TestToken"]],
    ["KeeperPreview", KEEPER_PREVIEW_ABI, ["StatusPreview", "DeleveragePreview"]],
  ] as const) {
    it(`every fragment the keeper uses for ${label} matches the compiled contract (selector, topic and outputs)`, async () => {
      const compiled: string[] = [];
      for (const name of artifacts) {
        const artifact = await hre.artifacts.readArtifact(name);
        compiled.push(...new Interface(artifact.abi).fragments.filter((f) => ["function", "event", "error"].includes(f.type)).map(shape));
      }
      for (const fragment of new Interface(fragments).fragments) expect(compiled, shape(fragment)).to.include(shape(fragment));
    });
  }
});
