import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run: in CI a missing Chromium fails the suite, locally it skips with the reason. */
export function requireChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const missing = `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`[${suite}] this test needs Chromium: ${missing}`);
  console.warn(`[${suite}] skipped: ${missing}`);
  return false;
}

/** Debian's headless Chromium; playwright gives each launch a fresh profile directory of its own and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}
