/** `npm run calibrate`: see `scripts/commands/calibrate.ts` (flags, help) and `scripts/lib/calibrate/calibrateCommand.ts`. */
import { calibrateCommand } from "./commands/calibrate.js";
import { main } from "./lib/cli.js";

await main(calibrateCommand);
