import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { DEFAULT_FORK_BLOCK } from "./scripts/lib/forkCheck.js";

// No solc binary can be downloaded on the machines that build Ballast, so both compilers are the
// WebAssembly builds shipped in npm packages (solcjs), loaded through the compiler `path`.
const require = createRequire(import.meta.url);
const soljson = (pkg: string): string => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "soljson.js");

/** Run counts of the Solidity property tests; docs/SPEC.md quotes these numbers. */
export const FUZZ_RUNS = 1000;
export const INVARIANT_RUNS = 64;
export const INVARIANT_DEPTH = 40;

/**
 * The block the opt-in mainnet fork starts at (override with FORK_BLOCK): pinned so that runs are
 * reproducible and an RPC provider's fork cache can serve them.
 */
export { DEFAULT_FORK_BLOCK };

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    compilers: [
      {
        version: "0.8.37",
        path: soljson("solc"),
        settings: {
          evmVersion: "osaka",
          optimizer: { enabled: true, runs: 200 },
          viaIR: true,
        },
      },
      {
        // Chainlink's EACAggregatorProxy, the proxy mainnet feeds run, is pinned to 0.6.6.
        version: "0.6.6",
        path: soljson("solc-0.6.6"),
        settings: { optimizer: { enabled: true, runs: 200 } },
      },
    ],
    npmFilesToBuild: ["@chainlink/contracts/src/v0.6/EACAggregatorProxy.sol"],
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
    ignition: "deploy",
  },
  test: {
    solidity: {
      fuzz: { runs: FUZZ_RUNS, seed: "0xba11a57" },
      invariant: { runs: INVARIANT_RUNS, depth: INVARIANT_DEPTH, failOnRevert: false },
    },
    mocha: {
      timeout: 120_000,
      // Spec output, then the slowest tests and hooks of the run.
      reporter: path.join(import.meta.dirname, "scripts/tools/slowestReporter.cjs"),
      // `npm test` sets BALLAST_TEST_JOBS (scripts/commands/test.ts): mocha runs files in that many workers.
      ...(Number(process.env.BALLAST_TEST_JOBS ?? 1) > 1 ? { parallel: true, jobs: Number(process.env.BALLAST_TEST_JOBS) } : {}),
    },
  },
  typechain: { outDir: "typechain-types" },
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1", hardfork: "osaka" },
    // A separate local node (anvil, a Hardhat node): `npm run deploy:local`, the keeper's end-to-end tests
    // (test/e2e, which override the URL with the port of the node they start). Its signers are the node's own.
    local: { type: "http", chainType: "l1", url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545", accounts: "remote" },
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
  },
});
