/**
 * Scratch PostgreSQL databases for tests, on the server of TEST_DATABASE_URL. A migrated one is a copy of a
 * template database (`aisyst_tpl_<hash of the stub and migrations>`) made once per migration set: `CREATE
 * DATABASE … TEMPLATE` copies it in well under the time the migrations take
 * (postgresql.org/docs/current/manage-ag-templatedbs.html). The template refuses connections, so nothing can
 * change it or stop it being copied; the test-run globalSetup makes it, and a suite makes it itself if missing.
 */
import { randomUUID } from 'node:crypto';
import { applyAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { explainConnectionError } from '../../src/adapters/db/connection-errors.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { migrationsHash } from './pglite-snapshots.ts';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export function templateName(): string {
  return `aisyst_tpl_${migrationsHash()}`;
}

/** Makes the migrated template if missing (safe when several processes race: the last rename loses and drops its own). */
export async function ensurePostgresTemplate(adminUrl: string): Promise<string> {
  const name = templateName();
  const [found] = await withAdmin(adminUrl, (admin) =>
    admin.query('select 1 from pg_database where datname = $1', [name]),
  );
  if (found) return name;
  const building = await createScratchPostgresDatabase(adminUrl);
  try {
    const sql = openPostgres(building.url, { max: 1 });
    try {
      await applyAuthStub(sql);
      await migrate(sql);
    } finally {
      await sql.close();
    }
    const buildingName = new URL(building.url).pathname.slice(1);
    await withAdmin(adminUrl, async (admin) => {
      await admin.exec(`alter database ${buildingName} rename to ${name}`);
      await admin.exec(`alter database ${name} with allow_connections false`);
    });
  } catch (error) {
    await building.drop();
    if ((error as { code?: string }).code !== '42P04') throw error; // duplicate_database: another process won
  }
  return name;
}

/** Templates of earlier migration sets: only the globalSetup removes them, before any suite copies one. */
export async function dropStaleTemplates(adminUrl: string): Promise<void> {
  await withAdmin(adminUrl, async (admin) => {
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname ~ '^aisyst_tpl_[0-9a-f]{16}$' and datname <> $1`,
      [templateName()],
    );
    for (const { datname } of stale) await admin.exec(`drop database if exists ${datname} with (force)`);
  });
}

/** A new database on the server of `adminUrl`: empty, or (`migrated`) a copy of the migrated template. `drop()` removes it. */
export async function createScratchPostgresDatabase(
  adminUrl: string | undefined = process.env.TEST_DATABASE_URL || undefined,
  options: { migrated?: boolean } = {},
): Promise<ScratchDatabase> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `aisyst_test_${process.pid}_${randomUUID().slice(0, 8)}`;
  const create = (template: string | undefined) =>
    withAdmin(adminUrl, (admin) => admin.exec(`create database ${name}${template ? ` template ${template}` : ''}`));
  try {
    if (!options.migrated) await create(undefined);
    else {
      await create(await ensurePostgresTemplate(adminUrl)).catch(async (error: { code?: string }) => {
        // The template was dropped since (a newer migration set's run): make it again.
        if (error.code !== '3D000') throw error;
        await create(await ensurePostgresTemplate(adminUrl));
      });
    }
  } catch (error) {
    // The same sentence `npm start` gives for DATABASE_URL, naming the variable to fix.
    const reason = explainConnectionError(error, adminUrl);
    throw reason ? new Error(`TEST_DATABASE_URL: ${reason}`) : error;
  }
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.exec(`drop database if exists ${name} with (force)`)),
  };
}

async function withAdmin<T>(
  adminUrl: string,
  work: (admin: ReturnType<typeof openPostgres>) => Promise<T>,
): Promise<T> {
  const admin = openPostgres(adminUrl, { max: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}
