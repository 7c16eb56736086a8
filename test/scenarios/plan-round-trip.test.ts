/**
 * Issue 8, defect 10: Starter → Growth → Starter in one month used to restart Starter's 500 included minutes
 * (Stripe starts a swapped graduated price from zero), so 100 more minutes billed nothing and the dashboard read
 * "0 of 500". Now an upgrade takes effect at once and a downgrade waits for the period end (a subscription
 * schedule): the rest of the month stays on Growth's terms, December is Starter, invoices to the cent. An owner can
 * cancel a pending downgrade by asking for the plan they have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  euros,
  invoicesOf,
  planId,
  reportCall,
  settled,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
  type Customer,
} from './world.ts';

describe('a plan round trip in one month', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const changePlan = async (c: Customer, plan: string) => {
    const res = await stack.call<Record<string, unknown>>('change-plan', {
      token: c.token,
      body: { plan_id: await planId(stack, plan) },
    });
    await settled(stack);
    return res;
  };

  it('516 minutes on Starter, → Growth now, → Starter at the period end: no second allowance, €293.00 then €254.00', async () => {
    const acme = await signUpWithOrganisation(stack, 'Round Trip');
    const { subscriptionId } = await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');
    await reportCall(stack, acme, 'rt-1', 516, '2026-11-10T09:00:00Z');
    await usageDelivered(stack);

    await advanceTo(stack, acme, '2026-11-16T00:00:00Z');
    expect(await changePlan(acme, 'Growth')).toMatchObject({
      status: 200,
      json: { changed: true, effective_at: null, pending_change: null },
    });
    const down = await changePlan(acme, 'Starter');
    expect(down).toMatchObject({
      status: 200,
      json: {
        plan_id: await planId(stack, 'Starter'),
        changed: true,
        effective_at: '2026-12-01T00:00:00.000Z',
        pending_change: { plan: { name: 'Starter' }, effective_at: '2026-12-01T00:00:00.000Z' },
      },
    });
    // A repeat changes nothing twice.
    expect(await changePlan(acme, 'Starter')).toMatchObject({
      status: 200,
      json: { changed: false, effective_at: '2026-12-01T00:00:00.000Z' },
    });

    const during = await summaryOf(stack, acme);
    expect(during.subscription).toMatchObject({
      plan: { name: 'Growth' },
      pending_change: { plan: { name: 'Starter' }, effective_at: '2026-12-01T00:00:00.000Z' },
    });
    expect(during.usage).toMatchObject({ minutes_used: 0, included_minutes: 1_000 });
    expect(during.usage_earlier_in_period).toMatchObject([
      { minutes_used: 516, overage_minutes: 16, overage_cost_cents: 800 },
    ]);

    // 100 more minutes in November: still Growth's terms (1,000 included), as Stripe bills them.
    await advanceTo(stack, acme, '2026-11-20T10:00:00Z');
    await reportCall(stack, acme, 'rt-2', 100, '2026-11-20T09:00:00Z');
    await usageDelivered(stack);
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      minutes_used: 100,
      included_minutes: 1_000,
      overage_cost_cents: 0,
    });

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    const december = (await invoicesOf(stack, acme)).at(-1)!;
    expect(december).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid' });
    // 204.00 December on Starter + 183.00 second half of November on Growth − 102.00 unused Starter + 8.00 Starter extra minutes
    expect(euros(december.total)).toBe('€293.00');
    const after = await summaryOf(stack, acme);
    expect(after.subscription).toMatchObject({
      plan: { name: 'Starter' },
      current_period_start: '2026-12-01T00:00:00.000Z',
      pending_change: null,
    });
    expect(after.usage).toMatchObject({
      period_start: '2026-12-01T00:00:00.000Z',
      minutes_used: 0,
      included_minutes: 500,
    });

    await reportCall(stack, acme, 'rt-3', 600, '2026-12-01T01:00:00Z');
    await usageDelivered(stack);
    await advanceTo(stack, acme, '2027-01-01T02:00:00Z');
    const january = (await invoicesOf(stack, acme)).at(-1)!;
    // 204.00 January + 100 Starter extra minutes of December at €0.50
    expect(euros(january.total)).toBe('€254.00');
    const sub = await stack.stripe.subscriptions.retrieve(subscriptionId);
    expect(sub.schedule).toBeNull();
    const cycles = await stack.sql.query<{ overage_cost_cents: number }>(
      `select overage_cost_cents from billing_cycles where org_id = $1 and period_start < '2027-01-01' order by period_start`,
      [acme.orgId],
    );
    expect(cycles.map((c) => Number(c.overage_cost_cents))).toEqual([800, 0, 5_000]);
  });

  it('a pending downgrade is canceled by asking for the current plan: December renews on Growth', async () => {
    const beta = await signUpWithOrganisation(stack, 'Changed Mind');
    await subscribe(stack, beta, 'Growth', 'monthly');
    await advanceTo(stack, beta, '2026-11-12T00:00:00Z');
    expect(await changePlan(beta, 'Starter')).toMatchObject({
      status: 200,
      json: { effective_at: '2026-12-01T00:00:00.000Z' },
    });
    expect((await summaryOf(stack, beta)).subscription.pending_change).toMatchObject({ plan: { name: 'Starter' } });

    expect(await changePlan(beta, 'Growth')).toMatchObject({
      status: 200,
      json: { plan_id: await planId(stack, 'Growth'), changed: true, effective_at: null, pending_change: null },
    });
    expect((await summaryOf(stack, beta)).subscription).toMatchObject({
      plan: { name: 'Growth' },
      pending_change: null,
    });
    // Nothing left to cancel: already on Growth.
    expect(await changePlan(beta, 'Growth')).toMatchObject({ status: 409, json: { error: 'already_on_plan' } });

    await advanceTo(stack, beta, '2026-12-01T02:00:00Z');
    expect(euros((await invoicesOf(stack, beta)).at(-1)!.total)).toBe('€366.00');
    expect((await summaryOf(stack, beta)).subscription.plan.name).toBe('Growth');
  });

  it('three racing downgrade requests make one schedule, and all three say when', async () => {
    const gamma = await signUpWithOrganisation(stack, 'Racing Downgrades');
    const { subscriptionId } = await subscribe(stack, gamma, 'Enterprise', 'monthly');
    const starter = await planId(stack, 'Starter');
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        stack.call<Record<string, unknown>>('change-plan', { token: gamma.token, body: { plan_id: starter } }),
      ),
    );
    expect(answers.map((a) => [a.status, a.json.effective_at])).toEqual(
      Array(3).fill([200, '2026-12-01T00:00:00.000Z']),
    );
    await settled(stack);
    const schedules = await stack.stripe.subscriptionSchedules.list({ customer: gamma.customerId });
    expect(schedules.data.filter((s) => s.status === 'active')).toHaveLength(1);
    expect((await stack.stripe.subscriptions.retrieve(subscriptionId)).schedule).toBe(schedules.data[0]!.id);
  });
});
