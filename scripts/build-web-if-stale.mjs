#!/usr/bin/env node
/**
 * Builds the customer pages (web/dist) only when a source is newer than the last build, so `npm start` (prestart)
 * and the browser tests stay fast when nothing changed. Sources: web/index.html, web/vite.config.ts, web/src/**,
 * web/public/**, and src/domain/** (the pages reuse the pure domain code).
 *
 * Usage: node scripts/build-web-if-stale.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['web/index.html', 'web/vite.config.ts', 'web/src', 'web/public', 'src/domain'];
const BUILT = join(root, 'web/dist/index.html');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function webBuildIsStale() {
  if (!existsSync(BUILT)) return true;
  const builtAt = statSync(BUILT).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(root, source)) > builtAt);
}

const LOCK = join(root, 'web/.build-lock');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Test files run in parallel processes and each may find the build stale: the first takes a lock (mkdir is atomic)
 * and builds; the others wait for it and then re-check instead of emptying web/dist under its feet.
 */
export function buildWebOnce() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 120_000)
        rmSync(LOCK, { recursive: true, force: true });
      else sleep(200);
      if (!existsSync(LOCK) && !webBuildIsStale()) return;
    }
  }
  try {
    if (webBuildIsStale()) buildWeb();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function buildWeb() {
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which makes the Preact preset bundle preact/debug (+20 KB); a build is a build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--force') || webBuildIsStale()) {
    console.log('Building the customer pages (web/dist)…');
    try {
      if (process.argv.includes('--force')) buildWeb();
      else buildWebOnce();
    } catch (error) {
      console.error(String(error instanceof Error ? error.message : error));
      process.exit(1);
    }
  }
}
