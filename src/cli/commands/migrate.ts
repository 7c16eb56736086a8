/**
 * `aisyst-billing migrate`: applies pending migrations to the configured database. On a database without an
 * `auth` schema (PGlite, plain PostgreSQL) it first installs the local auth stub; on Supabase, which has the
 * real `auth`, it never does.
 */
import type { Command } from '../command.ts';
import { ensureAuthStub } from '../../adapters/db/auth-stub.ts';
import { DatabaseConnectionError } from '../../adapters/db/connection-errors.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { openDatabase, type DatabaseTarget } from '../../adapters/db/open-database.ts';
import { databaseUrlProblems, describeDatabaseUrl } from '../../config/database-url.ts';
import { DEFAULT_PGLITE_DIR } from '../../config/parse-config.ts';
import { readEnvWithOrigins } from '../../config/dotenv.ts';
import { variableOrigin } from '../../config/origin.ts';
import type { Sql } from '../../ports/sql.ts';

export const command: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations (PGlite or DATABASE_URL)',
  help: `usage: aisyst-billing migrate

Applies supabase/migrations/*.sql that the database has not recorded yet (each in one transaction, recorded in
supabase_migrations.schema_migrations like the Supabase CLI does). Safe to run again and concurrently.

Database:
  DATABASE_URL   PostgreSQL URL (Supabase: the pooler or direct URL)
  PGLITE_DIR     otherwise an embedded PGlite database here (default ${DEFAULT_PGLITE_DIR})

Where the database has no "auth" schema (PGlite, plain PostgreSQL), the local auth stub
(supabase/local/auth-stub.sql: roles anon/authenticated/service_role, auth.users, auth.uid()) is installed first.
It is never installed on Supabase.`,

  async run(args, processEnv, terminal) {
    const unknown = args.filter((a) => a !== '--help' && a !== '-h');
    if (unknown.length > 0) {
      terminal.err(`aisyst-billing migrate: unexpected argument '${unknown[0]}'\n\n${this.help}`);
      return 2;
    }
    const { env, fromDotEnv } = await readEnvWithOrigins(terminal.cwd, processEnv);
    const target = databaseTarget(env);
    if (typeof target === 'string') {
      terminal.err(
        `aisyst-billing migrate: ${target.replace('DATABASE_URL', variableOrigin('DATABASE_URL', fromDotEnv))}`,
      );
      return 2;
    }
    terminal.out(`database: ${describe(target)}`);
    let sql: Sql;
    try {
      sql = await openDatabase(target);
    } catch (error) {
      if (!(error instanceof DatabaseConnectionError)) throw error;
      terminal.err(`aisyst-billing migrate: ${variableOrigin('DATABASE_URL', fromDotEnv)}: ${error.reason}`);
      return 1;
    }
    try {
      if (await ensureAuthStub(sql)) terminal.out('auth stub: installed (no "auth" schema found: local database)');
      else terminal.out('auth stub: not needed ("auth" schema present)');
      const result = await migrate(sql, {
        logger: {
          info: () => {},
          warn: (msg, f) => terminal.err(`warning: ${msg} ${JSON.stringify(f ?? {})}`),
          error: () => {},
          child() {
            return this;
          },
        },
      });
      for (const id of result.applied) terminal.out(`applied   ${id}`);
      terminal.out(
        result.applied.length === 0
          ? `up to date: ${result.alreadyApplied.length} migration(s) already applied`
          : `${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already applied`,
      );
      return 0;
    } catch (error) {
      terminal.err(`aisyst-billing migrate: failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    } finally {
      await sql.close();
    }
  },
};

function databaseTarget(env: Record<string, string | undefined>): DatabaseTarget | string {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const problems = databaseUrlProblems(url);
    return problems.length === 0 ? { kind: 'postgres', url } : problems.join('; ');
  }
  return { kind: 'pglite', dir: env.PGLITE_DIR?.trim() || DEFAULT_PGLITE_DIR };
}

/** Never prints a password. */
function describe(target: DatabaseTarget): string {
  return target.kind === 'pglite' ? `PGlite at ${target.dir}` : describeDatabaseUrl(target.url);
}
