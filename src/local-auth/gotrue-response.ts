/**
 * Responses in Supabase Auth's (GoTrue's) wire format, so that supabase-js turns them into the same AuthApiError
 * codes as against a real project: with `x-supabase-api-version: 2024-01-01` auth-js reads `code` as the error
 * code and `msg` as the message (auth-js lib/fetch.ts handleError).
 */
export const API_VERSION = '2024-01-01';

const headers = { 'content-type': 'application/json; charset=utf-8', 'x-supabase-api-version': API_VERSION };

export function authJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers });
}

export function authError(status: number, code: string, msg: string, extra: Record<string, unknown> = {}): Response {
  return authJson({ code, error_code: code, msg, ...extra }, status);
}

export interface AuthUserRow {
  id: string;
  email: string;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | string;
  updated_at: Date | string;
  last_sign_in_at: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** The user object as GoTrue returns it (the subset supabase-js and our pages read). */
export function userJson(user: AuthUserRow): Record<string, unknown> {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: iso(user.created_at),
    confirmed_at: iso(user.created_at),
    phone: '',
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    is_anonymous: false,
  };
}
