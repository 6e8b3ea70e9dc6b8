/**
 * The body of `npm run deploy:local` (flags and help: `scripts/commands/deployLocal.ts`), also used by the
 * keeper's end-to-end tests (`test/e2e/helpers/local.ts`).
 *
 * Deploys the demo system (the mainnet replica: real Uniswap V3 pool and Chainlink proxy bytecode at their
 * mainnet addresses; Ballast, the reference engine and the lens through the project's Ignition module) on a
 * separate local node (anvil, a Hardhat node) through the `local` network of hardhat.config.ts, and returns
 * the addresses a keeper needs:
 * `{"chainId", "rpc", "module", "lens", "engine", "volatilityOracle", "ethUsdFeed", "usdcUsdFeed", "pool", "deploymentId", "block"}`.
 *
 * Ignition keeps a record per deployment under `deploy/deployments/<deploymentId>` (git-ignored). The id is
 * `local-<chain id>-<first bytes of the genesis hash>`: a restarted dev node (a new genesis) gets a fresh
 * deployment instead of failing on the old record, and running the command twice against the same node
 * finds its record and deploys nothing new.
 */
import hre from "hardhat";

import { type Connection, deploySystem } from "./system.js";

/** Ignition's deployment id for the node behind `connection`: one per node instance (chain id and genesis). */
export async function localDeploymentId(connection: Connection): Promise<string> {
  const { ethers } = connection;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const genesis = await ethers.provider.getBlock(0);
  if (genesis?.hash == null) throw new Error("the node has no genesis block");
  return `local-${chainId}-${genesis.hash.slice(2, 10)}`;
}

/** A connection to the local node at `rpc` (the `local` network of hardhat.config.ts, its URL overridden). */
export function connectLocal(rpc: string): Promise<Connection> {
  return hre.network.create({ network: "local", override: { url: rpc } });
}

/** Deploys the system on the node at `rpc` and returns what a keeper needs. */
export async function deployLocal(rpc: string) {
  const connection = await connectLocal(rpc);
  try {
    const { ethers } = connection;
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const deploymentId = await localDeploymentId(connection);
    const system = await deploySystem(connection, { deploymentId });
    return {
      chainId: Number(chainId),
      rpc,
      module: await system.ballast.riskModule.getAddress(),
      lens: await system.ballast.riskLens.getAddress(),
      engine: await system.ballast.engine.getAddress(),
      volatilityOracle: await system.ballast.volatilityOracle.getAddress(),
      ethUsdFeed: system.feeds.eth.address,
      usdcUsdFeed: system.feeds.usdc.address,
      pool: await system.pool.getAddress(),
      deploymentId,
      block: await ethers.provider.getBlockNumber(),
    };
  } finally {
    await connection.close();
  }
}
