/**
 * Users, sessions and refresh tokens of the local Auth subset. Users live in `auth.users` (the stub schema);
 * sessions in `auth.local_sessions`, a table only the local stack creates (never deployed: Supabase Auth has its
 * own). Refresh tokens are stored as SHA-256 hashes and rotate on every use, as GoTrue's do; sessions survive a
 * restart of the stack together with the PGlite data directory.
 */
import type { Sql } from '../ports/sql.ts';
import type { AuthUserRow } from './gotrue-response.ts';

export const LOCAL_AUTH_SCHEMA = `
create table if not exists auth.local_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  refresh_token_hash text not null unique,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz not null default now()
);
create index if not exists local_sessions_user_id_idx on auth.local_sessions (user_id);`;

const USER_COLUMNS = 'id, email, raw_user_meta_data, created_at, updated_at, last_sign_in_at';

export async function ensureLocalAuthSchema(sql: Sql): Promise<void> {
  await sql.exec(LOCAL_AUTH_SCHEMA);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return [...bytes]
    .map((b) => b.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 40);
}

/** Inserts the user; undefined when the email is taken. */
export async function insertUser(
  sql: Sql,
  email: string,
  passwordHash: string,
  meta: Record<string, unknown>,
): Promise<AuthUserRow | undefined> {
  const rows = await sql.query<AuthUserRow>(
    `insert into auth.users (email, encrypted_password, raw_user_meta_data, last_sign_in_at) values ($1, $2, $3::jsonb, now())
     on conflict (email) do nothing returning ${USER_COLUMNS}`,
    [email, passwordHash, JSON.stringify(meta)],
  );
  return rows[0];
}

export async function findUserByEmail(
  sql: Sql,
  email: string,
): Promise<(AuthUserRow & { encrypted_password: string | null }) | undefined> {
  const rows = await sql.query<AuthUserRow & { encrypted_password: string | null }>(
    `select ${USER_COLUMNS}, encrypted_password from auth.users where email = $1`,
    [email],
  );
  return rows[0];
}

export async function findUserById(sql: Sql, id: string): Promise<AuthUserRow | undefined> {
  const rows = await sql.query<AuthUserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [id]);
  return rows[0];
}

export async function touchSignIn(sql: Sql, userId: string): Promise<void> {
  await sql.query('update auth.users set last_sign_in_at = now() where id = $1', [userId]);
}

export async function createSession(sql: Sql, userId: string, refreshToken: string): Promise<string> {
  const rows = await sql.query<{ id: string }>(
    'insert into auth.local_sessions (user_id, refresh_token_hash) values ($1, $2) returning id',
    [userId, await sha256Hex(refreshToken)],
  );
  return rows[0]!.id;
}

/** Swaps a refresh token for a new one (single use); undefined when it is unknown, used or revoked. */
export async function rotateRefreshToken(
  sql: Sql,
  oldToken: string,
  newToken: string,
): Promise<{ sessionId: string; userId: string } | undefined> {
  const rows = await sql.query<{ id: string; user_id: string }>(
    'update auth.local_sessions set refresh_token_hash = $2, refreshed_at = now() where refresh_token_hash = $1 returning id, user_id',
    [await sha256Hex(oldToken), await sha256Hex(newToken)],
  );
  return rows[0] ? { sessionId: rows[0].id, userId: rows[0].user_id } : undefined;
}

export async function sessionExists(sql: Sql, sessionId: string): Promise<boolean> {
  return (await sql.query('select 1 from auth.local_sessions where id = $1', [sessionId])).length > 0;
}

/** scope global: every session of the user; local: this one; others: every other one (GoTrue's /logout scopes). */
export async function endSessions(
  sql: Sql,
  userId: string,
  sessionId: string,
  scope: 'global' | 'local' | 'others',
): Promise<void> {
  if (scope === 'local')
    await sql.query('delete from auth.local_sessions where id = $1 and user_id = $2', [sessionId, userId]);
  else if (scope === 'others')
    await sql.query('delete from auth.local_sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  else await sql.query('delete from auth.local_sessions where user_id = $1', [userId]);
}
