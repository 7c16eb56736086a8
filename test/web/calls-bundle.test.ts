/**
 * What the Calls section costs the pricing page: nothing but a loader. The section (table, chart, CSV client) is a
 * chunk of its own, fetched by the dashboard on demand, and what the pricing page loads stays under the 80 KB gzipped
 * budget (bench/web.ts measures it in a browser; this counts the same files, gzipped at level 9).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePagesBuilt } from './support/build-pages.ts';
import { WEB_DIST } from './support/serve-pages.ts';

const BUDGET_BYTES = 80_000;

let assets: string[];
const read = (name: string) => readFileSync(join(WEB_DIST, 'assets', name));
const named = (prefix: string) => {
  const name = assets.find((n) => n.startsWith(prefix));
  if (!name) throw new Error(`no ${prefix}* in web/dist/assets`);
  return name;
};

beforeAll(() => {
  ensurePagesBuilt();
  assets = readdirSync(join(WEB_DIST, 'assets'));
});

describe('the Calls section in the build', () => {
  it('is a chunk of its own that the entry script only imports on demand', () => {
    const section = named('calls-section-');
    const entry = read(named('index-')).toString('utf8');
    expect(readFileSync(join(WEB_DIST, 'index.html'), 'utf8')).not.toContain(section);
    expect(entry).toContain(`import("./${section}")`);
    expect(entry).not.toContain('calls-chart-title');
    expect(read(section).toString('utf8')).toContain('calls-chart-title');
  });

  it('leaves what the pricing page loads (entry script, stylesheet, supabase-js) under 80 KB gzipped', () => {
    const loaded = [named('index-'), named('style-'), named('supabase-')];
    const gzipped = loaded.reduce((n, name) => n + gzipSync(read(name), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
  });
});
