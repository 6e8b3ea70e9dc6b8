/** `npm pack` / `npm publish` postpack step: puts the repository's own `package.json` back (see `prepack.ts`). */
import { restoreManifest } from "./package.js";

await restoreManifest();
