/**
 * Starter yearly as docs/design.md#billing-cycles-and-periods builds it: Checkout sells the yearly flat price + setup
 * fee, then the monthly metered item is added with subscriptions.update. Each item keeps its own period, and the end of
 * January bills only January's overage (734 minutes × €0.50 = €367.00), not the yearly fee again.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type TestCatalog } from './catalog.ts';
import {
  advanceClock,
  completeCheckout,
  DAY,
  FEB_1_2027,
  JAN_1_2027,
  MAR_1_2027,
  startHarness,
  type Harness,
} from './harness.ts';

const JAN_1_2028 = Date.UTC(2028, 0, 1) / 1000;

describe('a yearly flat + monthly metered subscription', () => {
  let h: Harness;
  let catalog: TestCatalog;
  let clock: Stripe.TestHelpers.TestClock;
  let customer: Stripe.Customer;
  let subId: string;

  beforeAll(async () => {
    h = await startHarness();
    catalog = await createCatalog(h.stripe);
    clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    customer = await h.stripe.customers.create({ email: 'yearly@acme.test', test_clock: clock.id });
  });
  afterAll(() => h.emulator.close());

  it('signs up yearly (€2,203.20 + €249 setup) and then gets the monthly metered item', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'http://app.test/ok',
      line_items: [
        { price: catalog.starterYearly.id, quantity: 1 },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
    });
    await completeCheckout(h.stripe, session.id, 'pm_card_visa');
    subId = (await h.stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const first = await h.stripe.invoices.list({ subscription: subId });
    expect(first.data.map((i) => [i.billing_reason, i.total, i.status])).toEqual([
      ['subscription_create', 220_320 + 24_900, 'paid'],
    ]);

    const updated = await h.stripe.subscriptions.update(subId, {
      items: [{ price: catalog.starterMetered.id }],
      proration_behavior: 'none',
    });
    const periods = Object.fromEntries(
      updated.items.data.map((i) => [i.price.id, [i.current_period_start, i.current_period_end]]),
    );
    expect(periods).toEqual({
      [catalog.starterYearly.id]: [JAN_1_2027, JAN_1_2028],
      [catalog.starterMetered.id]: [JAN_1_2027, FEB_1_2027],
    });
    expect(updated.items.data.find((i) => i.price.id === catalog.starterMetered.id)?.quantity).toBeUndefined();
  });

  it('bills only the overage at the end of January', async () => {
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + 25 * DAY);
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      identifier: 'jan',
      timestamp: JAN_1_2027 + 24 * DAY,
      payload: { stripe_customer_id: customer.id, value: '1234' },
    });
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const invoices = await h.stripe.invoices.list({ subscription: subId });
    const monthEnd = invoices.data[0]!;
    expect(monthEnd).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
      total: 36_700,
      period_start: JAN_1_2027,
      period_end: FEB_1_2027,
    });
    expect(monthEnd.lines.data.map((l) => l.pricing?.price_details?.price)).toEqual([catalog.starterMetered.id]);
    const sub = await h.stripe.subscriptions.retrieve(subId);
    const periods = Object.fromEntries(
      sub.items.data.map((i) => [i.price.id, [i.current_period_start, i.current_period_end]]),
    );
    expect(periods).toEqual({
      [catalog.starterYearly.id]: [JAN_1_2027, JAN_1_2028],
      [catalog.starterMetered.id]: [FEB_1_2027, MAR_1_2027],
    });
  });

  it('resolves cancel_at_period_end to the earliest item end, and max_period_end to the end of the year', async () => {
    const atMonthEnd = await h.stripe.subscriptions.update(subId, { cancel_at_period_end: true });
    expect(atMonthEnd.cancel_at).toBe(MAR_1_2027);
    const atYearEnd = await h.stripe.subscriptions.update(subId, { cancel_at: 'max_period_end' });
    expect(atYearEnd).toMatchObject({ cancel_at: JAN_1_2028, cancel_at_period_end: false, status: 'active' });
    await advanceClock(h.stripe, clock.id, MAR_1_2027 + 2 * 3600);
    expect((await h.stripe.subscriptions.retrieve(subId)).status).toBe('active');
  });
});
