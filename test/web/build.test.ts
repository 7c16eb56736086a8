/**
 * What the build ships: hashed assets, config.json preloaded, supabase-js in its own lazily loaded chunk, and no
 * development-only code (a build started from inside vitest once shipped preact/debug: +20 KB gzipped).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePagesBuilt } from './support/build-pages.ts';
import { WEB_DIST } from './support/serve-pages.ts';

let html: string;
let assets: string[];

beforeAll(() => {
  ensurePagesBuilt();
  html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  assets = readdirSync(join(WEB_DIST, 'assets'));
});

describe('the built pages', () => {
  it('load one hashed entry script and stylesheet, and preload the runtime configuration', () => {
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" crossorigin href="\/assets\/style-[\w-]+\.css">/);
    expect(html).toContain('<link rel="preload" href="/config.json" as="fetch" crossorigin="anonymous" />');
  });

  it('keep supabase-js out of the entry script, in a chunk loaded on demand', () => {
    const supabaseChunk = assets.find((name) => name.startsWith('supabase-'));
    expect(supabaseChunk).toBeDefined();
    expect(html).not.toContain(supabaseChunk!);
    const entry = readFileSync(join(WEB_DIST, 'assets', assets.find((name) => name.startsWith('index-'))!), 'utf8');
    expect(entry).toContain(supabaseChunk!);
    expect(entry).not.toContain('GoTrueClient');
  });

  it('contain no development-only code', () => {
    for (const name of assets.filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(join(WEB_DIST, 'assets', name), 'utf8');
      expect(code, name).not.toContain('__PREACT_DEVTOOLS__');
      expect(code, name).not.toContain('plugin-transform-react-jsx-source');
    }
  });
});
