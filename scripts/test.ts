/** `npm test` / `npm run test:fork`: see `scripts/commands/test.ts` and `scripts/tools/testTiers.ts`. */
import { testCommand } from "./commands/test.js";
import { main } from "./lib/cli.js";

await main(testCommand);
