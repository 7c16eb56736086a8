/**
 * The file a new emulator thread starts from. A worker thread starts without the parent's TypeScript loader, so
 * `boot.mjs` registers tsx there and imports `entry.ts`: every one of the emulator's modules then goes through
 * loader hooks that Node runs on yet another thread, about 0.9 s of CPU per start. Instead the entry and the
 * emulator's sources are bundled once into one JavaScript file (esbuild, which tsx already depends on), named by
 * the hash of those sources, and every later thread starts from it in about a fifth of that.
 *
 * The bundle lives in the package's node_modules/.cache/, so that `stripe` resolves from it as from the sources. If
 * it cannot be built (no esbuild, a read-only tree), threads start through tsx as before.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SOURCES = fileURLToPath(new URL('../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/aisyst-stripe-emulator/', import.meta.url));

export type ThreadEntry =
  | { kind: 'bundle'; url: URL }
  /** `boot.mjs` with the TypeScript entry it imports through tsx. */
  | { kind: 'tsx'; url: URL; entry: string };

let entry: Promise<ThreadEntry> | undefined;

export function threadEntry(): Promise<ThreadEntry> {
  entry ??= bundledEntry().catch(() => tsxEntry());
  return entry;
}

/** The way every thread started before the bundle, and still the fallback. */
export function tsxEntry(): ThreadEntry {
  return { kind: 'tsx', url: new URL('./boot.mjs', import.meta.url), entry: pathToFileURL(ENTRY).href };
}

async function bundledEntry(): Promise<ThreadEntry> {
  const file = join(CACHE, `thread-${sourcesHash()}.mjs`);
  if (!exists(file)) {
    const { build } = await import('esbuild');
    mkdirSync(CACHE, { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    await build({
      entryPoints: [ENTRY],
      outfile: partial,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external', // stripe and node: built-ins load as they do for the sources
      logLevel: 'silent',
    });
    renameSync(partial, file); // atomic: a parallel process reads the whole file or none
    removeOlderBundles(file);
  }
  return { kind: 'bundle', url: pathToFileURL(file) };
}

/** Every TypeScript source of the emulator (and the hash covers their paths, so a rename counts). */
function sourcesHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(path.slice(SOURCES.length)).update(readFileSync(path));
    }
  };
  walk(SOURCES);
  return hash.digest('hex').slice(0, 16);
}

function exists(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

/** Bundles of earlier sources, once nobody can still be starting a thread from them. */
function removeOlderBundles(current: string): void {
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (path === current || !/^thread-[0-9a-f]{16}\.mjs$/.test(name)) continue;
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}
