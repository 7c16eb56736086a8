/**
 * Customer pages: what the pricing page costs a visitor. (1) The JS + CSS bytes the pricing page loads, gzipped with
 * zlib (level 9, what a static host's gzip serves at most; browsers also get brotli from most CDNs, smaller still).
 * (2) Time from navigation start until the three plan cards are in the DOM, in headless Chromium against the local
 * stack (median of several loads, each in a fresh browser context = cold cache; plus warm reloads), beside a
 * blank page served by a bare node:http server in the same run as the machine's baseline. Aims: < 80 KB, < 500 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { buildWebOnce, webBuildIsStale } from '../scripts/build-web-if-stale.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/parse-config.ts';
import { startLocalStack } from '../src/entries/node/local-stack.ts';
import { memoryLogger } from '../src/ports/logger.ts';
import { chromiumFound, CHROMIUM_PATH, launchChromium } from '../test/web/support/chromium.ts';
import type { Figure } from './run.ts';

const LOADS = 7;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Records, in the page's own clock (ms since navigation start), when the third plan card appears. */
const WATCH_CARDS = `
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('article.plan-card').length >= 3) {
      window.__cardsVisibleAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

async function cardsVisibleMs(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __cardsVisibleAt?: number }).__cardsVisibleAt !== undefined);
  return page.evaluate(() => (window as unknown as { __cardsVisibleAt: number }).__cardsVisibleAt);
}

async function blankPageMs(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    return await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
    );
  } finally {
    await context.close();
  }
}

export async function benchWeb(): Promise<Figure[]> {
  if (webBuildIsStale()) buildWebOnce();
  if (!chromiumFound) throw new Error(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  const blank = createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>blank</title><p>blank</p>'),
  );
  await new Promise<void>((resolve) => blank.listen(0, '127.0.0.1', resolve));
  const blankUrl = `http://127.0.0.1:${(blank.address() as AddressInfo).port}/`;
  // The local stack as `npm start` runs it, on free ports with a throw-away PGlite directory.
  const dataDir = await mkdtemp(join(tmpdir(), 'aisyst-bench-web-'));
  const stack = await startLocalStack(
    parseConfig({ PORT: '0', STRIPE_EMULATOR_PORT: '0', PGLITE_DIR: join(dataDir, 'pglite') }),
    {
      logger: memoryLogger(),
      stateDir: dataDir,
      deliverer: false,
    },
  );
  const browser = await launchChromium();
  try {
    const pricingUrl = `${stack.url}/pricing`;
    // Bytes: every script and stylesheet the pricing page actually loads, as the browser received them.
    const context = await browser.newContext();
    const page = await context.newPage();
    const assets: Array<{ url: string; body: Promise<Buffer> }> = [];
    const collect = (response: Response) => {
      const type = response.request().resourceType();
      if (type === 'script' || type === 'stylesheet') assets.push({ url: response.url(), body: response.body() });
    };
    page.on('response', collect);
    await context.addInitScript(WATCH_CARDS);
    await cardsVisibleMs(page, pricingUrl);
    // Wait for the lazily loaded supabase-js chunk too: it is part of what the page costs.
    await page.waitForLoadState('networkidle');
    const bodies = await Promise.all(assets.map(async (a) => ({ url: a.url, body: await a.body })));
    page.off('response', collect);
    const gzipped = (list: typeof bodies) =>
      list.reduce((sum, b) => sum + gzipSync(b.body, { level: 9 }).byteLength, 0);
    const rawBytes = bodies.reduce((sum, b) => sum + b.body.byteLength, 0);
    const gzipBytes = gzipped(bodies);
    // What the cards wait for: everything but the lazily loaded supabase-js chunk (web/src/supabase.ts).
    const criticalGzipBytes = gzipped(bodies.filter((b) => !/\/assets\/supabase-/.test(b.url)));

    // Warm: reloads in the same context, hashed assets from the HTTP cache (immutable).
    const warm: number[] = [];
    for (let i = 0; i < LOADS; i++) warm.push(await cardsVisibleMs(page, pricingUrl));
    await context.close();

    const cold: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      baseline.push(await blankPageMs(browser, blankUrl));
      const fresh = await browser.newContext();
      await fresh.addInitScript(WATCH_CARDS);
      cold.push(await cardsVisibleMs(await fresh.newPage(), pricingUrl));
      await fresh.close();
    }
    const coldMedian = median(cold);
    const blankMedian = median(baseline);
    return [
      { name: 'pricing page JS+CSS (gzip -9)', value: gzipBytes / 1024, unit: 'KiB' },
      { name: 'pricing page JS+CSS (raw)', value: rawBytes / 1024, unit: 'KiB' },
      { name: '… of which before the cards (gzip -9)', value: criticalGzipBytes / 1024, unit: 'KiB' },
      { name: `plan cards visible, cold cache (median of ${LOADS})`, value: coldMedian, unit: 'ms' },
      { name: `plan cards visible, warm cache (median of ${LOADS})`, value: median(warm), unit: 'ms' },
      { name: `blank page DOMContentLoaded (baseline, median of ${LOADS})`, value: blankMedian, unit: 'ms' },
      { name: 'cards visible (cold) ÷ blank page', value: coldMedian / Math.max(blankMedian, 0.1), unit: '×' },
    ];
  } finally {
    await browser.close();
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
    await new Promise<void>((resolve) => blank.close(() => resolve()));
  }
}
