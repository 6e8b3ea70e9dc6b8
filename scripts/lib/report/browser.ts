import { accessSync, constants, statSync } from "node:fs";

import { type Browser, chromium } from "playwright-core";

import { bundledChromium } from "./bundledChromium.js";

/**
 * Flags for headless Chromium on build machines: no sandbox (root in containers), no GPU (software
 * rendering; no GL libraries needed), and none of the background network traffic (updates, sync, QUIC
 * probes) that a closed network makes it hang on.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const INSTALL_HINT =
  "the browser comes with npm ci (the @sparticuz/chromium package, linux-x64); elsewhere set CHROMIUM_PATH to a Chromium executable";

/** Chromium is missing or does not start. Never skipped silently: the tests fail with it; `npm run demo` says so and writes the report without its picture. */
export class BrowserUnavailableError extends Error {
  override readonly name = "BrowserUnavailableError";
}

/** Which Chromium a launch uses: `CHROMIUM_PATH` when set (and not blank), else the one `npm ci` installed. */
export type ChromiumSource = { kind: "env"; executablePath: string } | { kind: "bundled" };

export function chromiumSource(env: NodeJS.ProcessEnv = process.env): ChromiumSource {
  const fromEnv = env.CHROMIUM_PATH?.trim();
  return fromEnv === undefined || fromEnv === "" ? { kind: "bundled" } : { kind: "env", executablePath: fromEnv };
}

/** The executable and the environment of the browser process. */
async function resolveChromium(env: NodeJS.ProcessEnv): Promise<{ executablePath: string; env: NodeJS.ProcessEnv; label: string }> {
  const source = chromiumSource(env);
  if (source.kind === "env") {
    const { executablePath } = source;
    try {
      if (!statSync(executablePath).isFile()) throw new Error("a directory or device");
      accessSync(executablePath, constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "not found" : `not an executable file (${code ?? (error as Error).message})`;
      throw new BrowserUnavailableError(`Chromium ${reason} at ${executablePath} (from CHROMIUM_PATH): ${INSTALL_HINT}`);
    }
    return { executablePath, env, label: `${executablePath} (from CHROMIUM_PATH)` };
  }
  try {
    const bundled = await bundledChromium();
    return {
      executablePath: bundled.executablePath,
      env: { ...env, ...bundled.env },
      label: `the npm-shipped Chromium (@sparticuz/chromium ${bundled.version})`,
    };
  } catch (error) {
    throw new BrowserUnavailableError(`the npm-shipped Chromium is unavailable: ${(error as Error).message}; ${INSTALL_HINT}`);
  }
}

/**
 * Launches headless Chromium through playwright-core: `CHROMIUM_PATH` when set, else the Chromium that
 * `npm ci` installed (no apt package, no browser download).
 * @throws BrowserUnavailableError naming the executable and what to do, if it is missing or fails to start.
 */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const chosen = await resolveChromium(env);
  try {
    return await chromium.launch({
      executablePath: chosen.executablePath,
      args: [...CHROMIUM_ARGS],
      env: Object.fromEntries(Object.entries(chosen.env).filter((e): e is [string, string] => e[1] !== undefined)),
      timeout: 60_000,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new BrowserUnavailableError(`cannot launch ${chosen.label}: ${message}; ${INSTALL_HINT}`);
  }
}
