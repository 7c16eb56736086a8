/**
 * Opens the Sql port the configuration names: PGlite in a directory, or PostgreSQL at a URL. PostgreSQL is asked
 * one `select 1` at once, so that an unreachable or misconfigured server stops start-up with a
 * DatabaseConnectionError saying why, instead of failing somewhere later (or after minutes).
 */
import type { Sql } from '../../ports/sql.ts';
import { DatabaseConnectionError, explainConnectionError } from './connection-errors.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

export async function openDatabase(target: DatabaseTarget): Promise<Sql> {
  if (target.kind === 'pglite') return openPglite({ dataDir: target.dir });
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
