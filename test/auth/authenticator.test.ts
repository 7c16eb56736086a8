import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/adapters/auth/authenticator.ts';
import { constantTimeEqual, matchesAnyKey } from '../../src/domain/constant-time.ts';
import { serveFetch } from '../../src/entries/node/serve.ts';
import {
  DEFAULT_SUPABASE_ANON_KEY,
  DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
  parseConfig,
} from '../../src/config/parse-config.ts';
import { createApp } from '../../src/http/app.ts';
import { fakeContext } from '../http/fake-context.ts';
import { signToken, userToken } from './tokens.ts';

const USER = '0b9c2f5e-7d1a-4c36-8e2f-4a1b3c5d7e9f';
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
const local = () => createAuthenticator(parseConfig({}).auth);

describe('user JWTs (HS256 with SUPABASE_JWT_SECRET)', () => {
  it('accepts a valid access token and reads the user id and email', async () => {
    expect(await local().user(bearer(await userToken(USER)))).toEqual({ userId: USER, email: 'owner@example.com' });
  });

  const refused: Array<[string, () => Promise<string>]> = [
    ['an expired token', () => userToken(USER, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['the wrong audience', () => userToken(USER, { audience: 'someone-else' })],
    ['no audience at all', () => userToken(USER, { audience: null })],
    ['the wrong secret', () => userToken(USER, { secret: 'an-entirely-different-secret-of-32-characters!' })],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ sub: USER, role: 'authenticated' })
          .setAudience('authenticated')
          .setExpirationTime('1h')
          .encode(),
    ],
    ['a sub that is not a uuid', () => signToken({ sub: 'admin', role: 'authenticated' })],
    ['no sub', () => signToken({ role: 'authenticated' })],
    ['the anon key', async () => DEFAULT_SUPABASE_ANON_KEY],
    ['the service-role key (it is not a user)', async () => DEFAULT_SUPABASE_SERVICE_ROLE_KEY],
    ['garbage', async () => 'a.b.c'],
  ];
  it.each(refused.map(([what, make]) => ({ what, make })))('refuses $what', async ({ make }) => {
    expect(await local().user(bearer(await make()))).toBeUndefined();
  });

  it('refuses a token without a Bearer header', async () => {
    expect(await local().user(new Headers({ authorization: await userToken(USER) }))).toBeUndefined();
    expect(await local().user(new Headers())).toBeUndefined();
  });

  it('does not trust the public local secret for a hosted project', async () => {
    const hosted = createAuthenticator(
      parseConfig({ SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_JWKS: '{"keys":[]}' }).auth,
    );
    expect(await hosted.user(bearer(await userToken(USER)))).toBeUndefined();
  });
});

describe('user JWTs against a JWKS (ES256)', () => {
  it('accepts a token signed by a key of SUPABASE_JWKS and refuses one signed by another key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const auth = createAuthenticator(parseConfig({ SUPABASE_JWKS: JSON.stringify({ keys: [jwk] }) }).auth);
    const sign = (key: CryptoKey) =>
      new SignJWT({ sub: USER, role: 'authenticated' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(key);
    expect(await auth.user(bearer(await sign(privateKey)))).toMatchObject({ userId: USER });
    expect(await auth.user(bearer(await sign(other.privateKey)))).toBeUndefined();
  });
});

describe('user JWTs against the project JWKS endpoint (SUPABASE_URL)', () => {
  it('fetches SUPABASE_URL/auth/v1/.well-known/jwks.json and verifies with it', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'rs1', alg: 'RS256', use: 'sig' };
    const requested: string[] = [];
    const server = await serveFetch(
      async (req) => {
        requested.push(new URL(req.url).pathname);
        return Response.json({ keys: [jwk] });
      },
      { port: 0 },
    );
    try {
      const auth = createAuthenticator(parseConfig({ SUPABASE_URL: server.url }).auth);
      const token = await new SignJWT({ sub: USER, role: 'authenticated' })
        .setProtectedHeader({ alg: 'RS256', kid: 'rs1' })
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(privateKey);
      expect(await auth.user(bearer(token))).toMatchObject({ userId: USER });
      expect(requested).toEqual(['/auth/v1/.well-known/jwks.json']);
    } finally {
      await server.close();
    }
  });
});

