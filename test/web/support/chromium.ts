/**
 * Debian's Chromium for playwright-core (never a downloaded browser): `CHROMIUM_PATH`, default /usr/bin/chromium.
 * No vitest import here, so bench/web.ts can use it too.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumFound = existsSync(CHROMIUM_PATH);

/** Flags for a quiet, reproducible headless run in containers (no GPU, no sandbox, no background traffic). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** playwright's launch() gives every browser a fresh temporary user-data dir and deletes it on close. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
