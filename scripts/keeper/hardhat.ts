/**
 * `npx hardhat run scripts/keeper/hardhat.ts --network <name>`
 *
 * The keeper as a Hardhat script: the RPC is the network's, and the signer is the network's first account,
 * which Hardhat resolves from its encrypted keystore when the network is configured with
 * `accounts: [configVariable("KEEPER_PRIVATE_KEY")]` (store the key with
 * `npx hardhat keystore set KEEPER_PRIVATE_KEY`). The key never passes through the keeper's configuration.
 * Configuration comes from `KEEPER_*` variables and the file named by `KEEPER_CONFIG` (Hardhat passes no
 * flags to scripts); `KEEPER_RPC` and `KEEPER_PRIVATE_KEY` are ignored. Same exit codes and signals as
 * `npm run keeper` (docs/KEEPER.md).
 */
import { network } from "hardhat";

import { runCli } from "../lib/cli.js";
import { loadConfig, usage } from "./config.js";
import { ConfigError } from "./errors.js";
import { startKeeper, stopOnSignals } from "./keeper.js";
import { createLogger } from "./logger.js";

await runCli(
  async () => {
    const { config } = loadConfig({ argv: [], env: process.env, standalone: false });
    const logger = createLogger({ level: config.logLevel });
    const connection = await network.connect();
    const signers = await connection.ethers.getSigners();
    if (signers.length === 0 && !config.dryRun) {
      throw new ConfigError([
        `network ${connection.networkName} has no account: configure accounts: [configVariable("KEEPER_PRIVATE_KEY")] for it in hardhat.config.ts and store the key with npx hardhat keystore set KEEPER_PRIVATE_KEY (or set KEEPER_DRY_RUN=true)`,
      ]);
    }
    const keeper = await startKeeper(config, {
      provider: connection.ethers.provider,
      ...(signers[0] === undefined ? {} : { signer: signers[0] }),
      logger,
      defaultMetrics: true,
    });
    const onSignal = stopOnSignals(keeper, logger);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    await keeper.done;
    await connection.close();
  },
  usage().replace(
    "usage: npm run keeper -- --rpc <url> --module <address> --lens <address> [--config keeper.json] [options]",
    "usage: KEEPER_MODULE=<address> KEEPER_LENS=<address> [KEEPER_CONFIG=keeper.json] npx hardhat run scripts/keeper/hardhat.ts --network <name>",
  ),
);
