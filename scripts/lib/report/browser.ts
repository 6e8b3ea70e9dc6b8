import { accessSync, constants, statSync } from "node:fs";

import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags for headless Chromium on build machines: no sandbox (root in containers), no GPU, and none of the
 * background network traffic (updates, sync, QUIC probes) that a closed network makes it hang on.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const INSTALL_HINT =
  "install Debian's chromium package (apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium executable";

/** Chromium is missing or does not start. Never skipped silently: the tests fail with it; `npm run demo` says so and writes the report without its picture. */
export class BrowserUnavailableError extends Error {
  override readonly name = "BrowserUnavailableError";
}

/** The Chromium executable: `CHROMIUM_PATH` when set (and not blank), else `/usr/bin/chromium`. */
export function chromiumExecutablePath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHROMIUM_PATH?.trim();
  return fromEnv === undefined || fromEnv === "" ? DEFAULT_CHROMIUM_PATH : fromEnv;
}

/**
 * Launches headless Chromium through playwright-core (no browser download: the system's Chromium).
 * @throws BrowserUnavailableError naming the path and how to install Chromium, if it is missing or fails to start.
 */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = chromiumExecutablePath(env);
  const source = env.CHROMIUM_PATH?.trim() ? "from CHROMIUM_PATH" : "the default";
  try {
    if (!statSync(executablePath).isFile()) throw new Error("a directory or device");
    accessSync(executablePath, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "not found" : `not an executable file (${code ?? (error as Error).message})`;
    throw new BrowserUnavailableError(`Chromium ${reason} at ${executablePath} (${source}): ${INSTALL_HINT}`);
  }
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: 60_000 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new BrowserUnavailableError(`cannot launch Chromium at ${executablePath} (${source}): ${message}; ${INSTALL_HINT}`);
  }
}
