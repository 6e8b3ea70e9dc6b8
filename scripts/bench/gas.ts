/** `npm run bench:gas [-- --update-snapshot]`: see `scripts/commands/benchGas.ts` and `gasReport.ts`. */
import { benchGasCommand } from "../commands/benchGas.js";
import { main } from "../lib/cli.js";

await main(benchGasCommand);
