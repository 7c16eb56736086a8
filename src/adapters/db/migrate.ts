/**
 * Applies `supabase/migrations/<14 digits>_<name>.sql` in order and records each in
 * `supabase_migrations.schema_migrations(version, name, statements)`, the table the Supabase CLI keeps, so
 * that `supabase db push` and this runner agree on what is applied (supabase.com/docs/reference/cli/supabase-migration).
 *
 * Each migration runs in ONE transaction together with its bookkeeping row. Safe to run twice and
 * concurrently: every transaction first takes a transaction-scoped advisory lock and re-checks the table, so a
 * second runner waits and then finds the migration applied. (Unlike the CLI, the whole file is stored as the
 * single element of `statements`: splitting plpgsql bodies into statements needs a parser.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../ports/logger.ts';
import { silentLogger } from '../../ports/logger.ts';
import type { Sql } from '../../ports/sql.ts';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../supabase/migrations/', import.meta.url));

/** Any constant shared by every runner; "aisyst" in ASCII, so that it reads as ours in pg_locks. */
const MIGRATION_LOCK_KEY = 0x616973797374;

export interface Migration {
  version: string;
  name: string;
  file: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

const FILE_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;

export function listMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const dir = resolve(migrationsDir);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file ${file} is not named <14 digits>_<name>.sql`);
      return { version: match[1]!, name: match[2]!, file: join(dir, file) };
    })
    .sort((a, b) => a.version.localeCompare(b.version));
}

export async function migrate(
  sql: Sql,
  options: { migrationsDir?: string; logger?: Logger } = {},
): Promise<MigrateResult> {
  const logger = options.logger ?? silentLogger;
  const migrations = listMigrations(options.migrationsDir);
  await sql.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations
        add column if not exists statements text[],
        add column if not exists name text;
    `);
  });

  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const id = `${migration.version}_${migration.name}`;
    const text = readFileSync(migration.file, 'utf8');
    const applied = await sql.transaction(async (tx) => {
      await lock(tx);
      const found = await tx.query('select 1 from supabase_migrations.schema_migrations where version = $1', [
        migration.version,
      ]);
      if (found.length > 0) return false;
      await tx.exec(text);
      await tx.query(
        'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3::text[])',
        [migration.version, migration.name, [text]],
      );
      return true;
    });
    (applied ? result.applied : result.alreadyApplied).push(id);
    if (applied) logger.info('migration applied', { migration: id });
  }

  const known = new Set(migrations.map((m) => m.version));
  const rows = await sql.query<{ version: string }>(
    'select version from supabase_migrations.schema_migrations order by version',
  );
  const unknown = rows.map((r) => r.version).filter((v) => !known.has(v));
  if (unknown.length > 0) {
    logger.warn('database has migrations this checkout does not know', { versions: unknown });
  }
  return result;
}

async function lock(tx: Sql): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
}
