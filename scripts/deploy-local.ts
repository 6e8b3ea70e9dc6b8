/** `npm run deploy:local`: see `scripts/commands/deployLocal.ts` (flags, help) and `scripts/lib/deployLocal.ts`. */
import { deployLocalCommand } from "./commands/deployLocal.js";
import { main } from "./lib/cli.js";

await main(deployLocalCommand);
