import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPagesHandler, resolveInside } from '../../src/http/static-pages.ts';

const runtimeConfig = {
  functionsUrl: 'http://127.0.0.1:54321/functions/v1',
  supabaseUrl: 'http://127.0.0.1:54321',
  supabaseAnonKey: 'anon-key',
};
let dist: string;
let outside: string;
let pages: ReturnType<typeof createPagesHandler>;
const get = (path: string, method = 'GET') => pages(new Request(`http://127.0.0.1:54321${path}`, { method }));

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'pages-'));
  dist = join(base, 'dist');
  outside = join(base, 'secret.txt');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>AiSyst</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'style-abc123.css'), 'body{}');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(outside, 'do not serve');
  pages = createPagesHandler({ distDir: dist, runtimeConfig });
});
afterAll(() => rmSync(join(dist, '..'), { recursive: true, force: true }));

describe('the pages handler of the local stack', () => {
  it('answers every app route with index.html, revalidated on each visit', async () => {
    for (const path of [
      '/',
      '/pricing',
      '/dashboard',
      '/signin',
      '/signup',
      '/onboarding',
      '/pricing/',
      '/dashboard?payment=success',
    ]) {
      const res = (await get(path))!;
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>AiSyst</title>');
    }
  });

  it('serves the runtime configuration the build reads at start-up, never cached', async () => {
    const res = (await get('/config.json'))!;
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual(runtimeConfig);
  });

  it('serves hashed assets as immutable with their content type, other files briefly cached', async () => {
    const js = (await get('/assets/index-abc123.js'))!;
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await get('/assets/style-abc123.css'))!.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const icon = (await get('/favicon.svg'))!;
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=300');
    expect(icon.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers HEAD with headers and no body', async () => {
    const res = (await get('/pricing', 'HEAD'))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('<!doctype html><title>AiSyst</title>'.length));
    expect(await res.text()).toBe('');
  });

  it('leaves the functions, auth, health, other methods and unknown files to the app', async () => {
    for (const path of ['/functions/v1/plans', '/auth/v1/token', '/health', '/assets/missing.js', '/nope', '/assets']) {
      expect(await get(path), path).toBeUndefined();
    }
    expect(await get('/pricing', 'POST')).toBeUndefined();
  });

  it('never serves a file outside the build directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%5c..%5csecret.txt',
      '/assets/%00.js',
      '/%E0%A4%A',
    ]) {
      expect(await get(path), path).toBeUndefined();
    }
    expect(resolveInside(dist, '/..%2fsecret.txt')).toBeUndefined();
    expect(resolveInside(dist, '/.env')).toBeUndefined();
    expect(resolveInside(dist, '/assets/index-abc123.js')).toBe(join(dist, 'assets', 'index-abc123.js'));
  });

  it('says how to build the pages when web/dist is missing', async () => {
    const unbuilt = createPagesHandler({ distDir: join(dist, 'does-not-exist'), runtimeConfig });
    const res = (await unbuilt(new Request('http://127.0.0.1/pricing')))!;
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
  });
});
