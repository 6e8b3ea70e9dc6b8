/** `npm run scenario`: see `scripts/commands/scenario.ts` (flags, help) and `scripts/lib/scenarios/`. */
import { scenarioCommand } from "./commands/scenario.js";
import { main } from "./lib/cli.js";

await main(scenarioCommand);
