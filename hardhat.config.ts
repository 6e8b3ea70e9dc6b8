import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig, overrideTask } from "hardhat/config";

import { invariantReport, suitesOf } from "./scripts/tools/invariantReport.js";
import { pendingAsSkipped } from "./scripts/tools/mochaSummary.js";

import { DEFAULT_FORK_BLOCK } from "./scripts/lib/forkCheck.js";

// No solc binary can be downloaded on the machines that build Ballast, so both compilers are the
// WebAssembly builds shipped in npm packages (solcjs), loaded through the compiler `path`.
const require = createRequire(import.meta.url);
const soljson = (pkg: string): string => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "soljson.js");

/** The production compiler: solc 0.8.37 through the IR pipeline (every artifact, deployment and gas figure). */
const PRODUCTION = {
  version: "0.8.37",
  path: soljson("solc"),
  settings: { evmVersion: "osaka", optimizer: { enabled: true, runs: 200 }, viaIR: true },
};
/**
 * The Solidity property and conformance tests compile with the same solc and optimizer through the legacy
 * pipeline (what they import compiles with them, in the tests' own build): a clean clone's compile falls from
 * 108 s to about 80 s. Kept on the production pipeline: the stateful invariant suite (`AccountRule*`: it attacks
 * the rule as deployed) and the tests whose property depends on gas (`GasGuard`, the poke's gas bound in
 * `VolatilityOracleRounds`). The mocha tests, the gas bench and the fork suite use the production artifacts.
 * docs/DECISIONS.md, "The Solidity property tests compile through the legacy pipeline".
 */
const PROPERTY_TESTS = { ...PRODUCTION, settings: { ...PRODUCTION.settings, viaIR: false } };
const propertyTestFiles = (readdirSync(path.join(import.meta.dirname, "test"), { recursive: true }) as string[])
  .map((file) => `test/${file.split(path.sep).join("/")}`)
  .filter((file) => file.endsWith(".t.sol") && !/^(AccountRule|GasGuard\.|VolatilityOracleRounds\.)/.test(path.basename(file)))
  .sort();

/** Run counts of the Solidity property tests; docs/SPEC.md quotes these numbers. */
export const FUZZ_RUNS = 1000;
/**
 * The stateful invariant campaign (`test/invariant/AccountRule.invariant.t.sol`): `INVARIANT_RUNS` sequences of
 * `INVARIANT_DEPTH` calls each (32 x 320 = 10,240 calls in CI); `npm run test:invariant:long` runs a million.
 */
export const INVARIANT_RUNS = Number(process.env.INVARIANT_RUNS ?? 32);
export const INVARIANT_DEPTH = Number(process.env.INVARIANT_DEPTH ?? 320);

/**
 * The block the opt-in mainnet fork starts at (override with FORK_BLOCK): pinned so that runs are
 * reproducible and an RPC provider's fork cache can serve them.
 */
