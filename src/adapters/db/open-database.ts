/**
 * Opens the Sql port the configuration names: PGlite in a directory, or PostgreSQL at a URL. PostgreSQL is asked
 * one `select 1` at once, so that an unreachable or misconfigured server stops start-up with a
 * DatabaseConnectionError saying why, instead of failing somewhere later (or after minutes).
 *
 * `existing`: for commands that only work on a migrated database. A PGlite directory that holds no database yet is
 * then NOT created (PGlite would run initdb there, seconds of work, and leave a stray empty database behind a typo
 * in PGLITE_DIR): NoDatabaseError instead, which the CLI reports as "not migrated".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../../ports/sql.ts';
import { DatabaseConnectionError, explainConnectionError } from './connection-errors.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

/** No PGlite database in the directory; `code` is PostgreSQL's "invalid_catalog_name" (database does not exist). */
export class NoDatabaseError extends Error {
  readonly code = '3D000';
  constructor(dir: string) {
    super(`no database in PGLITE_DIR ${dir}`);
    this.name = 'NoDatabaseError';
  }
}

export async function openDatabase(target: DatabaseTarget, options: { existing?: boolean } = {}): Promise<Sql> {
  if (target.kind === 'pglite') {
    if (options.existing && !existsSync(join(target.dir, 'PG_VERSION'))) throw new NoDatabaseError(target.dir);
    return openPglite({ dataDir: target.dir });
  }
  const sql = openPostgres(target.url);
  try {
    await sql.query('select 1');
    return sql;
  } catch (error) {
    await sql.close().catch(() => {});
    const reason = explainConnectionError(error, target.url);
    throw reason ? new DatabaseConnectionError(reason, { cause: error }) : error;
  }
}
