/** Opens the Sql port the configuration names: PGlite in a directory, or PostgreSQL at a URL. */
import type { Sql } from '../../ports/sql.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

export async function openDatabase(target: DatabaseTarget): Promise<Sql> {
  return target.kind === 'pglite' ? openPglite({ dataDir: target.dir }) : openPostgres(target.url);
}
