/**
 * Operators: Supabase Auth users whose app_metadata has role = operator, kept in auth.users.raw_app_meta_data
 * (supabase.com/docs/guides/auth/managing-user-data: app_metadata is set by the service role only, never by the
 * user). Checked here, on every request, rather than read from the JWT: a revoked operator loses access at once.
 */
import type { Sql } from '../ports/sql.ts';

export const OPERATOR_ROLE = 'operator';

/** Grants the role to the user with this e-mail; their id, or undefined when there is no such user. */
export async function grantOperatorRole(sql: Sql, email: string): Promise<string | undefined> {
  const rows = await sql.query<{ id: string }>(
    `update auth.users
        set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || jsonb_build_object('role', $2::text)
      where lower(email) = lower($1) returning id`,
    [email, OPERATOR_ROLE],
  );
  return rows[0]?.id;
}

/** Takes the role away; whether such a user exists. */
export async function revokeOperatorRole(sql: Sql, email: string): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    `update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) - 'role'
      where lower(email) = lower($1) and raw_app_meta_data ->> 'role' = $2 returning id`,
    [email, OPERATOR_ROLE],
  );
  if (rows.length > 0) return true;
  const exists = await sql.query('select 1 from auth.users where lower(email) = lower($1)', [email]);
  return exists.length > 0;
}

export async function listOperators(sql: Sql): Promise<Array<{ id: string; email: string | null }>> {
  return sql.query<{ id: string; email: string | null }>(
    `select id, email from auth.users where raw_app_meta_data ->> 'role' = $1 order by email`,
    [OPERATOR_ROLE],
  );
}

export async function isOperator(sql: Sql, userId: string): Promise<boolean> {
  const rows = await sql.query(`select 1 from auth.users where id = $1 and raw_app_meta_data ->> 'role' = $2`, [
    userId,
    OPERATOR_ROLE,
  ]);
  return rows.length > 0;
}
