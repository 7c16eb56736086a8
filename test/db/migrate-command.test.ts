/** `aisyst-billing migrate`: opens the database the environment names, installs the stub only locally, says what it did. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { listMigrations } from '../../src/adapters/db/migrate.ts';
import { command } from '../../src/cli/commands/migrate.ts';
import type { Terminal } from '../../src/cli/terminal.ts';
import { createScratchPostgresDatabase, describePostgresOnly } from '../support/database.ts';

const COUNT = listMigrations().length;

async function run(
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const terminal: Terminal = { out: (t) => void out.push(t), err: (t) => void err.push(t), cwd: process.cwd() };
  const code = await command.run(args, env, terminal);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('aisyst-billing migrate on PGlite', () => {
  it('installs the auth stub, applies every migration, and on a second run reports it is up to date', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aisyst-cli-')), 'pglite');

    const first = await run({ PGLITE_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.out).toContain(`database: PGlite at ${dir}`);
    expect(first.out).toContain('auth stub: installed');
    expect(first.out).toContain(`${COUNT} migration(s) applied, 0 already applied`);

    const second = await run({ PGLITE_DIR: dir });
    expect(second.code).toBe(0);
    expect(second.out).toContain('auth stub: not needed');
    expect(second.out).toContain(`up to date: ${COUNT} migration(s) already applied`);

    const sql = await openPglite({ dataDir: dir }); // the command released the directory
    expect(await sql.query('select count(*) as n from supabase_migrations.schema_migrations')).toEqual([{ n: COUNT }]);
    await sql.close();
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL URL and unknown arguments', async () => {
    expect((await run({ DATABASE_URL: 'mysql://x' })).err).toContain('DATABASE_URL must be a postgres://');
    expect((await run({ DATABASE_URL: 'mysql://x' })).code).toBe(2);
    expect((await run({}, ['--force'])).code).toBe(2);
  });
});

describePostgresOnly('aisyst-billing migrate on PostgreSQL', () => {
  it('migrates the DATABASE_URL database without printing its password', async () => {
    const scratch = await createScratchPostgresDatabase();
    try {
      const url = new URL(scratch.url);
      url.password = 'not-printed-secret';
      const result = await run({ DATABASE_URL: url.toString() });
      expect(result.code).toBe(0);
      expect(result.out).toContain(`database: PostgreSQL at ${url.hostname}:${url.port}${url.pathname}`);
      expect(result.out).toContain(`${COUNT} migration(s) applied`);
      expect(result.out + result.err).not.toContain('not-printed-secret');
      const sql = openPostgres(scratch.url);
      expect(await sql.query('select count(*) as n from supabase_migrations.schema_migrations')).toEqual([
        { n: COUNT },
      ]);
      await sql.close();
    } finally {
      await scratch.drop();
    }
  });

  it('never installs the stub where an auth schema exists (as on Supabase)', async () => {
    const scratch = await createScratchPostgresDatabase();
    try {
      const sql = openPostgres(scratch.url);
      // Supabase's own auth schema, reduced to what the migrations reference.
      await sql.exec(`create schema auth; create table auth.users (id uuid primary key);
        create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$;`);
      const result = await run({ DATABASE_URL: scratch.url });
      expect(result.out).toContain('auth stub: not needed');
      expect(result.code).toBe(0);
      const columns = await sql.query(
        `select column_name from information_schema.columns where table_schema = 'auth' and table_name = 'users'`,
      );
      expect(columns).toEqual([{ column_name: 'id' }]);
      await sql.close();
    } finally {
      await scratch.drop();
    }
  });
});