describe('a JWKS endpoint that is down is an outage (503), not a bad token (401)', () => {
  const es256Token = async () => {
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT({ sub: USER, role: 'authenticated' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(privateKey);
  };

  it('answers 503 auth_unavailable when the endpoint answers 5xx', async () => {
    const server = await serveFetch(async () => new Response('upstream connect error', { status: 502 }), { port: 0 });
    try {
      const auth = createAuthenticator(parseConfig({ SUPABASE_URL: server.url }).auth);
      await expect(auth.user(bearer(await es256Token()))).rejects.toMatchObject({
        code: 'auth_unavailable',
        status: 503,
      });
    } finally {
      await server.close();
    }
  });

  it('answers 503 auth_unavailable when the endpoint cannot be reached, through the app too', async () => {
    const server = await serveFetch(async () => Response.json({ keys: [] }), { port: 0 });
    await server.close(); // nobody listens there any more: connection refused
    const { ctx } = fakeContext({}, { SUPABASE_URL: server.url });
    const app = createApp(ctx, [{ name: 'mine', method: 'GET', auth: 'user', handle: async () => Response.json({}) }]);
    const res = await app.fetch(
      new Request('http://local.test/functions/v1/mine', {
        headers: { authorization: `Bearer ${await es256Token()}` },
      }),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'auth_unavailable' });
  });

  it('still answers 401 for a token the reachable JWKS does not know', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const server = await serveFetch(async () => Response.json({ keys: [jwk] }), { port: 0 });
    try {
      const auth = createAuthenticator(parseConfig({ SUPABASE_URL: server.url }).auth);
      expect(await auth.user(bearer(await es256Token()))).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('backend callers', () => {
  const env = {
    SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-for-tests',
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_abc123","ci":"sb_secret_def456"}',
  };
  const backend = () => createAuthenticator(parseConfig(env).auth);

  it('accepts the service-role key and every secret key, as Bearer or apikey', async () => {
    expect(await backend().backend(bearer('service-role-key-for-tests'))).toBe(true);
    expect(await backend().backend(bearer('sb_secret_def456'))).toBe(true);
    expect(await backend().backend(new Headers({ apikey: 'sb_secret_abc123' }))).toBe(true);
  });

  it('accepts a JWT with role=service_role signed with the project secret', async () => {
    expect(await backend().backend(bearer(await signToken({ role: 'service_role' }, { audience: null })))).toBe(true);
  });

  it('refuses user tokens, the anon key, near-misses and forged service-role JWTs', async () => {
    const b = backend();
    expect(await b.backend(bearer(await userToken(USER)))).toBe(false);
    expect(await b.backend(new Headers({ apikey: DEFAULT_SUPABASE_ANON_KEY }))).toBe(false);
    expect(await b.backend(bearer('sb_secret_abc12'))).toBe(false);
    expect(await b.backend(bearer('sb_secret_abc1234'))).toBe(false);
    expect(
      await b.backend(
        bearer(
          await signToken(
            { role: 'service_role' },
            { audience: null, secret: 'forged-forged-forged-forged-forged-forged' },
          ),
        ),
      ),
    ).toBe(false);
    expect(await b.backend(new Headers())).toBe(false);
  });

  it('does not accept the public demo service-role key on a hosted project', async () => {
    const hosted = createAuthenticator(
      parseConfig({ SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_SECRET_KEYS: 'sb_secret_real' }).auth,
    );
    expect(await hosted.backend(bearer(DEFAULT_SUPABASE_SERVICE_ROLE_KEY))).toBe(false);
    expect(await hosted.backend(bearer('sb_secret_real'))).toBe(true);
  });
});

describe('the public local defaults (secret and demo service-role key anyone can use)', () => {
  const forged = () => signToken({ role: 'service_role' }, { audience: null });

  it('are trusted by the local stack, including SUPABASE_URL on loopback', async () => {
    for (const env of [{}, { SUPABASE_URL: 'http://127.0.0.1:54321' }, { SUPABASE_URL: 'http://localhost:54321' }]) {
      const auth = createAuthenticator(parseConfig(env).auth);
      expect(await auth.backend(bearer(await forged()))).toBe(true);
      expect(await auth.backend(bearer(DEFAULT_SUPABASE_SERVICE_ROLE_KEY))).toBe(true);
      expect(await auth.user(bearer(await userToken(USER)))).toMatchObject({ userId: USER });
    }
  });

  it.each([
    ['deployed, SUPABASE_URL unset', {}, true],
    ['deployed, self-hosted SUPABASE_URL=http://kong:8000', { SUPABASE_URL: 'http://kong:8000' }, true],
    ['deployed, SUPABASE_URL on loopback', { SUPABASE_URL: 'http://127.0.0.1:54321' }, true],
    [
      'not flagged deployed, but SUPABASE_URL=http://kong:8000 (self-hosted gateway)',
      { SUPABASE_URL: 'http://kong:8000' },
      false,
    ],
  ] as const)('are refused when %s', async (_what, env, deployed) => {
    const auth = createAuthenticator({ ...parseConfig({ SUPABASE_JWKS: '{"keys":[]}', ...env }).auth, deployed });
    expect(await auth.backend(bearer(await forged()))).toBe(false);
    expect(await auth.backend(new Headers({ apikey: DEFAULT_SUPABASE_SERVICE_ROLE_KEY }))).toBe(false);
    expect(await auth.user(bearer(await userToken(USER)))).toBeUndefined();
  });

  it('a deployed function keeps accepting the project’s own secret and keys', async () => {
    const secret = 'the-projects-own-jwt-secret-nobody-else-knows-0123';
    const auth = createAuthenticator({
      ...parseConfig({ SUPABASE_JWT_SECRET: secret, SUPABASE_SERVICE_ROLE_KEY: 'own-service-role-key' }).auth,
      deployed: true,
    });
    expect(await auth.backend(bearer(await signToken({ role: 'service_role' }, { audience: null, secret })))).toBe(
      true,
    );
    expect(await auth.backend(bearer('own-service-role-key'))).toBe(true);
    expect(await auth.user(bearer(await userToken(USER, { secret })))).toMatchObject({ userId: USER });
  });
});

describe('constantTimeEqual and matchesAnyKey', () => {
  it('is plain equality on its results, whatever the lengths and characters', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
    expect(constantTimeEqual('abc\u0000', 'abc')).toBe(false);
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('matches any non-empty key, and never an empty one', () => {
    expect(matchesAnyKey('k2', ['k1', 'k2', 'k3'])).toBe(true);
    expect(matchesAnyKey('k4', ['k1', 'k2', 'k3'])).toBe(false);
    expect(matchesAnyKey('', ['', 'k1'])).toBe(false);
    expect(matchesAnyKey('k1', [])).toBe(false);
  });
});
