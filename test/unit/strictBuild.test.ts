import { expect } from "chai";

import { ownWarnings } from "../../scripts/tools/compilerWarnings.js";

const OUTPUT = [
  "Compiled 59 Solidity files with solc 0.8.37 (evm target: osaka)",
  "Warning: Unused local variable.",
  "  --> contracts/RiskModule.sol:10:5:",
  "   |",
  "Warning: This declaration shadows an existing declaration.",
  "  --> npm/@chainlink/contracts@0.8.0/src/v0.6/AggregatorProxy.sol:409:5:",
  "Warning: Function state mutability can be restricted to pure",
  "  --> ./test/invariant/Probe.t.sol:3:1:",
].join("\n");

describe("npm run build:strict (compiler warnings in project sources fail the lint)", () => {
  it("counts warnings located in contracts/ and test/, and none inside npm packages", () => {
    const own = ownWarnings(OUTPUT);
    expect(own).to.have.length(2);
    expect(own[0]).to.contain("contracts/RiskModule.sol");
    expect(own[1]).to.contain("test/invariant/Probe.t.sol");
    expect(ownWarnings(OUTPUT.split("\n").slice(0, 1).join("\n"))).to.deep.equal([]);
  });
});
