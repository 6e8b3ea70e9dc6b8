import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

// No solc binary can be downloaded on the machines that build Ballast, so both compilers are the
// WebAssembly builds shipped in npm packages (solcjs), loaded through the compiler `path`.
const require = createRequire(import.meta.url);
const soljson = (pkg: string): string => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "soljson.js");

/** Run counts of the Solidity property tests; docs/SPEC.md quotes these numbers. */
export const FUZZ_RUNS = 1000;
export const INVARIANT_RUNS = 64;
export const INVARIANT_DEPTH = 40;

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
    mocha: { timeout: 120_000 },
  },
  typechain: { outDir: "typechain-types" },
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1", hardfork: "osaka" },
  },
});
