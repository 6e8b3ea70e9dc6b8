/** `npm run simulate`: see `scripts/commands/simulate.ts` (flags, help) and `scripts/lib/sim/simulateCommand.ts`. */
import { simulateCommand } from "./commands/simulate.js";
import { main } from "./lib/cli.js";

await main(simulateCommand);
