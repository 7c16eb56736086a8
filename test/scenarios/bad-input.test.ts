/**
 * Bad input, endpoint by endpoint, over HTTP: each answers 4xx with its code from docs/http-api.md#error-codes
 * (naming the field where there is one) and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { planId, settled, signUpWithOrganisation, startWorld, type Customer } from './world.ts';

describe('bad input is refused and writes nothing', () => {
  let stack: TestStack;
  let org: Customer;
  let starter: string;
  let nothing: Record<string, number> | undefined;
  beforeAll(async () => {
    stack = await startWorld({ deliverer: false });
    org = await signUpWithOrganisation(stack, 'Careful Ltd');
    await stack.sql.query('update organisations set stripe_customer_id = null where id = $1', [org.orgId]);
    starter = await planId(stack, 'Starter');
    await settled(stack); // the customer's own Stripe events (customer.created, …) are in before we start
    nothing = await written();
    expect(nothing).toMatchObject({ usage: 0, subscriptions: 0, cycles: 0, customers: 0 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const written = async () =>
    (
      await stack.sql.query<Record<string, number>>(`select
      (select count(*)::int from usage_records) as usage, (select count(*)::int from subscriptions) as subscriptions,
      (select count(*)::int from billing_cycles) as cycles, (select count(*)::int from stripe_events) as events,
      (select count(*)::int from organisations where stripe_customer_id is not null) as customers,
      (select count(*)::int from organisations) as organisations, (select count(*)::int from auth.users) as users`)
    )[0];

  type Case = [
    name: string,
    request: () => {
      path: string;
      token?: string;
      body?: unknown;
      method?: 'GET' | 'POST';
      headers?: Record<string, string>;
    },
    status: number,
    code: string,
    field?: string,
  ];
  const user = () => org.token;
  const backend = () => stack.serviceRoleKey;
  const usage = (over: Record<string, unknown>) => ({
    org_id: org.orgId,
    call_id: 'c-1',
    call_duration_seconds: 60,
    ...over,
  });

  const cases: Case[] = [
    [
      'checkout without a token',
      () => ({ path: 'create-checkout-session', body: { plan_id: starter, billing_period: 'monthly' } }),
      401,
      'unauthorized',
    ],
    [
      'checkout with the backend key instead of a user',
      () => ({
        path: 'create-checkout-session',
        token: backend(),
        body: { plan_id: starter, billing_period: 'monthly' },
      }),
      401,
      'unauthorized',
    ],
    [
      'checkout without plan_id',
      () => ({ path: 'create-checkout-session', token: user(), body: { billing_period: 'monthly' } }),
      400,
      'invalid_request',
      'plan_id',
    ],
    [
      'checkout with billing_period "weekly"',
      () => ({ path: 'create-checkout-session', token: user(), body: { plan_id: starter, billing_period: 'weekly' } }),
      400,
      'invalid_request',
      'billing_period',
    ],
    [
      'checkout of an unknown plan',
      () => ({
        path: 'create-checkout-session',
        token: user(),
        body: { plan_id: '00000000-0000-4000-8000-000000000001', billing_period: 'monthly' },
      }),
      404,
      'plan_not_found',
      'plan_id',
    ],
    [
      'checkout with a body that is not JSON',
      () => ({ path: 'create-checkout-session', token: user(), body: '{"plan_id":' }),
      400,
      'invalid_json',
    ],
    [
      'checkout by GET',
      () => ({ path: 'create-checkout-session', token: user(), method: 'GET' }),
      405,
      'method_not_allowed',
    ],
    [
      'webhook without a signature',
      () => ({
        path: 'stripe-webhook-handler',
        body: { id: 'evt_1', type: 'invoice.paid', created: 1, data: { object: {} } },
      }),
      400,
      'invalid_signature',
    ],
    [
      'webhook with a forged signature',
      () => ({
        path: 'stripe-webhook-handler',
        body: { id: 'evt_1', type: 'invoice.paid' },
        headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      }),
      400,
      'invalid_signature',
    ],
    ['usage without a key', () => ({ path: 'report-usage', body: usage({}) }), 401, 'unauthorized'],
    ['usage with a user token', () => ({ path: 'report-usage', token: user(), body: usage({}) }), 401, 'unauthorized'],
    [
      'usage without call_id',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: undefined }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage with a 256-character call_id',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: 'x'.repeat(256) }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage with both durations',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_duration_minutes: 1 }) }),
      400,
      'invalid_request',
      'call_duration_seconds',
    ],
    [
      'usage with a negative duration',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_duration_seconds: -5 }) }),
      400,
      'invalid_request',
      'call_duration_seconds',
    ],
    [
      'usage longer than 24 hours',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_duration_seconds: 86_401 }) }),
      400,
      'invalid_request',
      'call_duration_seconds',
    ],
    [
      'usage with a bad ended_at',
      () => ({ path: 'report-usage', token: backend(), body: usage({ ended_at: '25/11/2026' }) }),
      400,
      'invalid_request',
      'ended_at',
    ],
    [
      'usage with a lone-surrogate call_id (stored as U+FFFD it collided with others)',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: 'c-\ud800' }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage with an invisible character in call_id',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: 'c-\u200b1' }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage with a right-to-left override in call_id',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: 'c-\u202e1' }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage with a line separator in call_id',
      () => ({ path: 'report-usage', token: backend(), body: usage({ call_id: 'c-\u20281' }) }),
      400,
      'invalid_request',
      'call_id',
    ],
    [
      'usage ending in year 0 (PostgreSQL has none)',
      () => ({ path: 'report-usage', token: backend(), body: usage({ ended_at: '0000-01-01T00:00:00Z' }) }),
      400,
      'invalid_request',
      'ended_at',
    ],
    [
      'usage ending after year 9999',
      () => ({ path: 'report-usage', token: backend(), body: usage({ ended_at: '9999-12-31T23:00:00-14:00' }) }),
      400,
      'invalid_request',
      'ended_at',
    ],
    [
      'usage by a browser preflight',
      () => ({
        path: 'report-usage',
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      }),
      204,
      '',
    ],
    [
      'usage for an unknown organisation',
      () => ({
        path: 'report-usage',
        token: backend(),
        body: usage({ org_id: '00000000-0000-4000-8000-000000000002' }),
      }),
      404,
      'organisation_not_found',
    ],
    ['summary without a token', () => ({ path: 'billing-summary' }), 401, 'unauthorized'],
    [
      'summary with a malformed org_id',
      () => ({ path: 'billing-summary?org_id=123', token: user() }),
      400,
      'invalid_request',
      'org_id',
    ],
    [
      'summary of an unknown organisation',
      () => ({ path: 'billing-summary?org_id=00000000-0000-4000-8000-000000000003', token: user() }),
      404,
      'organisation_not_found',
    ],
    ['summary by POST', () => ({ path: 'billing-summary', token: user(), body: {} }), 405, 'method_not_allowed'],
    ['plan change without a token', () => ({ path: 'change-plan', body: { plan_id: starter } }), 401, 'unauthorized'],
    [
      'plan change with a malformed plan_id',
      () => ({ path: 'change-plan', token: user(), body: { plan_id: 'growth' } }),
      400,
      'invalid_request',
      'plan_id',
    ],
    [
      'plan change without a subscription',
      () => ({ path: 'change-plan', token: user(), body: { plan_id: starter } }),
      409,
      'no_active_subscription',
    ],
    ['portal without a token', () => ({ path: 'create-portal-session', body: {} }), 401, 'unauthorized'],
    [
      'portal with a malformed org_id',
      () => ({ path: 'create-portal-session', token: user(), body: { org_id: 'acme' } }),
      400,
      'invalid_request',
      'org_id',
    ],
    [
      'portal before any checkout',
      () => ({ path: 'create-portal-session', token: user(), body: {} }),
      409,
      'no_active_subscription',
    ],
    [
      'an organisation name containing NUL',
      () => ({ path: 'organisations', token: user(), body: { name: 'Evil\u0000Ltd' } }),
      400,
      'invalid_request',
      'name',
    ],
    [
      'an organisation name with an unpaired surrogate',
      () => ({ path: 'organisations', token: user(), body: { name: 'Evil \udbff' } }),
      400,
      'invalid_request',
      'name',
    ],
    [
      'sign-up with NUL in the e-mail',
      () => ({
        path: '/auth/v1/signup',
        body: { email: 'nul\u0000@example.com', password: 'long enough' },
        headers: { apikey: stack.anonKey },
      }),
      400,
      'validation_failed',
      'email',
    ],
    [
      'sign-in with NUL in the e-mail',
      () => ({
        path: '/auth/v1/token?grant_type=password',
        body: { email: 'nul\u0000@example.com', password: 'long enough' },
        headers: { apikey: stack.anonKey },
      }),
      400,
      'validation_failed',
      'email',
    ],
    ['health by POST', () => ({ path: '/health', body: {} }), 405, 'method_not_allowed'],
    [
      'deliver-usage with a user token',
      () => ({ path: 'deliver-usage', token: user(), body: {} }),
      401,
      'unauthorized',
    ],
  ];

  it.each(cases)('%s', async (_name, request, status, code, field) => {
    const { path, token, body, method, headers } = request();
    const res = await stack.call(path, {
      ...(token ? { token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(method ? { method } : {}),
      ...(headers ? { headers } : {}),
    });
    expect(res.status).toBe(status);
    // Backend-only functions answer no browser (src/http/cors.ts): no CORS headers, whatever the answer.
    if (['report-usage', 'deliver-usage', 'stripe-webhook-handler'].includes(path))
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    if (status !== 204) {
      // GoTrue's shape on /auth/v1 (code, msg), ours elsewhere (error, message: docs/http-api.md#the-error-envelope).
      expect(res.json.error ?? res.json.code).toBe(code);
      expect(typeof (res.json.message ?? res.json.msg)).toBe('string');
    }
    if (field) expect(res.json.field).toBe(field);
    expect(await written()).toEqual(nothing);
  });

  it('usage whose body is not UTF-8 is refused before parsing: two such call_ids were one U+FFFD', async () => {
    for (const bad of [0xfe, 0xff]) {
      const body = new Uint8Array([
        ...new TextEncoder().encode(`{"org_id":"${org.orgId}","call_id":"c-`),
        bad,
        ...new TextEncoder().encode('","call_duration_seconds":60}'),
      ]);
      const res = await fetch(`${stack.url}/functions/v1/report-usage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${backend()}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_json' });
    }
    expect(await written()).toEqual(nothing);
  });

  it('deliver-usage with an empty body, as a scheduler sends it, answers what it did', async () => {
    const res = await fetch(`${stack.url}/functions/v1/deliver-usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${backend()}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 0, failed: 0, pending: 0 });
  });

  it('deliver-usage with the backend key answers what it did', async () => {
    const res = await stack.call('deliver-usage', { token: backend(), body: {} });
    expect(res).toMatchObject({ status: 200, json: { sent: 0, failed: 0, pending: 0 } });
  });
});
