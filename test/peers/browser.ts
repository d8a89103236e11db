import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium package; playwright-core drives it (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';

let warned = false;

/**
 * Whether a real browser is installed. Missing in CI (the CI env var set) is an error: the suite must
 * not pass by skipping. Missing elsewhere prints one loud warning and lets
 * `describe.skipIf(!browserAvailable())` skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: install the Debian chromium package`);
  if (!warned) {
    warned = true;
    console.warn(
      `\n*** ${CHROMIUM} not found: the real-browser tests are SKIPPED. ` +
        'Install chromium (apt-get install chromium) to run them. ***\n',
    );
  }
  return false;
}

/**
 * A headless Chromium. `--no-sandbox`: test containers run as root, where Chromium's sandbox refuses
 * to start; the pages it loads are our own.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}
