/**
 * ONE repository suite, run on every database (as kysely runs its suite on every dialect):
 *
 *   describeEachDatabase('plans repository', (db) => {
 *     it('lists active plans', async () => { const rows = await db.sql.query('…'); … });
 *   });
 *
 * - PGlite always. The auth stub + migrations run once per machine state (the migrated data dir is dumped to
 *   a tarball in the OS temp dir, keyed by the SQL's hash); every test gets a fresh instance restored from it.
 * - PostgreSQL when TEST_DATABASE_URL is set: a fresh database per test file (CREATE DATABASE through that
 *   URL), stub + migrations once, every table truncated between tests, the database dropped at the end.
 *   Without TEST_DATABASE_URL the PostgreSQL half is skipped, except with CI=true where it FAILS (SPEC §1).
 * - `describePostgresOnly` for race tests (PGlite runs one transaction at a time, so races prove nothing there).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { AUTH_STUB_FILE, applyAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { explainConnectionError } from '../../src/adapters/db/connection-errors.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { settleBackgroundWork } from './background-work.ts';

export type Dialect = Sql['dialect'];

export interface TestDatabase {
  readonly dialect: Dialect;
  /** The migrated database of the current test (fresh state in every test). */
  readonly sql: Sql;
  /** Another connection pool to the same database (PostgreSQL: real concurrency; PGlite: the same instance). */
  connect(options?: { max?: number }): Promise<Sql>;
  /** A brand-new, EMPTY database (no stub, no migrations), closed/dropped after the test. */
  openEmpty(): Promise<Sql>;
}

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function describeEachDatabase(title: string, define: (db: TestDatabase) => void): void {
  describe(`${title} [pglite]`, () => define(pgliteSuite()));
  describePostgres(title, define);
}

export function describePostgresOnly(title: string, define: (db: TestDatabase) => void): void {
  describePostgres(title, define);
}
/** Alias in the words. */
export const postgresOnly = describePostgresOnly;

function describePostgres(title: string, define: (db: TestDatabase) => void): void {
  if (TEST_DATABASE_URL) {
    describe(`${title} [postgres]`, () => define(postgresSuite(TEST_DATABASE_URL)));
  } else if (IN_CI) {
    describe(`${title} [postgres]`, () => {
      it('needs PostgreSQL', () => {
        throw new Error('CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests may not be skipped in CI (SPEC §1)');
      });
    });
  } else {
    describe.skip(`${title} [postgres] (set TEST_DATABASE_URL to run)`, () => define(unavailable()));
  }
}

// ---------- PGlite ----------

let template: Promise<Blob> | undefined;

/** The migrated data dir as a tarball, made once per (stub + migrations) content and shared across processes. */
export function migratedPgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const hash = createHash('sha256');
    hash.update(readFileSync(AUTH_STUB_FILE));
    for (const m of listMigrations()) hash.update(m.version).update(readFileSync(m.file));
    const file = join(tmpdir(), `aisyst-billing-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const sql = await openPglite();
    try {
      await applyAuthStub(sql);
      await migrate(sql);
      const dump = await sql.pglite.dumpDataDir('none');
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
      renameSync(partial, file); // atomic: a concurrent process reads either nothing or the whole file
      removeStaleTemplates(file);
      return dump;
    } finally {
      await sql.close();
    }
  })();
  return template;
}

/** Templates of earlier migration sets (≈40 MB each), once nobody can still be reading them. */
function removeStaleTemplates(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!/^aisyst-billing-pglite-[0-9a-f]{16}\.tar$/.test(name) || path === current) continue;
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}

function pgliteSuite(): TestDatabase {
  let current: Awaited<ReturnType<typeof openPglite>> | undefined;
  const extra: Sql[] = [];
  beforeAll(async () => {
    await migratedPgliteTemplate();
  });
  beforeEach(async () => {
    current = await openPglite({ loadDataDir: await migratedPgliteTemplate() });
  });
  afterEach(async () => {
    await settleBackgroundWork();
    await Promise.all(extra.splice(0).map((s) => s.close()));
    await current?.close();
    current = undefined;
  });
  return {
    dialect: 'pglite',
    get sql() {
      if (!current) throw new Error('db.sql is only available inside a test');
      return current;
    },
    async connect() {
      if (!current) throw new Error('db.connect() is only available inside a test');
      const shared = current;
      return { ...shared, close: async () => {} };
    },
    async openEmpty() {
      const sql = await openPglite();
      extra.push(sql);
      return sql;
    },
  };
}

// ---------- PostgreSQL ----------

function postgresSuite(adminUrl: string): TestDatabase {
  let url: string | undefined;
  let main: Sql | undefined;
  let drop: (() => Promise<void>) | undefined;
  const perTest: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    const scratch = await createScratchPostgresDatabase(adminUrl);
    url = scratch.url;
    drop = scratch.drop;
    main = openPostgres(url, { max: 20 });
    await applyAuthStub(main);
    await migrate(main);
  });
  afterAll(async () => {
    await main?.close();
    await drop?.();
  });
  afterEach(async () => {
    await settleBackgroundWork();
    for (const cleanup of perTest.splice(0)) await cleanup();
    if (main) await truncateAll(main);
  });
  return {
    dialect: 'postgres',
    get sql() {
      if (!main) throw new Error('db.sql is only available inside a test');
      return main;
    },
    async connect(options = {}) {
      if (!url) throw new Error('db.connect() is only available inside a test');
      const sql = openPostgres(url, { max: options.max ?? 20 });
      perTest.push(() => sql.close());
      return sql;
    },
    async openEmpty() {
      const scratch = await createScratchPostgresDatabase(adminUrl);
      const sql = openPostgres(scratch.url, { max: 10 });
      perTest.push(async () => {
        await sql.close();
        await scratch.drop();
      });
      return sql;
    },
  };
}

/** A new, empty database on the server of TEST_DATABASE_URL (or `adminUrl`); `drop()` removes it. */
export async function createScratchPostgresDatabase(
  adminUrl: string | undefined = TEST_DATABASE_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `aisyst_test_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = openPostgres(adminUrl, { max: 1 });
  try {
    await admin.exec(`create database ${name}`);
  } catch (error) {
    // The same sentence `npm start` gives for DATABASE_URL, naming the variable to fix.
    const reason = explainConnectionError(error, adminUrl);
    throw reason ? new Error(`TEST_DATABASE_URL: ${reason}`) : error;
  } finally {
    await admin.close();
  }
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const admin = openPostgres(adminUrl, { max: 1 });
      try {
        await admin.exec(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.close();
      }
    },
  };
}

async function truncateAll(sql: Sql): Promise<void> {
  const tables = await sql.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'auth')`,
  );
  if (tables.length > 0) await sql.exec(`truncate table ${tables.map((t) => t.name).join(', ')} cascade`);
}

function unavailable(): TestDatabase {
  const fail = (): never => {
    throw new Error('TEST_DATABASE_URL is not set');
  };
  return { dialect: 'postgres', get sql(): Sql { return fail(); }, connect: async () => fail(), openEmpty: async () => fail() };
}

export * from './database-fixtures.ts';
