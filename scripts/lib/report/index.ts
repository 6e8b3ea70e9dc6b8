/** The simulation report: HTML rendering, writing, and screenshots in headless Chromium. */
export * from "./types.js";
export { renderReport, writeReport } from "./render.js";
export { loadReport, screenshotReport } from "./screenshot.js";
export { BrowserUnavailableError, chromiumSource, launchChromium } from "./browser.js";
