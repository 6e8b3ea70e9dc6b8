import { readFile } from "node:fs/promises";

import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import { network } from "hardhat";

import MarketModule from "../../deploy/modules/Market.js";
import { defaultMarketConfig } from "../../scripts/lib/ballast/params.js";
import { MARKET_MODULE_ID, parseParamsFile } from "../../scripts/lib/ballast/paramsFile.js";
import { CHAINLINK } from "../../scripts/lib/chainlink/mainnet.js";
import { replicaEnvironment } from "../../scripts/lib/environment.js";
import { MAINNET } from "../../scripts/lib/uniswap/addresses.js";

/** A parameters file as the Ignition CLI reads it: JSON with `"123n"` strings as bigints. */
function ignitionParameters(text: string): Record<string, Record<string, unknown>> {
  return JSON.parse(text, (_, v: unknown) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as Record<
    string,
    Record<string, unknown>
  >;
}

describe("deploy/modules/Market.ts (Ignition) with a calibrated parameters file", () => {
  it("deploys Ballast and lists the market with exactly the file's parameters, the defaults elsewhere", async () => {
    const connection = await network.create();
    await replicaEnvironment(connection);
    const file = "deploy/parameters/eth-usdt-sample.json";
    const text = await readFile(file, "utf8");
    const parameters = ignitionParameters(text);
    const { riskModule, volatilityOracle, engine } = await connection.ignition.deploy(MarketModule, {
      parameters: parameters as DeploymentParameters,
    });
    const config = await riskModule.getFunction("marketConfig")(1n);
    const expected = { ...defaultMarketConfig(CHAINLINK.ethUsd, MAINNET.usdcWeth500, false), ...parseParamsFile(text, file).market };
    for (const [field, value] of Object.entries(expected)) {
      const actual = config[field] as unknown;
      if (typeof actual === "string") expect(actual.toLowerCase(), field).to.equal(String(value).toLowerCase());
      else expect(BigInt(actual as bigint), field).to.equal(BigInt(value as bigint));
    }
    expect(config.gap).to.equal(parameters[MARKET_MODULE_ID]!.gap);
    const feed = await volatilityOracle.getFunction("feedConfig")(CHAINLINK.ethUsd);
    expect(feed.tauDown).to.equal(BigInt(parameters[MARKET_MODULE_ID]!.tauDown as number));
    const listing = await engine.getFunction("markPrice")(1n);
    expect(listing).to.be.greaterThan(0n);
    await connection.close();
  });
});