export { DEFAULT_FORK_BLOCK };

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: [
    // Print the invariant campaigns' call counts (Hardhat's reporter prints only their runs).
    // Pending mocha tests are reported as skipped, not passing (scripts/tools/mochaSummary.ts).
    overrideTask(["test", "mocha"])
      .setInlineAction(async (args, _hre, runSuper) =>
        pendingAsSkipped(await runSuper(args), (require("./scripts/tools/slowestReporter.cjs") as { pending: number }).pending),
      )
      .build(),
    overrideTask(["test", "solidity"])
      .setInlineAction(async (args, _hre, runSuper) => {
        const result: unknown = await runSuper(args);
        for (const line of invariantReport(suitesOf(result))) console.log(line);
        return result;
      })
      .build(),
  ],
  solidity: {
    compilers: [
      PRODUCTION,
      {
        // Chainlink's EACAggregatorProxy, the proxy mainnet feeds run, is pinned to 0.6.6.
        version: "0.6.6",
        path: soljson("solc-0.6.6"),
        settings: { optimizer: { enabled: true, runs: 200 } },
      },
    ],
    overrides: Object.fromEntries(propertyTestFiles.map((file) => [file, PROPERTY_TESTS])),
    npmFilesToBuild: ["@chainlink/contracts/src/v0.6/EACAggregatorProxy.sol"],
    // The Solidity tests compile apart from the contracts (they deploy the contracts from their artifacts): `npm test`
    // builds both at once, two solcjs processes on two cores (scripts/lib/build.ts, buildContractsAndTests), and the
    // commands and mocha tiers build the contracts alone.
    splitTestsCompilation: true,
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
    ignition: "deploy",
  },
  test: {
    solidity: {
      fsPermissions: { readDirectory: ["node_modules/@uniswap/v3-core/artifacts"] },
      fuzz: { runs: FUZZ_RUNS, seed: "0xba11a57" },
      invariant: {
        runs: INVARIANT_RUNS,
        depth: INVARIANT_DEPTH,
        // A handler function that reverts would hide what it checks: any revert fails the run (the handler calls the
        // system through try/catch, so only a bug of the handler itself reverts). INVARIANT_FAIL_ON_REVERT=0 relaxes it.
        failOnRevert: process.env.INVARIANT_FAIL_ON_REVERT !== "0",
        // Replaying a failing sequence of a few hundred calls costs seconds: shrink within a bounded budget.
        shrinkRunLimit: Number(process.env.INVARIANT_SHRINK ?? 500),
        // A failing sequence is saved here and replayed first by the next run (delete the directory to forget it).
        failurePersistDir: "cache/invariant-failures",
      },
    },
    mocha: {
      timeout: 120_000,
      // Spec output, then the slowest tests and hooks of the run.
      reporter: path.join(import.meta.dirname, "scripts/tools/slowestReporter.cjs"),
      // `npm test` sets BALLAST_TEST_JOBS (scripts/commands/test.ts): mocha runs files in that many workers.
      // Each worker loads scripts/tools/mochaWorkerIpc.cjs: a failure whose error holds a bigint reaches the report.
      ...(Number(process.env.BALLAST_TEST_JOBS ?? 1) > 1
        ? {
            parallel: true,
            jobs: Number(process.env.BALLAST_TEST_JOBS),
            require: [path.join(import.meta.dirname, "scripts/tools/mochaWorkerIpc.cjs")],
          }
        : {}),
    },
  },
  typechain: { outDir: "typechain-types" },
  networks: {
    // Gas is estimated on a pending block at the wall-clock time and the transaction is mined a moment later: the
    // Black-Scholes series (its terms depend on the time to expiry) and a feed's staleness depend on block time, so
    // a transaction can need a little more gas than its estimate, under load more often. A 25 % margin on the
    // limit, on every network: a separate node estimates the same way (without it, a transaction of the demo
    // deployment on anvil, 652,958 gas used, the size of a `refreshDepth`, reverted once in CI with its limit set to
    // the exact estimate); gas used (what the benchmarks and the snapshot measure) is read from receipts.
    // (`default` is the network `network.create()` and every command use; `hardhat` is an alias of no effect here.)
    default: { type: "edr-simulated", chainType: "l1", hardfork: "osaka", gasMultiplier: 1.25 },
    // A separate local node (anvil, a Hardhat node): `npm run deploy:local`, the keeper's end-to-end tests
    // (test/e2e, which override the URL with the port of the node they start). Its signers are the node's own.
    local: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: "remote",
      gasMultiplier: 1.25,
    },
    // The fork suite's opt-in mode (test/fork): only connected to when MAINNET_RPC_URL is set.
    mainnetFork: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "osaka",
      // A FORK_BLOCK that is not a number is rejected, naming it, before anything forks
      // (scripts/lib/forkCheck.ts); here it must not break loading the configuration.
      forking: {
        url: configVariable("MAINNET_RPC_URL"),
        blockNumber: /^\d+$/.test(process.env.FORK_BLOCK?.trim() ?? "") ? Number(process.env.FORK_BLOCK) : DEFAULT_FORK_BLOCK,
      },
    },
    // A live network for the integrator's deployment (docs/INTEGRATION.md, "Deploy next to an existing engine"): its
    // URL and the deploying key are configuration variables, read only when this network is used.
    mainnet: {
      type: "http",
      chainType: "l1",
      url: configVariable("MAINNET_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
      gasMultiplier: 1.25,
    },
  },
  // hardhat-verify (part of the toolbox): `ignition deploy ... --verify` or `hardhat verify` publish the sources on
  // Etherscan (with this key), Blockscout and Sourcify.
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
});
