/** `npm run vol`: see `scripts/commands/vol.ts` (flags, help) and `scripts/lib/volReplay.ts`. */
import { volCommand } from "./commands/vol.js";
import { main } from "./lib/cli.js";

await main(volCommand);
