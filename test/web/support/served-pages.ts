/**
 * The built pages served locally for one browser test file, and browser contexts for its tests: every context a
 * test opened is closed after it.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensurePagesBuilt } from './build-pages.ts';
import { servePages } from './serve-pages.ts';

export function servedPages() {
  let site: Awaited<ReturnType<typeof servePages>> | undefined;
  const open = new Set<BrowserContext>();
  beforeAll(async () => {
    ensurePagesBuilt();
    site = await servePages();
  });
  afterAll(async () => site?.close());
  afterEach(async () => {
    await Promise.all([...open].map((c) => c.close()));
    open.clear();
  });
  return {
    get url(): string {
      if (!site) throw new Error('the pages are served from beforeAll on');
      return site.url;
    },
    async newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-IE', ...options });
      open.add(context);
      return context;
    },
  };
}
