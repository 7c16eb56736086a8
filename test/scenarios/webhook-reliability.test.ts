/**
 * Phase 5, "webhook reliability": no duplicate rows on repeated delivery — and more: every event Stripe ever sent,
 * delivered again twice each in a shuffled order, leaves every row exactly as it was (docs/design.md#webhook-pipeline).
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { advanceTo, reportCall, signUpWithOrganisation, startWorld, subscribe, usageDelivered } from './world.ts';

async function rows(stack: TestStack) {
  return {
    subscriptions:
      await stack.sql.query(`select org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period,
        current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at from subscriptions order by stripe_subscription_id`),
    cycles:
      await stack.sql.query(`select s.stripe_subscription_id, c.period_start, c.period_end, c.status, c.included_minutes, c.minutes_used,
        c.overage_minutes, c.overage_cost_cents, c.stripe_invoice_id
        from billing_cycles c join subscriptions s on s.id = c.subscription_id order by s.stripe_subscription_id, c.period_start`),
    usage: await stack.sql.query('select call_id, billed_minutes, stripe_status from usage_records order by call_id'),
  };
}

/** A seeded shuffle, so that a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('webhook reliability', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('every event delivered twice, in shuffled order, changes no row', async () => {
    // A few months of life: a monthly customer with overage and a renewal, a yearly one, one that cancels.
    const monthly = await signUpWithOrganisation(stack, 'Replay Monthly');
    await subscribe(stack, monthly, 'Starter', 'monthly');
    await reportCall(stack, monthly, 'replay-1', 700, '2026-11-12T08:00:00Z');
    const yearly = await signUpWithOrganisation(stack, 'Replay Yearly');
    await subscribe(stack, yearly, 'Enterprise', 'yearly');
    const leaving = await signUpWithOrganisation(stack, 'Replay Leaving');
    const { subscriptionId } = await subscribe(stack, leaving, 'Growth', 'monthly');
    await stack.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await usageDelivered(stack);
    for (const c of [monthly, yearly, leaving]) await advanceTo(stack, c, '2026-12-01T02:00:00Z');

    const before = await rows(stack);
    expect(before.subscriptions).toHaveLength(3);
    expect(before.cycles.length).toBeGreaterThanOrEqual(5);

    const events: Stripe.Event[] = [];
    for await (const e of stack.stripe.events.list({ limit: 100 })) events.push(e);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['checkout.session.completed', 'invoice.paid', 'customer.subscription.updated']),
    );
    // Forget what was processed, so that every redelivery is applied in full, not just acknowledged.
    await stack.sql.exec('delete from stripe_events');
    for (const event of shuffled([...events, ...events], 7)) {
      const body = JSON.stringify(event);
      const signature = await stack.stripe.webhooks.generateTestHeaderStringAsync({
        payload: body,
        secret: stack.config.stripe.webhookSecret!,
      });
      const res = await stack.call('stripe-webhook-handler', { body, headers: { 'stripe-signature': signature } });
      expect(res.status).toBe(200);
    }

    expect(await rows(stack)).toEqual(before);
    const [recorded] = await stack.sql.query<{ n: number }>(
      'select count(*)::int as n from stripe_events where processed_at is not null',
    );
    expect(recorded!.n).toBe(events.length);
  });

  it('handled every webhook on its first delivery (no 5xx for Stripe to retry)', () => {
    const deliveries = stack.logs.filter((l) => l.includes('"path":"/functions/v1/stripe-webhook-handler"'));
    expect(deliveries.filter((l) => l.includes('"status":200')).length).toBeGreaterThan(0);
    expect(deliveries.filter((l) => /"status":5\d\d/.test(l))).toEqual([]);
  });
});
