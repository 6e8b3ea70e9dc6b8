/** `npm pack` / `npm publish` prepack step: generates `abi/` and `dist/` (see `package.ts`). */
import { buildPackage } from "./package.js";

const { abis, deployables } = await buildPackage();
process.stderr.write(`prepack: abi/ and dist/ hold ${abis} ABIs (${deployables} deployable, with bytecode)\n`);
