/**
 * Phase 5, "yearly billing": the yearly price is twelve months less 10 %, paid once; the included minutes still
 * reset every month and overage is invoiced monthly (docs/design.md#billing-cycles-and-periods: a yearly flat item
 * plus a monthly metered item on one subscription).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  invoicesOf,
  linesOf,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
} from './world.ts';

describe('a Growth customer paying yearly', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('pays €3,952.80 (12 × €366 − 10 %) + €249 once, gets a monthly usage window and a month-end invoice for the overage only', async () => {
    const org = await signUpWithOrganisation(stack, 'Yearly Voice');
    const { subscriptionId } = await subscribe(stack, org, 'Growth', 'yearly');

    const [first] = await invoicesOf(stack, org);
    expect(first!.total).toBe(395_280 + 24_900);
    expect(395_280).toBe(Math.round(12 * 36_600 * 0.9));

    // The webhook handler added the monthly metered item of the plan — exactly one.
    const sub = await stack.stripe.subscriptions.retrieve(subscriptionId);
    const metered = sub.items.data.filter((i) => i.price.recurring?.usage_type === 'metered');
    expect(metered).toHaveLength(1);
    expect(metered[0]!.price.recurring?.interval).toBe('month');

    const summary = await summaryOf(stack, org);
    expect(summary.subscription).toMatchObject({
      billing_period: 'yearly',
      status: 'active',
      current_period_start: '2026-11-01T00:00:00.000Z',
      current_period_end: '2027-11-01T00:00:00.000Z',
    });
    expect(summary.usage).toMatchObject({
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      included_minutes: 1_000,
    });

    await reportCall(stack, org, 'yearly-1', 1_200, '2026-11-20T10:00:00Z');
    await usageDelivered(stack);
    await advanceTo(stack, org, '2026-12-01T02:00:00Z');

    const monthEnd = (await invoicesOf(stack, org)).at(-1)!;
    expect(monthEnd.id).not.toBe(first!.id);
    expect(linesOf(monthEnd)).toEqual(['1200 × AiSyst Growth (at tiered / month): €100.00']);
    expect(monthEnd.total).toBe(10_000);
    // December: a fresh monthly window, the yearly term unchanged.
    const december = await summaryOf(stack, org);
    expect(december.usage).toMatchObject({
      period_start: '2026-12-01T00:00:00.000Z',
      minutes_used: 0,
      included_minutes: 1_000,
    });
    expect(december.subscription.current_period_end).toBe('2027-11-01T00:00:00.000Z');
  });

  it('cancels at the end of the YEAR with cancel_at "max_period_end" (cancel_at_period_end would end it with the month)', async () => {
    const org = await signUpWithOrganisation(stack, 'Yearly Leaving');
    const { subscriptionId } = await subscribe(stack, org, 'Starter', 'yearly');
    await stack.stripe.subscriptions.update(subscriptionId, { cancel_at: 'max_period_end' });
    await advanceTo(stack, org, '2026-11-02T00:00:00Z');
    expect((await summaryOf(stack, org)).subscription).toMatchObject({
      status: 'active',
      cancel_at: '2027-11-01T00:00:00.000Z',
      current_period_end: '2027-11-01T00:00:00.000Z',
    });

    // A month later it is still running, with a fresh monthly usage window.
    await advanceTo(stack, org, '2026-12-01T02:00:00Z');
    const december = await summaryOf(stack, org);
    expect(december.subscription.status).toBe('active');
    expect(december.usage).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', included_minutes: 500 });
  });

  it('handled every webhook on its first delivery (no 5xx for Stripe to retry)', () => {
    const deliveries = stack.logs.filter((l) => l.includes('"path":"/functions/v1/stripe-webhook-handler"'));
    expect(deliveries.filter((l) => l.includes('"status":200')).length).toBeGreaterThan(0);
    expect(deliveries.filter((l) => /"status":5\d\d/.test(l))).toEqual([]);
  });
});
