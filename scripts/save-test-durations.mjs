#!/usr/bin/env node
// `npm run test:durations`: copies each test file's duration from vitest's cache of the last run
// (node_modules/.vite/vitest/*/results.json) into test/config/file-durations.json, which orders a clean clone's
// run longest first (test/config/longest-first-sequencer.ts). Run it after a full `npm test`.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const cacheDir = join(root, 'node_modules/.vite/vitest');
const caches = existsSync(cacheDir)
  ? readdirSync(cacheDir)
      .map((d) => join(cacheDir, d, 'results.json'))
      .filter((f) => existsSync(f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  : [];
if (caches.length === 0) {
  console.error('test:durations: no vitest results cached yet; run npm test first');
  process.exit(1);
}
const { results } = JSON.parse(readFileSync(caches[0], 'utf8'));
const durations = {};
for (const [key, { duration }] of results) {
  const path = key.slice(key.indexOf(':') + 1);
  if (existsSync(join(root, path)) && duration > 0) durations[path] = Math.round(duration / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(join(root, 'test/config/file-durations.json'), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`test:durations: ${Object.keys(sorted).length} files written to test/config/file-durations.json`);
