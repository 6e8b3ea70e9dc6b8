/** `npm test` / `npm run test:fork`: see `scripts/commands/test.ts` and `scripts/tools/testTiers.ts`. */
import { testCommand } from "./commands/test.js";
import { main } from "./lib/cli.js";

await main(testCommand);
// Exit once the tests are done, whatever a test or Hardhat left open (a run of the whole tier with parallel
// workers otherwise stays alive after printing its results).
process.exit(process.exitCode ?? 0);
