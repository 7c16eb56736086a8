/**
 * "May this call start?" for every reason GET entitlement gives (docs/http-api.md#entitlement), each a customer's
 * story on the whole local stack and a Stripe test clock: no subscription, ok, the spend cap reached (while the calls
 * that finished anyway are still recorded), canceled, and past_due — allowed during the grace period counted from the
 * failed invoice on the customer's clock, refused after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  reportCall,
  settled,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  type Customer,
} from '../scenarios/world.ts';

const entitlementOf = (stack: TestStack, orgId: string) =>
  stack.call(`entitlement?org_id=${orgId}`, { token: stack.serviceRoleKey });

/** Every story on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set (docs/conventions.md#tests). */
const DATABASES = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(DATABASES)('%s: entitlement: may a new call start?', (database) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('no_subscription: an organisation that never subscribed may not start calls', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Never');
    const res = await entitlementOf(stack, org.orgId);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      allowed: false,
      reason: 'no_subscription',
      plan: null,
      status: null,
      period_end: null,
      included_minutes: 0,
      minutes_used: 0,
      minutes_left_included: 0,
      overage_minutes: 0,
      overage_cost_cents: 0,
      spend_cap_cents: null,
    });
  });

  it('ok: a Starter customer with minutes left is allowed, with the figures of the cycle of its clock', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Ok');
    await subscribe(stack, org, 'Starter', 'monthly');
    await reportCall(stack, org, 'ok-1', 120, '2026-11-05T10:00:00Z');
    const res = await entitlementOf(stack, org.orgId);
    expect(res.json).toMatchObject({
      allowed: true,
      reason: 'ok',
      plan: { name: 'Starter' },
      status: 'active',
      period_end: '2026-12-01T00:00:00.000Z',
      included_minutes: 500,
      minutes_used: 120,
      minutes_left_included: 380,
      overage_minutes: 0,
      overage_cost_cents: 0,
      spend_cap_cents: null,
    });
  });

  it('spend_cap_reached: with a €10 cap, 20 extra minutes stop new calls — and a call that finished anyway is still recorded', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Capped');
    await subscribe(stack, org, 'Starter', 'monthly');
    const cap = await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 1_000 } });
    expect(cap.status).toBe(200);

    await reportCall(stack, org, 'cap-1', 510, '2026-11-05T10:00:00Z');
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: true,
      reason: 'ok',
      overage_cost_cents: 500,
      spend_cap_cents: 1_000,
    });
    await reportCall(stack, org, 'cap-2', 10, '2026-11-06T10:00:00Z');
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: false,
      reason: 'spend_cap_reached',
      minutes_used: 520,
      minutes_left_included: 0,
      overage_minutes: 20,
      overage_cost_cents: 1_000,
      spend_cap_cents: 1_000,
    });

    const finishedAnyway = await reportCall(stack, org, 'cap-3', 7, '2026-11-07T10:00:00Z');
    expect(finishedAnyway.status).toBe(200);
    expect(finishedAnyway.json.cycle).toMatchObject({ minutes_used: 527, overage_cost_cents: 1_350 });
    expect((await summaryOf(stack, org)).spend_cap).toEqual({
      monthly_overage_cap_cents: 1_000,
      used_cents: 1_350,
      currency: 'eur',
      reached: true,
    });

    // Raising the cap lets calls start again; removing it too.
    await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 5_000 } });
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({ allowed: true, reason: 'ok' });
    await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: null } });
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: true,
      reason: 'ok',
      spend_cap_cents: null,
    });
  });

  it('a cap of 0 stops new calls once the included minutes are used up', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Zero Cap');
    await subscribe(stack, org, 'Starter', 'monthly');
    await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 0 } });
    await reportCall(stack, org, 'zero-1', 499, '2026-11-05T10:00:00Z');
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({ allowed: true, reason: 'ok' });
    await reportCall(stack, org, 'zero-2', 1, '2026-11-05T11:00:00Z');
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: false,
      reason: 'spend_cap_reached',
      minutes_left_included: 0,
      overage_cost_cents: 0,
    });
  });

  it('canceled: once Stripe cancels the subscription, new calls are refused', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Canceled');
    const { subscriptionId } = await subscribe(stack, org, 'Starter', 'monthly');
    await stack.stripe.subscriptions.cancel(subscriptionId);
    await settled(stack);
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: false,
      reason: 'canceled',
      status: 'canceled',
      plan: { name: 'Starter' },
    });
  });

  it('past_due: allowed for 3 days from the failed renewal on the customer clock, refused after', async () => {
    const org: Customer = await signUpWithOrganisation(stack, 'Entitled Unlucky');
    await subscribe(stack, org, 'Starter', 'monthly', 'pm_card_chargeCustomerFail');

    await advanceTo(stack, org, '2026-12-01T02:00:00Z');
    const failedAt = (
      await stack.sql.query<{ payment_failed_at: Date }>(
        'select payment_failed_at from subscriptions where org_id = $1',
        [org.orgId],
      )
    )[0]!.payment_failed_at;
    // Stored from the invoice.payment_failed event: the customer's clock at the renewal, not our wall clock.
    expect(new Date(failedAt).getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-01T00:00:00Z'));
    expect(new Date(failedAt).getTime()).toBeLessThanOrEqual(Date.parse('2026-12-01T02:00:00Z'));
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: true,
      reason: 'past_due',
      status: 'past_due',
    });

    // Still inside the grace two days later (Stripe's retry on day 1 failed again: the grace does not restart).
    await advanceTo(stack, org, '2026-12-03T02:00:00Z');
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({ allowed: true, reason: 'past_due' });

    // Past the grace: three days and a bit after the failure, the clock moved without any webhook about it.
    await advanceTo(stack, org, new Date(new Date(failedAt).getTime() + 3 * 86_400_000 + 60_000).toISOString());
    expect((await entitlementOf(stack, org.orgId)).json).toMatchObject({
      allowed: false,
      reason: 'past_due',
      status: 'past_due',
    });
  });

  it('refuses without a backend key, a malformed org_id, and an unknown organisation', async () => {
    const org = await signUpWithOrganisation(stack, 'Entitled Guarded');
    expect((await stack.call(`entitlement?org_id=${org.orgId}`)).status).toBe(401);
    expect((await stack.call(`entitlement?org_id=${org.orgId}`, { token: org.token })).status).toBe(401);
    const bad = await stack.call('entitlement?org_id=nope', { token: stack.serviceRoleKey });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid_request', field: 'org_id' });
    const missing = await stack.call('entitlement', { token: stack.serviceRoleKey });
    expect(missing.json).toMatchObject({ error: 'invalid_request', field: 'org_id' });
    const unknown = await entitlementOf(stack, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'organisation_not_found', field: 'org_id' });
  });
});
