/** `npm run bench:crashes`: see `scripts/commands/benchCrashes.ts` and `crashesBench.ts`. */
import { benchCrashesCommand } from "../commands/benchCrashes.js";
import { main } from "../lib/cli.js";

await main(benchCrashesCommand);
