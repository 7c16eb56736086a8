/**
 * On PostgreSQL (real concurrency; PGlite runs one transaction at a time): 200 agents reporting at once are
 * counted exactly, and two browser tabs starting the first checkout at once create ONE Stripe customer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import type { TestStack } from '../support/stack.ts';
import { planId, signUpWithOrganisation, startWorld, subscribe, usageDelivered } from './world.ts';

describeOnPostgres('many at once, on PostgreSQL', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database: 'postgres' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('200 concurrent report-usage calls (and their 200 retries) land as exact totals, each call metered once', async () => {
    const org = await signUpWithOrganisation(stack, 'Busy Call Centre');
    await subscribe(stack, org, 'Growth', 'monthly');
    const calls = Array.from({ length: 200 }, (_, i) => ({
      org_id: org.orgId,
      call_id: `busy-${i}`,
      call_duration_seconds: 30 + i * 13,
      ended_at: '2026-11-09T10:00:00Z',
    }));
    const answers = await Promise.all(
      [...calls, ...calls].map((body) => stack.call('report-usage', { token: stack.serviceRoleKey, body })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.json.duplicate)).toHaveLength(200);

    const expected = calls.reduce((sum, c) => sum + Math.ceil(c.call_duration_seconds / 60), 0);
    const [cycle] = await stack.sql.query<{
      minutes_used: number;
      overage_minutes: number;
      overage_cost_cents: number;
    }>('select minutes_used, overage_minutes, overage_cost_cents from billing_cycles where org_id = $1', [org.orgId]);
    expect(cycle).toEqual({
      minutes_used: expected,
      overage_minutes: expected - 1_000,
      overage_cost_cents: (expected - 1_000) * 50,
    });

    await usageDelivered(stack);
    const meter = (await stack.stripe.billing.meters.list()).data.find((m) => m.event_name === 'voice_call_minutes')!;
    const start = Math.floor(Date.parse('2026-11-01T00:00:00Z') / 1000);
    const summaries = await stack.stripe.billing.meters.listEventSummaries(meter.id, {
      customer: org.customerId,
      start_time: start,
      end_time: start + 30 * 86_400,
    });
    expect(summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0)).toBe(expected);
  });

  it('concurrent first checkouts of one organisation create one Stripe customer', async () => {
    const { accessToken } = await stack.signUp();
    const org = await stack.createOrganisation(accessToken, 'Double Click Ltd');
    const plan = await planId(stack, 'Starter');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        stack.call('create-checkout-session', {
          token: accessToken,
          body: { plan_id: plan, billing_period: 'monthly' },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    const customers = (await stack.stripe.customers.list({ limit: 100 })).data.filter(
      (c) => c.metadata.org_id === org.id,
    );
    expect(customers).toHaveLength(1);
    const [stored] = await stack.sql.query<{ c: string }>(
      'select stripe_customer_id as c from organisations where id = $1',
      [org.id],
    );
    expect(stored!.c).toBe(customers[0]!.id);
    const sessions = await Promise.all(answers.map((a) => stack.stripe.checkout.sessions.retrieve(a.json.session_id)));
    expect(new Set(sessions.map((s) => s.customer))).toEqual(new Set([customers[0]!.id]));
  });
});
