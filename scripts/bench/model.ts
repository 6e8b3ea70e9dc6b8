/** `npm run bench:model`: see `scripts/commands/benchModel.ts` and `modelBench.ts`. */
import { benchModelCommand } from "../commands/benchModel.js";
import { main } from "../lib/cli.js";

await main(benchModelCommand);
