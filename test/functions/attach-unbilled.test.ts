/**
 * A call ending after Checkout but before our first subscription webhook is handled is recorded unbilled (409):
 * there is no cycle yet. The webhook that makes the cycle counts it there, queues it for Stripe's meter, and a
 * repeat of the report then answers 200 with that cycle. Redelivered webhooks count nothing twice.
 */
import { expect, it } from 'vitest';
import { route as reportUsage } from '../../src/http/routes/report-usage.ts';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import {
  event,
  fakeSubscription,
  priceIds,
  seedCatalog,
  testContext,
  type FakeSubscriptionInput,
  type TestContext,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

const report = (ctx: TestContext, json: unknown) =>
  handleRoute(reportUsage, ctx, { caller: { kind: 'backend' }, json });

describeEachDatabase('unbilled calls are attached when the cycle arrives', (db) => {
  it('a call before the first webhook: 409, then counted in the cycle the webhook makes, queued, and a repeat answers 200', async () => {
    const plans = await seedCatalog(db.sql);
    const { orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_1' });
    const sub: FakeSubscriptionInput = {
      id: 'sub_1',
      customer: 'cus_1',
      metadata: { org_id: orgId, plan_id: plans.starter, billing_period: 'monthly' },
      items: [
        { price: priceIds('starter').monthly, interval: 'month', ...NOV },
        { price: priceIds('starter').metered, interval: 'month', metered: true, ...NOV },
      ],
    };
    const stripe = {
      subscriptions: {
        async retrieve() {
          return fakeSubscription(sub);
        },
      },
    };
    const ctx = testContext(db.sql, stripe);
    const call = { org_id: orgId, call_id: 'first-call', call_duration_seconds: 61, ended_at: '2026-11-01T00:03:00Z' };

    expect(await report(ctx, call)).toMatchObject({ status: 409, body: { error: 'no_active_subscription' } });

    const created = event('evt_1', 'customer.subscription.created', { id: 'sub_1', object: 'subscription' });
    expect(await applyStripeEvent(ctx, created)).toBe('applied');
    const cycles = () =>
      db.sql.query<{ id: string; minutes_used: number }>('select id, minutes_used from billing_cycles');
    const [cycle] = await cycles();
    expect(cycle).toMatchObject({ minutes_used: 2 });
    expect(
      await db.sql.query(
        `select billing_cycle_id, stripe_status, stripe_customer_id, stripe_next_attempt_at is not null as due from usage_records`,
      ),
    ).toEqual([{ billing_cycle_id: cycle!.id, stripe_status: 'pending', stripe_customer_id: 'cus_1', due: true }]);

    // Stripe sends more events about the same subscription (and redelivers): nothing is counted twice.
    expect(
      await applyStripeEvent(
        ctx,
        event('evt_2', 'customer.subscription.updated', { id: 'sub_1', object: 'subscription' }),
      ),
    ).toBe('applied');
    expect(
      await applyStripeEvent(
        ctx,
        event('evt_1_again', 'customer.subscription.created', { id: 'sub_1', object: 'subscription' }),
      ),
    ).toBe('applied');
    expect(await cycles()).toEqual([{ id: cycle!.id, minutes_used: 2 }]);

    expect(await report(ctx, call)).toMatchObject({
      status: 200,
      body: { call_id: 'first-call', duplicate: true, cycle: { minutes_used: 2 } },
    });
  });
});
