/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). `CHROMIUM_PATH` overrides the default
 * /usr/bin/chromium. Suites use `describeWithBrowser`: without Chromium they are skipped with a message, except
 * with CI=true, where a missing browser fails the run (docs/conventions.md#tests).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { CHROMIUM_PATH, chromiumFound, launchChromium } from './chromium.ts';

export { CHROMIUM_PATH, chromiumFound, launchChromium };

const inCi = process.env.CI === 'true';
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'web');

export function describeWithBrowser(name: string, body: (browser: () => Browser) => void): void {
  if (!chromiumFound && !inCi) {
    console.warn(
      `[test/web] Skipping "${name}": no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  describe.skipIf(!chromiumFound && !inCi)(name, () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      if (!chromiumFound)
        throw new Error(`CI=true and no Chromium at ${CHROMIUM_PATH}: browser tests may not be skipped in CI.`);
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    body(() => {
      if (!browser) throw new Error('browser not launched');
      return browser;
    });
  });
}

/** A full-page screenshot in test-artifacts/web/<name>.png (gitignored), to look at after the run. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** No horizontal scrolling at the current viewport width. */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
