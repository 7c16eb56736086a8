/**
 * The Starter story on a test clock: sign up through Checkout with the setup fee (€204 + €249 = €453 paid),
 * use 1,234 minutes in January (one meter event sent twice), and at the end of the month receive the renewal
 * invoice: €204 for February in advance + 734 overage minutes × €0.50 = €571.00, charged an hour later.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type TestCatalog } from './catalog.ts';
import { advanceClock, completeCheckout, DAY, FEB_1_2027, JAN_1_2027, startHarness, type Harness } from './harness.ts';

describe('Starter monthly: Checkout signup, usage, renewal', () => {
  let h: Harness;
  let catalog: TestCatalog;
  let clock: Stripe.TestHelpers.TestClock;
  let customer: Stripe.Customer;
  let subscription: Stripe.Subscription;

  beforeAll(async () => {
    h = await startHarness();
    catalog = await createCatalog(h.stripe);
    clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027, name: 'starter story' });
    customer = await h.stripe.customers.create({
      email: 'ops@acme.test',
      test_clock: clock.id,
      metadata: { org_id: 'org_1' },
    });
  });
  afterAll(() => h.emulator.close());

  it('signs up through Checkout with the setup fee and pays €453.00 on the first invoice', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [
        { price: catalog.starterMonthly.id, quantity: 1 },
        { price: catalog.starterMetered.id },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
      subscription_data: { metadata: { org_id: 'org_1', plan: 'starter' } },
      success_url: 'http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://app.test/billing',
    });
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      mode: 'subscription',
      amount_total: 45_300,
      currency: 'eur',
    });
    expect(session.url).toMatch(new RegExp(`/c/pay/${session.id}$`));

    await completeCheckout(h.stripe, session.id, 'pm_card_visa');
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer: customer.id });
    expect(done.line_items?.data.map((l) => l.amount_total)).toEqual([20_400, 0, 24_900]);
    expect(typeof done.subscription).toBe('string');

    subscription = await h.stripe.subscriptions.retrieve(done.subscription as string, {
      expand: ['latest_invoice', 'items.data.price'],
    });
    expect(subscription).toMatchObject({
      status: 'active',
      metadata: { org_id: 'org_1', plan: 'starter' },
      billing_mode: { type: 'flexible' },
    });
    expect(subscription).not.toHaveProperty('current_period_end');
    for (const item of subscription.items.data) {
      expect(item).toMatchObject({ current_period_start: JAN_1_2027, current_period_end: FEB_1_2027 });
    }
    const first = subscription.latest_invoice as Stripe.Invoice;
    expect(first).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      total: 45_300,
      amount_paid: 45_300,
      amount_remaining: 0,
    });
    expect(first.parent?.subscription_details?.subscription).toBe(subscription.id);
    expect(first.parent?.subscription_details?.metadata).toEqual({ org_id: 'org_1', plan: 'starter' });

    const lines = await h.stripe.invoices.listLineItems(first.id as string);
    expect(lines.data.map((l) => [l.pricing?.price_details?.price, l.amount])).toEqual([
      [catalog.starterMonthly.id, 20_400],
      [catalog.starterMetered.id, 0],
      [catalog.setupFee.id, 24_900],
    ]);
    const refreshed = (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(refreshed.invoice_settings.default_payment_method).toMatch(/^pm_/);
  });

  it('counts 1,234 minutes of January usage, a repeated identifier only once', async () => {
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + 20 * DAY);
    const minutes = [600, 400, 234];
    for (const [i, value] of minutes.entries()) {
      await h.stripe.billing.meterEvents.create({
        event_name: 'voice_call_minutes',
        identifier: `call_${i}`,
        timestamp: JAN_1_2027 + 3600 * (i + 1),
        payload: { stripe_customer_id: customer.id, value: String(value) },
      });
    }
    await expect(
      h.stripe.billing.meterEvents.create({
        event_name: 'voice_call_minutes',
        identifier: 'call_1',
        timestamp: JAN_1_2027 + 7200,
        payload: { stripe_customer_id: customer.id, value: '400' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'identifier' });
    const summaries = await h.stripe.billing.meters.listEventSummaries(catalog.meter.id, {
      customer: customer.id,
      start_time: JAN_1_2027,
      end_time: FEB_1_2027,
    });
    expect(summaries.data).toHaveLength(1);
    expect(summaries.data[0]).toMatchObject({
      object: 'billing.meter_event_summary',
      aggregated_value: 1_234,
      start_time: JAN_1_2027,
      end_time: FEB_1_2027,
    });
  });

  it('drafts the renewal at the period end and charges €571.00 about an hour later', async () => {
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 60);
    const drafts = await h.stripe.invoices.list({ subscription: subscription.id, status: 'draft' });
    expect(drafts.data).toHaveLength(1);
    expect(drafts.data[0]).toMatchObject({ billing_reason: 'subscription_cycle', created: FEB_1_2027, total: 57_100 });

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const renewal = await h.stripe.invoices.retrieve(drafts.data[0]!.id as string);
    expect(renewal).toMatchObject({ status: 'paid', total: 57_100, amount_paid: 57_100, subtotal: 57_100 });
    const lines = renewal.lines.data.map((l) => ({
      price: l.pricing?.price_details?.price,
      amount: l.amount,
      quantity: l.quantity,
      period: l.period,
    }));
    expect(lines).toContainEqual({
      price: catalog.starterMonthly.id,
      amount: 20_400,
      quantity: 1,
      period: { start: FEB_1_2027, end: Date.UTC(2027, 2, 1) / 1000 },
    });
    expect(lines).toContainEqual({
      price: catalog.starterMetered.id,
      amount: 36_700,
      quantity: 1_234,
      period: { start: JAN_1_2027, end: FEB_1_2027 },
    });

    const sub = await h.stripe.subscriptions.retrieve(subscription.id);
    expect(sub.status).toBe('active');
    expect(sub.items.data.every((i) => i.current_period_start === FEB_1_2027)).toBe(true);
    const types = (await h.stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['invoice.created', 'invoice.finalized', 'invoice.paid', 'customer.subscription.updated']),
    );
  });

  it('cancels immediately with invoice_now: canceled, and customer.subscription.deleted is recorded', async () => {
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      payload: { stripe_customer_id: customer.id, value: '10' },
    });
    const canceled = await h.stripe.subscriptions.cancel(subscription.id, { invoice_now: true });
    expect(canceled).toMatchObject({
      status: 'canceled',
      canceled_at: FEB_1_2027 + 2 * 3600,
      ended_at: FEB_1_2027 + 2 * 3600,
    });
    const final = await h.stripe.invoices.retrieve(canceled.latest_invoice as string);
    expect(final.lines.data.map((l) => l.quantity)).toEqual([10]);
    expect(final.total).toBe(0); // 10 minutes are inside the 500 included
    const deleted = await h.stripe.events.list({ type: 'customer.subscription.deleted' });
    expect((deleted.data[0]!.data.object as Stripe.Subscription).id).toBe(subscription.id);
  });
});
