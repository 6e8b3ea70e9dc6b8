/** `npm run bench:parity`: see `scripts/commands/benchParity.ts` and `parityBench.ts`. */
import { benchParityCommand } from "../commands/benchParity.js";
import { main } from "../lib/cli.js";

await main(benchParityCommand);
