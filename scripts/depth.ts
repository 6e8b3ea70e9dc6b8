/** `npm run depth`: see `scripts/commands/depth.ts` (flags, help) and `scripts/lib/depthCommand.ts`. */
import { depthCommand } from "./commands/depth.js";
import { main } from "./lib/cli.js";

await main(depthCommand);
