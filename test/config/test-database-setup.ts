/**
 * Vitest globalSetup: checks TEST_DATABASE_URL once, before any suite, so that a mistake gives one clear message
 * instead of the same connection error in every PostgreSQL suite. A database the URL names that does not exist
 * yet is created through the server's `postgres` maintenance database (the suites then make their own scratch
 * databases from it); a server that cannot be reached stops the run naming TEST_DATABASE_URL. Then the migrated
 * template the suites copy is made once for the run (test/support/postgres-template.ts), and templates of older
 * migration sets dropped.
 */
import { DatabaseConnectionError, explainConnectionError } from '../../src/adapters/db/connection-errors.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { databaseUrlProblems } from '../../src/config/database-url.ts';
import { dropStaleTemplates, ensurePostgresTemplate } from '../support/postgres-template.ts';

export const VARIABLE = 'TEST_DATABASE_URL';

export default async function checkTestDatabase(): Promise<void> {
  const url = process.env[VARIABLE] || undefined;
  if (!url) return;
  const problems = databaseUrlProblems(url, VARIABLE);
  if (problems.length > 0) throw new Error(problems.join('; '));
  await createIfMissing(url);
  await dropStaleTemplates(url);
  await ensurePostgresTemplate(url);
}

async function createIfMissing(url: string): Promise<void> {
  try {
    await probe(url);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '3D000') throw named(error, url);
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const maintenance = new URL(url);
    maintenance.pathname = '/postgres';
    const admin = openPostgres(maintenance.toString(), { max: 1 });
    try {
      await admin.exec(`create database "${name.replaceAll('"', '""')}"`);
    } catch (createError) {
      // Another run created it a moment ago: fine. Anything else: say what to do by hand.
      if ((createError as { code?: unknown }).code !== '42P04') {
        throw new Error(
          `${VARIABLE}: database "${name}" does not exist, and creating it through the "postgres" database failed ` +
            `(${(createError as Error).message}). Create it by hand: createdb ${name}`,
        );
      }
    } finally {
      await admin.close();
    }
    console.log(
      `${VARIABLE}: database "${name}" did not exist; created it (through the "postgres" maintenance database).`,
    );
  }
}

async function probe(url: string): Promise<void> {
  const sql = openPostgres(url, { max: 1 });
  try {
    await sql.query('select 1');
  } finally {
    await sql.close().catch(() => {});
  }
}

function named(error: unknown, url: string): Error {
  const reason = error instanceof DatabaseConnectionError ? error.reason : explainConnectionError(error, url);
  // No `cause`: vitest would print the raw driver error and its stack under the sentence.
  return reason ? new Error(`${VARIABLE}: ${reason}`) : (error as Error);
}
