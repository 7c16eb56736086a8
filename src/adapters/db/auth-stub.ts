/**
 * The local-only Supabase auth stub (supabase/local/auth-stub.sql): roles, `auth.users`, `auth.uid()`.
 * Applied only where no `auth` schema exists (PGlite, plain PostgreSQL); a Supabase database already has the
 * real one, owned by supabase_auth_admin, and must never get ours.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../../ports/sql.ts';

export const AUTH_STUB_FILE = fileURLToPath(new URL('../../../supabase/local/auth-stub.sql', import.meta.url));

export async function hasAuthSchema(sql: Sql): Promise<boolean> {
  const rows = await sql.query(`select 1 from pg_namespace where nspname = 'auth'`);
  return rows.length > 0;
}

/** Runs the stub unconditionally (it is idempotent). */
export async function applyAuthStub(sql: Sql): Promise<void> {
  await sql.transaction((tx) => tx.exec(readFileSync(AUTH_STUB_FILE, 'utf8')));
}

/** Runs the stub only when the database has no `auth` schema. Returns whether it ran. */
export async function ensureAuthStub(sql: Sql): Promise<boolean> {
  if (await hasAuthSchema(sql)) return false;
  await applyAuthStub(sql);
  return true;
}
