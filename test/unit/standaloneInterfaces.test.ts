import { expect } from "chai";
import { createRequire } from "node:module";
import path from "node:path";

import { Interface } from "ethers";

import { ENGINE_ABI } from "../../scripts/keeper/abi.js";
import { compileStandalone, functionShapes, type Solc, solidityFiles } from "../../scripts/tools/standaloneSolidity.js";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, "../..");
const solc084 = require("solc-0.8.4") as Solc;
const solc = require("solc") as Solc;

describe("Ballast's interfaces stand alone (integrator release)", () => {
  const files = solidityFiles(ROOT);

  it("every interface and type compiles on its own with solc 0.8.4, the lowest its pragma allows, importing nothing from a third party", () => {
    expect(files).to.include.members([
      "contracts/interfaces/IMarginEngine.sol",
      "contracts/interfaces/IHedgingEngine.sol",
      "contracts/types/Bound.sol",
    ]);
    const result = compileStandalone(solc084, ROOT, files);
    expect(solc084.version()).to.match(/^0\.8\.4\+/);
    expect(result.escapes).to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);
    expect([...result.abis.keys()]).to.include.members(["IRiskModule", "IMarginEngine", "IHedgingEngine", "IRiskLens", "IAggregatorV3"]);
  });

  it("every interface and type compiles with the project's solc 0.8.37 without a warning", () => {
    const result = compileStandalone(solc, ROOT, files);
    expect(result.escapes).to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);
    expect(result.warnings).to.deep.equal([]);
  });

  it("every engine function and event the keeper uses is declared in IMarginEngine, IOptionsEngine or IHedgingEngine", () => {
    const { abis } = compileStandalone(solc, ROOT, files);
    const declared = new Set(
      ["IMarginEngine", "IOptionsEngine", "IHedgingEngine"].flatMap((name) =>
        new Interface(abis.get(name)! as never).fragments.map((f) => f.format("sighash")),
      ),
    );
    const used = new Interface(ENGINE_ABI).fragments.map((f) => f.format("sighash"));
    expect(used).to.include.members(["PositionChanged(address,uint256,int256,int256,uint256,int256)", "tradeFor(address,uint256,int256)"]);
    for (const fragment of used) expect(declared.has(fragment), fragment).to.equal(true);
  });

  it("IAggregatorV3 and IUniswapV3PoolView declare functions exactly as Chainlink's AggregatorV3Interface and Uniswap's IUniswapV3Pool do", () => {
    const ours = compileStandalone(solc, ROOT, solidityFiles(ROOT, ["contracts/interfaces/external"]), ["contracts/interfaces/external"]);
    const theirs = compileStandalone(
      solc,
      path.join(ROOT, "node_modules"),
      ["@chainlink/contracts/src/v0.8/interfaces/AggregatorV3Interface.sol", "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol"],
      ["@chainlink/contracts", "@uniswap/v3-core"],
    );
    expect(theirs.errors).to.deep.equal([]);
    const chainlink = functionShapes(theirs.abis.get("AggregatorV3Interface")!);
    const aggregator = functionShapes(ours.abis.get("IAggregatorV3")!);
    expect(aggregator).to.have.length(3);
    expect(chainlink).to.include.members(aggregator);
    const uniswap = [
      ...["IUniswapV3PoolImmutables", "IUniswapV3PoolState", "IUniswapV3PoolDerivedState"].flatMap((n) =>
        functionShapes(theirs.abis.get(n)!),
      ),
    ];
    const pool = functionShapes(ours.abis.get("IUniswapV3PoolView")!);
    expect(pool).to.have.length(8);
    expect(uniswap).to.include.members(pool);
  });

  it("IBallastUpkeep has the selectors of Chainlink's AutomationCompatibleInterface and ILogAutomation and of Gelato's checker", () => {
    const ours = compileStandalone(solc, ROOT, files);
    const theirs = compileStandalone(
      solc,
      path.join(ROOT, "node_modules"),
      [
        "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol",
        "@chainlink/contracts/src/v0.8/automation/interfaces/ILogAutomation.sol",
      ],
      ["@chainlink/contracts"],
    );
    expect(theirs.errors).to.deep.equal([]);
    const sighashes = (abi: unknown) =>
      new Interface(abi as never).fragments.filter((f) => f.type === "function").map((f) => f.format("sighash"));
    const upkeep = sighashes(ours.abis.get("IBallastUpkeep"));
    const chainlink = [...sighashes(theirs.abis.get("AutomationCompatibleInterface")), ...sighashes(theirs.abis.get("ILogAutomation"))];
    expect(chainlink).to.include.members([
      "checkUpkeep(bytes)",
      "performUpkeep(bytes)",
      "checkLog((uint256,uint256,bytes32,uint256,bytes32,address,bytes32[],bytes),bytes)",
    ]);
    expect(upkeep).to.include.members([...new Set(chainlink), "checker()"]);
  });
});
