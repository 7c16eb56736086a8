/**
 * ONE repository suite, run on every database (as kysely runs its suite on every dialect):
 *
 *   describeEachDatabase('plans repository', (db) => {
 *     it('lists active plans', async () => { const rows = await db.sql.query('…'); … });
 *   });
 *
 * - PGlite always: a snapshot of the migrated database (made once per migration set, see ./pglite-snapshots.ts),
 *   restored once per worker and handed from suite to suite, clean, like from test to test.
 * - PostgreSQL when TEST_DATABASE_URL is set: each file gets a copy of the migrated template database (made once
 *   per migration set, see ./postgres-template.ts), dropped at the end.
 *   Without TEST_DATABASE_URL the PostgreSQL half is skipped, except with CI=true where it FAILS
 *   (docs/conventions.md#tests).
 * - Between tests, on both, the tables the test wrote are emptied; a test that changed anything else (schema,
 *   roles, session, the migrations' own rows) makes the next test start from a fresh copy (./reset-between-tests.ts).
 *   So every test starts from the migrated state, for milliseconds instead of a second.
 * - `describePostgresOnly` for race tests (PGlite runs one transaction at a time, so races prove nothing there).
 */
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { openPglite, type PgliteSql } from '../../src/adapters/db/pglite.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { settleBackgroundWork } from './background-work.ts';
import { emptyPgliteSnapshot, migratedPgliteTemplate } from './pglite-snapshots.ts';
import { createScratchPostgresDatabase, type ScratchDatabase } from './postgres-template.ts';
import { captureBaseline, resetToBaseline, type Baseline } from './reset-between-tests.ts';

export { migratedPgliteTemplate } from './pglite-snapshots.ts';
export { createScratchPostgresDatabase } from './postgres-template.ts';

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
  underPostgresRule(
    `${title} [postgres]`,
    (url) => define(postgresSuite(url)),
    () => define(unavailable()),
  );
}

/** Where a whole stack runs: an in-memory PGlite, or a fresh PostgreSQL database (test/support/stack.ts). */
export type DatabaseKind = 'pglite' | 'postgres';

/** A stack suite on each database: PGlite always, PostgreSQL by the rule above. */
export function describeOnEachDatabaseKind(title: string, define: (kind: DatabaseKind) => void): void {
  describe(`${title} [pglite]`, () => define('pglite'));
  describeOnPostgres(`${title} [postgres]`, () => define('postgres'));
}

/** A suite that needs PostgreSQL itself (races, a stack on DATABASE_URL), by the rule above. */
export function describeOnPostgres(title: string, define: () => void): void {
  underPostgresRule(title, define, define);
}

/**
 * The one rule for PostgreSQL suites (docs/conventions.md#tests): run with TEST_DATABASE_URL; without it skipped
 * visibly (the tests still listed), except with CI=true, where that is a failing test.
 */
function underPostgresRule(title: string, define: (url: string) => void, defineSkipped: () => void): void {
  if (TEST_DATABASE_URL) {
    const url = TEST_DATABASE_URL;
    describe(title, () => define(url));
  } else if (IN_CI) {
    describe(title, () => {
      it('needs PostgreSQL', () => {
        throw new Error(
          'CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests may not be skipped in CI (docs/conventions.md#tests)',
        );
      });
    });
  } else {
    describe.skip(`${title} (set TEST_DATABASE_URL to run)`, defineSkipped);
  }
}

// ---------- PGlite ----------

/**
 * The migrated PGlite the last suite of this worker left clean, for the next suite to start from: restoring the
 * snapshot costs half a second, emptying what a test wrote milliseconds. Files share their worker's modules
 * (vitest.config.ts), so it passes from file to file as it passes from test to test within one.
 */
let handedOver: { sql: PgliteSql; baseline: Baseline } | undefined;

function pgliteSuite(): TestDatabase {
  let current: { sql: PgliteSql; baseline: Baseline } | undefined;
  const extra: Sql[] = [];
  beforeEach(async () => {
    if (current) return;
    if (handedOver && !handedOver.sql.pglite.closed) {
      current = handedOver;
      handedOver = undefined;
      return;
    }
    const sql = await openPglite({ loadDataDir: await migratedPgliteTemplate() });
    current = { sql, baseline: await captureBaseline(sql, { roles: true }) };
  });
  afterEach(async () => {
    await settleBackgroundWork();
    await Promise.all(extra.splice(0).map((s) => s.close()));
    if (current && !current.sql.pglite.closed && (await resetToBaseline(current.sql, current.baseline))) return;
    await current?.sql.close();
    current = undefined; // the next test restores a fresh copy
  });
  afterAll(async () => {
    // afterEach left it at the migrated state (or closed it): the next suite of this worker starts from it.
    if (current && !current.sql.pglite.closed) {
      await handedOver?.sql.close();
      handedOver = current;
    } else await current?.sql.close();
    current = undefined;
  });
  return {
    dialect: 'pglite',
    get sql() {
      if (!current) throw new Error('db.sql is only available inside a test');
      return current.sql;
    },
    async connect() {
      if (!current) throw new Error('db.connect() is only available inside a test');
      const shared = current.sql;
      return { ...shared, close: async () => {} };
    },
    async openEmpty() {
      const sql = await openPglite({ loadDataDir: await emptyPgliteSnapshot() });
      extra.push(sql);
      return sql;
    },
  };
}

// ---------- PostgreSQL ----------

function postgresSuite(adminUrl: string): TestDatabase {
  let current: { database: ScratchDatabase; sql: Sql; baseline: Baseline } | undefined;
  const perTest: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    if (current) return;
    const database = await createScratchPostgresDatabase(adminUrl, { migrated: true });
    const sql = openPostgres(database.url, { max: 20 });
    current = { database, sql, baseline: await captureBaseline(sql, { roles: false }) };
  });
  const discard = async () => {
    await current?.sql.close();
    await current?.database.drop();
    current = undefined;
  };
  afterEach(async () => {
    await settleBackgroundWork();
    for (const cleanup of perTest.splice(0)) await cleanup();
    if (current && !(await resetToBaseline(current.sql, current.baseline))) await discard(); // the next test gets a fresh copy
  });
  afterAll(discard);
  return {
    dialect: 'postgres',
    get sql() {
      if (!current) throw new Error('db.sql is only available inside a test');
      return current.sql;
    },
    async connect(options = {}) {
      if (!current) throw new Error('db.connect() is only available inside a test');
      const sql = openPostgres(current.database.url, { max: options.max ?? 20 });
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

function unavailable(): TestDatabase {
  const fail = (): never => {
    throw new Error('TEST_DATABASE_URL is not set');
  };
  return {
    dialect: 'postgres',
    get sql(): Sql {
      return fail();
    },
    connect: async () => fail(),
    openEmpty: async () => fail(),
  };
}

export * from './database-fixtures.ts';
