/**
 * The local Auth subset, driven by supabase-js itself (as the pages use it): sign up, sign in, read the user,
 * refresh, sign out — and the tokens it issues are the ones the functions accept.
 */
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/adapters/auth/authenticator.ts';
import { applyAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { createApp } from '../../src/http/app.ts';
import { createLocalAuth } from '../../src/local-auth/local-auth.ts';
import { ensureLocalAuthSchema } from '../../src/local-auth/sessions.ts';
import { serveFetch, type NodeServer } from '../../src/entries/node/serve.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { memoryLogger } from '../../src/ports/logger.ts';
import type { Sql } from '../../src/ports/sql.ts';
import type Stripe from 'stripe';

const config = parseConfig({});
let sql: Sql;
let server: NodeServer;
const logger = memoryLogger();

beforeAll(async () => {
  sql = await openPglite();
  await applyAuthStub(sql);
  await ensureLocalAuthSchema(sql);
  let base = '';
  const localAuth = createLocalAuth({ sql, config, clock: systemClock, issuerBase: () => base });
  const app = createApp({ config, sql, stripe: {} as Stripe, clock: systemClock, logger, waitUntil: () => {} }, [], {
    localAuth,
  });
  server = await serveFetch((req) => app.fetch(req), { port: 0 });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await sql?.close();
});

// Node 20 has no global WebSocket and supabase-js builds a realtime client eagerly; auth never opens it.
class NoWebSocket {
  constructor() {
    throw new Error('realtime is not used in these tests');
  }
}
const client = () =>
  createClient(server.url, config.auth.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoWebSocket as never },
  });
const password = 'a long local password';

describe('local Supabase Auth with supabase-js', () => {
  it('signs up, signs in, reads the user, refreshes and signs out', async () => {
    const supabase = client();
    const signUp = await supabase.auth.signUp({ email: 'Ada@Example.com', password });
    expect(signUp.error).toBeNull();
    expect(signUp.data.user?.email).toBe('ada@example.com');
    expect(signUp.data.session?.access_token).toBeTruthy();

    const signIn = await client().auth.signInWithPassword({ email: 'ada@example.com', password });
    expect(signIn.error).toBeNull();
    const session = signIn.data.session!;
    expect(session.user.id).toBe(signUp.data.user!.id);

    // The functions accept the token as a user.
    const caller = await createAuthenticator(config.auth).user(
      new Headers({ authorization: `Bearer ${session.access_token}` }),
    );
    expect(caller).toEqual({ userId: session.user.id, email: 'ada@example.com' });

    const me = await supabase.auth.getUser(session.access_token);
    expect(me.error).toBeNull();
    expect(me.data.user?.id).toBe(session.user.id);

    const refreshed = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session?.refresh_token).not.toBe(session.refresh_token);
    // Refresh tokens are single use.
    const reused = await client().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(reused.error?.code).toBe('refresh_token_not_found');

    const signedIn = client();
    await signedIn.auth.setSession({
      access_token: refreshed.data.session!.access_token,
      refresh_token: refreshed.data.session!.refresh_token,
    });
    expect((await signedIn.auth.signOut()).error).toBeNull();
    const after = await client().auth.getUser(refreshed.data.session!.access_token);
    expect(after.error).not.toBeNull();
  });

  it('answers in GoTrue error shapes that supabase-js turns into codes', async () => {
    await client().auth.signUp({ email: 'grace@example.com', password });
    const wrong = await client().auth.signInWithPassword({ email: 'grace@example.com', password: 'not the password' });
    expect(wrong.error?.code).toBe('invalid_credentials');
    expect(wrong.error?.message).toBe('Invalid login credentials');
    const nobody = await client().auth.signInWithPassword({ email: 'nobody@example.com', password });
    expect(nobody.error?.code).toBe('invalid_credentials');
    const again = await client().auth.signUp({ email: 'grace@example.com', password });
    expect(again.error?.code).toBe('user_already_exists');
    const weak = await client().auth.signUp({ email: 'weak@example.com', password: '123' });
    expect(weak.error?.code).toBe('weak_password');
  });

  it('needs the apikey header, as Supabase’s gateway does', async () => {
    const res = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      body: JSON.stringify({ email: 'a@b.c', password }),
    });
    expect(res.status).toBe(401);
    const wrongKey = await fetch(`${server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: 'nope' },
      body: JSON.stringify({ email: 'a@b.c', password }),
    });
    expect(wrongKey.status).toBe(401);
  });

  // PostgreSQL's text and jsonb cannot hold NUL: these answered 500 from the database.
  const unstorable: Array<[string, string, Record<string, unknown>, string]> = [
    ['sign-up with NUL in the e-mail', 'signup', { email: 'nul\u0000@example.com', password }, 'email'],
    [
      'sign-up with an invisible character in the e-mail',
      'signup',
      { email: 'zw\u200bsp@example.com', password },
      'email',
    ],
    [
      'sign-up with NUL in the password',
      'signup',
      { email: 'nul-password@example.com', password: 'long enough\u0000' },
      'password',
    ],
    [
      'sign-up with an unpaired surrogate in the password',
      'signup',
      { email: 'surrogate@example.com', password: 'long enough\ud800' },
      'password',
    ],
    [
      'sign-up with NUL in the user metadata',
      'signup',
      { email: 'meta@example.com', password, data: { plan: 'x\u0000' } },
      'data',
    ],
    [
      'sign-up with NUL in a user metadata key',
      'signup',
      { email: 'meta-key@example.com', password, data: { 'a\u0000': 1 } },
      'data',
    ],
    [
      'password sign-in with NUL in the e-mail',
      'token?grant_type=password',
      { email: 'ada\u0000@example.com', password },
      'email',
    ],
    [
      'password sign-in with NUL in the password',
      'token?grant_type=password',
      { email: 'ada@example.com', password: 'x\u0000' },
      'password',
    ],
  ];
  it.each(unstorable)(
    'refuses %s with 400 validation_failed naming the field, storing nothing',
    async (_what, path, body, field) => {
      const users = async () => (await sql.query<{ n: number }>('select count(*)::int as n from auth.users'))[0]!.n;
      const before = await users();
      const res = await fetch(`${server.url}/auth/v1/${path}`, {
        method: 'POST',
        headers: { apikey: config.auth.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'validation_failed', field, msg: expect.stringContaining(field) });
      expect(await users()).toBe(before);
    },
  );

  it('refuses user metadata nested too deep to store (serialising it overflowed the stack: a 500)', async () => {
    const body = `{"email":"deep@example.com","password":"long enough","data":{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    const res = await fetch(`${server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: config.auth.anonKey },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'validation_failed', field: 'data' });
  });

  it('refuses a body that is not UTF-8 with 400', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"email":"bad'),
      0xff,
      ...new TextEncoder().encode('@example.com","password":"long enough"}'),
    ]);
    const res = await fetch(`${server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: config.auth.anonKey },
      body: bytes,
    });
    expect(res.status).toBe(400);
  });

  it('stores only a PBKDF2 hash and never logs passwords or tokens', async () => {
    const signed = await client().auth.signUp({ email: 'hash@example.com', password });
    const rows = await sql.query<{ encrypted_password: string }>(
      `select encrypted_password from auth.users where email = 'hash@example.com'`,
    );
    expect(rows[0]!.encrypted_password).toMatch(/^pbkdf2-sha256\$\d+\$/);
    expect(rows[0]!.encrypted_password).not.toContain(password);
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(signed.data.session!.access_token);
    expect(logs).not.toContain(signed.data.session!.refresh_token);
  });
});
