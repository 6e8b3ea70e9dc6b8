import path from "node:path";
import { pathToFileURL } from "node:url";

import type { Page } from "playwright-core";

import { writeFileAtomic } from "../files.js";
import { launchChromium } from "./browser.js";

/** Viewport of report screenshots; the height grows to the full page. */
export const SCREENSHOT_VIEWPORT = { width: 1280, height: 900 } as const;

/**
 * Opens a report file in `page` and waits until its script says every chart is drawn
 * (`<html data-report-state="ready">`).
 * @throws if the page reports chart errors, or is not ready within `timeoutMs`.
 */
export async function loadReport(page: Page, htmlFile: string, timeoutMs = 15_000): Promise<void> {
  await page.goto(pathToFileURL(path.resolve(htmlFile)).href, { waitUntil: "load", timeout: timeoutMs });
  // A selector, not a predicate function: waiting must not need eval, which the report's CSP forbids.
  try {
    await page.waitForSelector('html[data-report-state]:not([data-report-state="loading"])', { state: "attached", timeout: timeoutMs });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new Error(`report ${htmlFile} did not finish drawing its charts: ${reason}`);
  }
  const state = await page.getAttribute("html", "data-report-state");
  if (state !== "ready") {
    const errors = await page.locator("#report-errors li").allTextContents();
    throw new Error(`report ${htmlFile} failed to draw: ${errors.join("; ") || state}`);
  }
}

/**
 * Opens an HTML report in headless Chromium, waits for its charts, and writes a full-page PNG (atomically,
 * through the tools' one file writer).
 * @throws BrowserUnavailableError if Chromium is missing or does not start; an Error if the report fails to draw.
 */
export async function screenshotReport(htmlFile: string, pngFile: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: SCREENSHOT_VIEWPORT });
    await loadReport(page, htmlFile);
    const png = await page.screenshot({ fullPage: true, type: "png" });
    await writeFileAtomic(pngFile, png);
  } finally {
    await browser.close();
  }
}
