/** `npm run demo`: see `scripts/commands/demo.ts` (flags, help) and `scripts/lib/sim/demo.ts`. */
import { demoCommand } from "./commands/demo.js";
import { main } from "./lib/cli.js";

await main(demoCommand);
