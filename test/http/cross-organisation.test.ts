/**
 * Invariant 6 of docs/design.md#architecture-and-invariants through the HTTP API: a user sees and acts only on
 * organisations they own, and backend-only endpoints accept only backend keys. Another user's organisation is answered
 * exactly like one that does not exist (404 organisation_not_found), so ids cannot be probed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let alice: { userId: string; accessToken: string };
let bob: { userId: string; accessToken: string };
let aliceOrg: { id: string };
let planId: string;

beforeAll(async () => {
  stack = await startTestStack();
  alice = await stack.signUp();
  bob = await stack.signUp();
  aliceOrg = await stack.createOrganisation(alice.accessToken, 'Alice Voice');
  await stack.createOrganisation(bob.accessToken, 'Bob Calls');
  planId = (await stack.call('plans')).json.plans[0].id;
});
afterAll(async () => {
  await stack?.close();
});

describe('another user’s organisation', () => {
  it('is not found in billing-summary, exactly like an id that does not exist', async () => {
    const other = await stack.call(`billing-summary?org_id=${aliceOrg.id}`, { token: bob.accessToken });
    const missing = await stack.call(`billing-summary?org_id=${crypto.randomUUID()}`, { token: bob.accessToken });
    expect(other.status).toBe(404);
    expect(other.json.error).toBe('organisation_not_found');
    expect(other.json).toEqual(missing.json);
  });

  it('cannot be sent to Checkout', async () => {
    const res = await stack.call('create-checkout-session', {
      token: bob.accessToken,
      body: { plan_id: planId, billing_period: 'monthly', org_id: aliceOrg.id },
    });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('organisation_not_found');
    const rows = await stack.sql.query<{ stripe_customer_id: string | null }>(
      'select stripe_customer_id from organisations where id = $1',
      [aliceOrg.id],
    );
    expect(rows[0]!.stripe_customer_id).toBeNull();
  });

  it('stays reachable for its owner', async () => {
    const res = await stack.call(`billing-summary?org_id=${aliceOrg.id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.json.organisation).toEqual({ id: aliceOrg.id, name: 'Alice Voice' });
  });
});

describe('backend-only endpoints', () => {
  const usage = () => ({ org_id: aliceOrg.id, call_id: `call-${crypto.randomUUID()}`, call_duration_seconds: 61 });

  it('refuse a user’s token, the anon key and no key', async () => {
    for (const token of [alice.accessToken, stack.anonKey, undefined]) {
      const res = await stack.call('report-usage', { ...(token ? { token } : {}), body: usage() });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('unauthorized');
    }
    const rows = await stack.sql.query<{ n: number }>('select count(*)::int as n from usage_records');
    expect(rows[0]!.n).toBe(0);
  });

  it('accept the service-role key', async () => {
    const res = await stack.call('report-usage', { token: stack.serviceRoleKey, body: usage() });
    // Alice has no subscription: recorded, unbilled, and said so (docs/http-api.md#report-usage) — but authenticated.
    expect(res.status).toBe(409);
    expect(res.json.error).toBe('no_active_subscription');
  });
});
