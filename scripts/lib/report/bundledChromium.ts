/**
 * The Chromium that `npm ci` installs: `@sparticuz/chromium` ships a Brotli-compressed headless Chromium
 * (linux-x64) inside the npm package, with its fonts and the few shared libraries it needs. This module
 * unpacks it once per installed version into `node_modules/.cache/ballast-chromium-<version>/` and says how
 * to launch it. No apt package, no download.
 *
 * Unpacking is atomic: into a private staging folder, renamed into place when complete, so that parallel
 * test workers (or two commands at once) never start a half-written binary; the loser of a race discards
 * its copy. The package's own `executablePath()` is not used: it unpacks into the shared system temporary
 * folder without that protection, and needs its SwiftShader GL libraries, which our flags (`--disable-gpu`)
 * do not.
 *
 * The browser always uses the bundled fonts and libraries (through `FONTCONFIG_FILE` and
 * `LD_LIBRARY_PATH` of its own process only), so a report renders the same on every machine.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

import { extract } from "tar-fs";

export interface BundledChromium {
  executablePath: string;
  /** Environment of the browser process: its fonts and libraries. */
  env: Record<string, string>;
  version: string;
}

const READY = ".ready";

/** The installed `@sparticuz/chromium` package: its folder and version (undefined when not installed). */
export async function bundledPackage(): Promise<{ dir: string; version: string } | undefined> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  } catch {
    return undefined;
  }
  const dir = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as { version: string };
  return { dir, version };
}

/**
 * Unpacks the npm-shipped Chromium if needed (into `cacheRoot`, default `node_modules/.cache`) and returns how
 * to launch it.
 * @throws Error when the package is not installed or cannot be unpacked.
 */
export async function bundledChromium(options: { cacheRoot?: string } = {}): Promise<BundledChromium> {
  const pkg = await bundledPackage();
  if (pkg === undefined) throw new Error("the npm package @sparticuz/chromium is not installed (run npm ci)");
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the npm-shipped Chromium is built for linux-x64, this is ${process.platform}-${process.arch}`);
  }
  // node_modules/@sparticuz/chromium -> node_modules/.cache/ballast-chromium-<version>
  const target = path.join(options.cacheRoot ?? path.resolve(pkg.dir, "..", "..", ".cache"), `ballast-chromium-${pkg.version}`);
  if (!existsSync(path.join(target, READY))) await unpack(path.join(pkg.dir, "bin"), target);
  return {
    executablePath: path.join(target, "chromium"),
    env: { FONTCONFIG_FILE: path.join(target, "fonts.conf"), LD_LIBRARY_PATH: path.join(target, "lib") },
    version: pkg.version,
  };
}

async function unpack(bin: string, target: string): Promise<void> {
  // Random: two unpacks of one process in the same millisecond must not share a staging folder.
  const staging = `${target}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await Promise.all([
      pipeline(
        createReadStream(path.join(bin, "chromium.br")),
        createBrotliDecompress(),
        createWriteStream(path.join(staging, "chromium"), { mode: 0o755 }),
      ),
      // fonts/ (Open Sans) and lib/ (NSS, expat), as the package lays them out for Amazon Linux.
      pipeline(createReadStream(path.join(bin, "fonts.tar.br")), createBrotliDecompress(), extract(staging)),
      pipeline(createReadStream(path.join(bin, "al2023.tar.br")), createBrotliDecompress(), extract(staging)),
    ]);
    // The package's fonts.conf names Lambda's folders; this one names ours.
    await writeFile(
      path.join(staging, "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(target, "fonts")}</dir>\n  <cachedir>${path.join(target, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(path.join(staging, READY), "");
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process unpacked it first: use theirs.
    if (existsSync(path.join(target, READY))) return;
    throw error;
  }
}
