/**
 * PGlite snapshots (`dumpDataDir()` tarballs) shared by every test process: restoring one takes about a second,
 * an initdb several, and the migrations more. Each is made once per content (the SQL's hash, PGlite's version)
 * and kept in the OS temp dir; a concurrent process reads either nothing or the whole file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_STUB_FILE, applyAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import { openPglite, type PgliteSql } from '../../src/adapters/db/pglite.ts';

/** The hash of the auth stub and every migration: names the snapshots and the PostgreSQL template. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(AUTH_STUB_FILE));
  for (const m of listMigrations()) hash.update(m.version).update(m.name).update(readFileSync(m.file));
  return hash.digest('hex').slice(0, 16);
}

let migrated: Promise<Blob> | undefined;
let empty: Promise<Blob> | undefined;

/** The migrated data dir (auth stub + every migration). */
export function migratedPgliteTemplate(): Promise<Blob> {
  migrated ??= snapshot(`aisyst-billing-pglite-${migrationsHash()}.tar`, async (sql) => {
    await applyAuthStub(sql);
    await migrate(sql);
  });
  return migrated;
}

/**
 * Fills the directory `dir` (made if missing) with the migrated data dir: a PGLITE_DIR as `aisyst-billing migrate`
 * leaves a new one (the same auth stub and migrations), for tests of the CLI's other commands, in a fraction of a
 * second instead of the initdb and migrations a `migrate` process spends (over ten). The tarball's entries are the
 * data dir's own paths, so the system's tar unpacks it.
 */
export async function restoreMigratedPgliteDir(dir: string): Promise<void> {
  await unpackInto(dir, await migratedPgliteTemplate());
}

/** Fills the directory `dir` with a brand-new data dir (a database, never migrated), as restoreMigratedPgliteDir. */
export async function restoreEmptyPgliteDir(dir: string): Promise<void> {
  await unpackInto(dir, await emptyPgliteSnapshot());
}

async function unpackInto(dir: string, snapshot: Blob): Promise<void> {
  const tarball = new Uint8Array(await snapshot.arrayBuffer());
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdin.on('error', () => {}); // tar stopped reading: its exit code says why
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${stderr}`))));
    tar.stdin.end(tarball);
  });
}

/** A brand-new data dir, as initdb leaves it. */
export function emptyPgliteSnapshot(): Promise<Blob> {
  const pkg = new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
  empty ??= snapshot(`aisyst-billing-pglite-empty-${version}.tar`, async () => {});
  return empty;
}

async function snapshot(name: string, prepare: (sql: PgliteSql) => Promise<void>): Promise<Blob> {
  const file = join(tmpdir(), name);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const sql = await openPglite();
  try {
    await prepare(sql);
    const dump = await sql.pglite.dumpDataDir('none');
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
    renameSync(partial, file); // atomic
    removeStaleSnapshots(file);
    return dump;
  } finally {
    await sql.close();
  }
}

/** Snapshots of earlier migration sets (≈40 MB each), once nobody can still be reading them. */
function removeStaleSnapshots(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!/^aisyst-billing-pglite-[0-9a-f]{16}\.tar$/.test(name) || path === current) continue;
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}
