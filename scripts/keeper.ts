/**
 * `npm run keeper -- --rpc <url> --module <address> --lens <address> [--config keeper.json] [options]`
 *
 * Runs Ballast's keeper until SIGINT or SIGTERM: follows every account of the engine, pokes the volatility
 * oracle on new rounds, and deleverages positions over their cap. The signer's key comes only from
 * `KEEPER_PRIVATE_KEY`. Exit codes: 0 after a clean shutdown, 2 for a bad configuration, 1 for anything
 * else (a checkpoint that cannot be used, a wrong chain or contract, a fatal runtime error). See
 * docs/KEEPER.md.
 *
 * `--version` and the error style (`error: ...`) are the command layer's (`runCli`), imported from
 * `lib/cli/run.js` rather than `lib/cli.js`: the runtime build (dist/keeper, installed with
 * `npm ci --omit=dev`) must not load anything that needs a devDependency.
 */
import { runCli } from "./lib/cli/run.js";
import { loadConfig, usage } from "./keeper/config.js";
import { startKeeper, stopOnSignals, watchParent } from "./keeper/keeper.js";
import { createLogger } from "./keeper/logger.js";

await runCli(
  async () => {
    const { config, privateKey, help } = loadConfig({ argv: process.argv.slice(2), env: process.env });
    if (help) {
      process.stdout.write(`${usage()}\n`);
      return;
    }
    const logger = createLogger({ level: config.logLevel, secrets: [privateKey] });
    const keeper = await startKeeper(config, { ...(privateKey === undefined ? {} : { privateKey }), logger, defaultMetrics: true });
    const onSignal = stopOnSignals(keeper, logger);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // Under `npm run keeper`, a wrapper between npm and the keeper (a shell) may die of a signal without
    // passing it on: when the parent goes away, stop as if told to (never left running orphaned).
    const watchdog = process.env.npm_lifecycle_event === undefined ? undefined : watchParent(() => onSignal("SIGTERM"));
    await keeper.done.finally(() => clearInterval(watchdog));
  },
  usage(),
  { name: "keeper" },
);
