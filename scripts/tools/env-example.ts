/**
 * `npm run build:env-example`: writes `.env.example`, every `KEEPER_*` variable with its help and default,
 * from the keeper's configuration table (`scripts/keeper/config.ts`). `test/unit/keeper/config.test.ts`
 * fails when the committed file differs.
 */
import { writeFile } from "node:fs/promises";

import { envExample } from "../keeper/config.js";

await writeFile(".env.example", envExample());
process.stdout.write("wrote .env.example\n");
