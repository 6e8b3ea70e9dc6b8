import { expect } from "chai";

import { tierFiles } from "../../scripts/tools/testTiers.js";

describe("test tiers (npm test, npm run test:fork)", () => {
  it("npm test runs unit, integration, invariant and Solidity tests, one smoke scenario, and no fork-suite file", () => {
    const { solidity, mocha } = tierFiles("ci");
    expect(mocha.some((f) => f.startsWith("test/fork/"))).to.equal(false);
    for (const dir of ["test/unit/", "test/integration/"])
      expect(
        mocha.some((f) => f.startsWith(dir)),
        dir,
      ).to.equal(true);
    expect(mocha).to.include("test/integration/scenarioCli.test.ts");
    // The stateful invariant suite is Solidity (Hardhat 3's invariant fuzzer).
    expect(solidity).to.include("test/invariant/AccountRule.invariant.t.sol");
    expect(solidity.some((f) => f.startsWith("test/fork/"))).to.equal(false);
  });

  it("npm run test:fork runs every scenario file of test/fork and nothing else; heavy files come first", () => {
    const { mocha } = tierFiles("fork");
    expect(mocha.length).to.be.greaterThan(3);
    expect(mocha.every((f) => f.startsWith("test/fork/") && f.endsWith(".test.ts"))).to.equal(true);
    expect(mocha[0]).to.equal("test/fork/optionsVolSpike.test.ts");
  });
});
