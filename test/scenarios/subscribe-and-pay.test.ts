/**
 * Phase 5, "full flow": Signup → Select Plan → Pay → Dashboard shows the active subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  invoicesOf,
  linesOf,
  payAtCheckout,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
} from './world.ts';

describe('a new customer subscribes to Starter monthly', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('signs up, picks Starter, pays with 4242… and the dashboard shows the plan active with 500 minutes', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Voice');
    expect(await summaryOf(stack, acme)).toMatchObject({ subscription: null, usage: null, invoices: [] });

    await subscribe(stack, acme, 'Starter', 'monthly');

    const summary = await summaryOf(stack, acme);
    expect(summary.subscription).toMatchObject({
      plan: { name: 'Starter' },
      billing_period: 'monthly',
      status: 'active',
      current_period_start: '2026-11-01T00:00:00.000Z',
      current_period_end: '2026-12-01T00:00:00.000Z',
      cancel_at_period_end: false,
    });
    expect(summary.usage).toEqual({
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      minutes_used: 0,
      included_minutes: 500,
      overage_minutes: 0,
      overage_cost_cents: 0,
      currency: 'eur',
    });
    // The first invoice: the month in advance plus the one-time setup fee.
    expect(summary.invoices).toEqual([
      expect.objectContaining({ status: 'paid', total_cents: 20_400 + 24_900, currency: 'eur' }),
    ]);
    const [first] = await invoicesOf(stack, acme);
    expect(linesOf(first!)).toEqual(
      expect.arrayContaining(['1 × AiSyst Starter (at 204.00 EUR / month): €204.00', '1 × AiSyst Setup Fee: €249.00']),
    );
  });

  it('cannot buy a second plan while the first is live (409 already_subscribed)', async () => {
    const org = await signUpWithOrganisation(stack, 'Twice Ltd');
    await subscribe(stack, org, 'Starter', 'monthly');
    const again = await stack.call('create-checkout-session', {
      token: org.token,
      body: { plan_id: (await summaryOf(stack, org)).subscription.plan.id, billing_period: 'yearly' },
    });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('already_subscribed');
  });

  it('a declined card (…0002) leaves the session open and creates no subscription', async () => {
    const org = await signUpWithOrganisation(stack, 'Declined Ltd');
    const plans = await stack.call('plans');
    const checkout = await stack.call('create-checkout-session', {
      token: org.token,
      body: { plan_id: plans.json.plans[0].id, billing_period: 'monthly' },
    });
    expect(await payAtCheckout(stack, checkout.json.session_id, 'pm_card_chargeDeclined')).toBe(402);
    expect((await summaryOf(stack, org)).subscription).toBeNull();
  });

  it('nobody sees or buys for an organisation they do not own', async () => {
    const owner = await signUpWithOrganisation(stack, 'Owner Co');
    const intruder = await signUpWithOrganisation(stack, 'Intruder Co');
    const summary = await stack.call(`billing-summary?org_id=${owner.orgId}`, { token: intruder.token });
    expect([summary.status, summary.json.error]).toEqual([404, 'organisation_not_found']);
    const plans = await stack.call('plans');
    const checkout = await stack.call('create-checkout-session', {
      token: intruder.token,
      body: { plan_id: plans.json.plans[0].id, billing_period: 'monthly', org_id: owner.orgId },
    });
    expect([checkout.status, checkout.json.error]).toEqual([404, 'organisation_not_found']);
    const usage = await stack.call('report-usage', {
      token: intruder.token,
      body: { org_id: owner.orgId, call_id: 'sneaky', call_duration_seconds: 60 },
    });
    expect([usage.status, usage.json.error]).toEqual([401, 'unauthorized']);
    const anonymous = await stack.call('billing-summary');
    expect(anonymous.status).toBe(401);
  });

  it('handled every webhook on its first delivery (no 5xx for Stripe to retry)', () => {
    const deliveries = stack.logs.filter((l) => l.includes('"path":"/functions/v1/stripe-webhook-handler"'));
    expect(deliveries.filter((l) => l.includes('"status":200')).length).toBeGreaterThan(0);
    expect(deliveries.filter((l) => /"status":5\d\d/.test(l))).toEqual([]);
  });
});
