/**
 * A subscription on a Stripe test clock: the webhook handler stores the clock and its frozen time from the
 * re-read (test_clock expanded), and report-usage bounds `ended_at` by that clock — 5 minutes past it, or inside
 * the period it is in — reading the clock from Stripe only when the stored time would refuse the call.
 */
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import { recordFinishedCall } from '../../src/usecases/record-usage.ts';
import { event, fakeSubscription, priceIds, seedCatalog, testContext } from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase, type TestDatabase } from '../support/database.ts';

const unix = (iso: string) => Date.parse(iso) / 1000;

async function setup(db: TestDatabase, clockAt: string) {
  const plans = await seedCatalog(db.sql);
  const { orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_1' });
  const clock = { id: 'clock_1', object: 'test_helpers.test_clock', frozen_time: unix(clockAt), status: 'ready' };
  const clockReads: string[] = [];
  let clockDown = false;
  const period = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };
  const stripe = {
    subscriptions: {
      async retrieve(id: string, params: { expand?: string[] }) {
        const sub = fakeSubscription({
          id,
          customer: 'cus_1',
          metadata: { org_id: orgId, plan_id: plans.starter },
          items: [
            { price: priceIds('starter').monthly, interval: 'month', ...period },
            { price: priceIds('starter').metered, interval: 'month', metered: true, ...period },
          ],
        });
        // Stripe expands the clock only when asked (docs.stripe.com/expand).
        return {
          ...sub,
          test_clock: params.expand?.includes('test_clock') ? { ...clock } : clock.id,
        } as Stripe.Subscription;
      },
    },
    customers: {
      async retrieve(id: string) {
        return { id, object: 'customer', metadata: {} };
      },
    },
    testHelpers: {
      testClocks: {
        async retrieve(id: string) {
          clockReads.push(id);
          if (clockDown) throw Object.assign(new Error('connect ECONNREFUSED'), { type: 'StripeConnectionError' });
          return { ...clock };
        },
      },
    },
  };
  // Our wall clock is far from the customer's test clock, as in test mode.
  const ctx = testContext(db.sql, stripe, new Date('2027-03-01T00:00:00Z'));
  await applyStripeEvent(
    ctx,
    event('evt_created', 'customer.subscription.created', { id: 'sub_1', object: 'subscription' }),
  );
  const report = (callId: string, endedAt: string) =>
    recordFinishedCall(ctx, { orgId, callId, duration: { seconds: 60 }, endedAt: new Date(endedAt) });
  const advanceClock = (iso: string) => {
    clock.frozen_time = unix(iso);
  };
  return {
    ctx,
    report,
    clockReads,
    advanceClock,
    setClockDown: (down: boolean) => {
      clockDown = down;
    },
  };
}

const refusal = { code: 'invalid_request', details: { field: 'ended_at' } };

describeEachDatabase('report-usage on a test clock', (db) => {
  it("stores the clock from the event and takes calls in the clock's period without reading Stripe; refuses the period end", async () => {
    const { report, clockReads } = await setup(db, '2026-11-10T12:00:00Z');
    expect(await db.sql.query('select stripe_test_clock_id, stripe_clock_time from subscriptions')).toEqual([
      { stripe_test_clock_id: 'clock_1', stripe_clock_time: new Date('2026-11-10T12:00:00Z') },
    ]);
    // Ahead of the clock but inside November: Stripe's meter counts it in November too (send-meter-event.ts).
    await expect(report('later-in-november', '2026-11-25T10:00:00Z')).resolves.toMatchObject({
      cycle: { period_start: '2026-11-01T00:00:00.000Z' },
    });
    expect(clockReads).toEqual([]);
    await expect(report('at-the-period-end', '2026-12-01T00:00:00Z')).rejects.toMatchObject(refusal);
    expect(clockReads).toEqual(['clock_1']); // the stored time would refuse: Stripe's clock is asked once
    expect(await db.sql.query('select call_id from usage_records order by call_id')).toEqual([
      { call_id: 'later-in-november' },
    ]);
  });

  it('a clock advanced without an event about the subscription is read from Stripe, and the call is taken', async () => {
    const { report, advanceClock } = await setup(db, '2026-11-10T12:00:00Z');
    advanceClock('2026-11-30T23:58:00Z');
    await expect(report('just-after-midnight', '2026-12-01T00:00:30Z')).resolves.toMatchObject({ duplicate: false });
    expect(await db.sql.query('select stripe_clock_time from subscriptions')).toEqual([
      { stripe_clock_time: new Date('2026-11-30T23:58:00Z') },
    ]);
  });

  it('Stripe unreachable for the clock read: the call is taken (never lost), with a warning', async () => {
    const { ctx, report, setClockDown } = await setup(db, '2026-11-10T12:00:00Z');
    setClockDown(true);
    await expect(report('while-stripe-is-down', '2026-12-01T00:00:00Z')).resolves.toMatchObject({ duplicate: false });
    expect(ctx.logger.lines.filter((l) => l.includes('test clock unreadable'))).toHaveLength(1);
  });
});
