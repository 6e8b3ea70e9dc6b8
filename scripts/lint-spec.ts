/** `npm run lint:spec`: see `scripts/commands/lintSpec.ts` and `scripts/tools/specCheck.ts`. */
import { lintSpecCommand } from "./commands/lintSpec.js";
import { main } from "./lib/cli.js";

await main(lintSpecCommand);
