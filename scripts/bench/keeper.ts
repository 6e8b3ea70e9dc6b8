/** `npm run bench:keeper`: see `scripts/commands/benchKeeper.ts` (flags, help) and `keeperBench.ts`. */
import { benchKeeperCommand } from "../commands/benchKeeper.js";
import { main } from "../lib/cli.js";

await main(benchKeeperCommand);
