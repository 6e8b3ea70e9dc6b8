/**
 * `npm pack` / `npm publish` prepack step: generates `abi/` and `dist/` (see `package.ts`), then writes the manifest the
 * tarball ships (`packedManifest`): this repository's `package.json` declares the keeper's runtime packages as
 * `dependencies` (what `npm ci --omit=dev` installs for the keeper service), which the Solidity package does not need.
 * The repository's own manifest is kept beside it and put back by the postpack step (`postpack.ts`), or by the next
 * prepack if a pack was interrupted.
 */
import { buildPackage, packManifest } from "./package.js";

const { abis, deployables } = await buildPackage();
const removed = await packManifest();
process.stderr.write(
  `prepack: abi/ and dist/ hold ${abis} ABIs (${deployables} deployable, with bytecode); the packed manifest omits ${removed.join(", ")}\n`,
);
