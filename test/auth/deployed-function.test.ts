/**
 * The story of H2: Supabase CLI's JWT secret and demo keys are public, so anyone can sign a `service_role` JWT with
 * them. The local stack trusts them (that is what `npm start` runs on); a deployed Edge Function never does, even
 * when SUPABASE_URL is unset or is self-hosted Supabase's http://kong:8000.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SUPABASE_SERVICE_ROLE_KEY } from '../../src/config/parse-config.ts';
import { createApp } from '../../src/http/app.ts';
import { allRoutes } from '../../src/http/routes/index.ts';
import { createFunctionApp } from '../../supabase/functions/_shared/function-app.ts';
import { fakeContext } from '../http/fake-context.ts';
import { signToken, userToken } from './tokens.ts';

const USER = '0b9c2f5e-7d1a-4c36-8e2f-4a1b3c5d7e9f';
const OWN_SECRET = 'the-projects-own-jwt-secret-nobody-else-knows-0123';
// A database nobody listens on: every request below is decided before the database is asked.
const DEPLOYED_ENV = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  STRIPE_SECRET_KEY: 'sk_test_deployed',
  WEBSITE_URL: 'https://aisyst.example',
};

const reportUsage = (path: string, token: string) =>
  new Request(`http://functions.local${path}`, {
    method: 'POST',
    body: '{}',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
const forgedServiceRole = () => signToken({ role: 'service_role' }, { audience: null });

function deployed(env: Record<string, string> = {}) {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  const app = createFunctionApp('report-usage', { ...DEPLOYED_ENV, ...env });
  return { app, lines };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a service_role JWT forged with the public local secret', () => {
  it('is accepted by the local stack (that is its secret)', async () => {
    const { ctx } = fakeContext();
    const res = await createApp(ctx, allRoutes()).fetch(
      reportUsage('/functions/v1/report-usage', await forgedServiceRole()),
    );
    // Past authentication: the empty body is what is refused.
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    ['SUPABASE_URL unset', {}],
    ['self-hosted SUPABASE_URL=http://kong:8000', { SUPABASE_URL: 'http://kong:8000' }],
    ['SUPABASE_URL on localhost', { SUPABASE_URL: 'http://127.0.0.1:54321' }],
  ])('is refused by a deployed function with %s', async (_what, env) => {
    const { app } = deployed(env);
    const res = await app.fetch(reportUsage('/report-usage', await forgedServiceRole()));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('the demo service-role key itself and a user forged the same way are refused when deployed too', async () => {
    const { app } = deployed({ SUPABASE_URL: 'http://kong:8000' });
    expect((await app.fetch(reportUsage('/report-usage', DEFAULT_SUPABASE_SERVICE_ROLE_KEY))).status).toBe(401);
    const billing = createFunctionApp('billing-summary', DEPLOYED_ENV);
    const res = await billing.fetch(
      new Request('http://functions.local/billing-summary', {
        headers: { authorization: `Bearer ${await userToken(USER)}` },
      }),
    );
    expect(res.status).toBe(401);
  });

  it('a deployed function still accepts a service_role JWT signed with the project’s own secret', async () => {
    const { app } = deployed({ SUPABASE_JWT_SECRET: OWN_SECRET, SUPABASE_URL: 'http://kong:8000' });
    const res = await app.fetch(
      reportUsage('/report-usage', await signToken({ role: 'service_role' }, { audience: null, secret: OWN_SECRET })),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect((await app.fetch(reportUsage('/report-usage', await forgedServiceRole()))).status).toBe(401);
  });

  it('the operator is told once, at start, which variables hold public defaults (names, never values)', async () => {
    const { app, lines } = deployed();
    await app.fetch(reportUsage('/report-usage', await forgedServiceRole()));
    await app.fetch(reportUsage('/report-usage', await forgedServiceRole()));
    const warnings = lines.filter((l) => l.includes('public local Supabase defaults are refused'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      level: 'error',
      variables: ['SUPABASE_JWT_SECRET', 'SUPABASE_SERVICE_ROLE_KEY'],
    });
    expect(lines.join('\n')).not.toContain('super-secret-jwt-token');
    expect(lines.join('\n')).not.toContain(DEFAULT_SUPABASE_SERVICE_ROLE_KEY);
  });

  it('says nothing when the project’s own secret and keys are set', () => {
    const { lines } = deployed({
      SUPABASE_JWT_SECRET: OWN_SECRET,
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-of-the-project',
    });
    expect(lines.filter((l) => l.includes('public local Supabase defaults'))).toEqual([]);
  });
});
