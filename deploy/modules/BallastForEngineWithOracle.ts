import { readDeploymentFile } from "../../scripts/lib/ballast/deploymentFile.js";
import { ballastForEngine } from "../lib/ballastForEngine.js";

/**
 * Ballast next to an existing margin engine, with a new volatility oracle whose feeds the markets file configures
 * (`deploy/lib/ballastForEngine.ts` documents the parameters and the order of the calls). The markets file is read when
 * the module is built, from `BALLAST_MARKETS`:
 *
 *     BALLAST_MARKETS=deploy/integrator/mainnet.markets.json npx hardhat ignition deploy deploy/modules/BallastForEngineWithOracle.ts \
 *       --network mainnet --parameters deploy/integrator/mainnet.parameters.json
 */
const marketsFile = process.env.BALLAST_MARKETS;
if (marketsFile === undefined || marketsFile === "") {
  throw new Error("BALLAST_MARKETS must name the markets file, e.g. deploy/integrator/mainnet.markets.json");
}

export default ballastForEngine(readDeploymentFile(marketsFile), { newOracle: true });
