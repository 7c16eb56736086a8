/**
 * A card that pays at Checkout but fails later (4000 0000 0000 0341): the renewal charge fails, the customer's
 * endpoint hears invoice.payment_failed, the subscription goes past_due, Smart Retries (compressed: 1 and 2 days)
 * fail too, and the subscription is canceled. Another customer pays the open invoice and is active again.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type TestCatalog } from './catalog.ts';
import { advanceClock, completeCheckout, DAY, FEB_1_2027, JAN_1_2027, startHarness, type Harness } from './harness.ts';
import { startReceiver } from './receiver.ts';

describe('a failing card', () => {
  let h: Harness;
  let catalog: TestCatalog;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    h = await startHarness({ dunningScheduleMs: [1 * DAY * 1000, 2 * DAY * 1000] });
    receiver = await startReceiver();
    catalog = await createCatalog(h.stripe);
    await h.stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: [
        'invoice.payment_failed',
        'invoice.paid',
        'customer.subscription.updated',
        'customer.subscription.deleted',
      ],
    });
  });
  afterAll(async () => {
    await h.emulator.close();
    await receiver.close();
  });

  async function signUp(email: string, paymentMethod: string) {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ email, test_clock: clock.id });
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'http://app.test/ok',
      line_items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
    });
    await completeCheckout(h.stripe, session.id, paymentMethod);
    const done = await h.stripe.checkout.sessions.retrieve(session.id);
    return { clock, customer, subscriptionId: done.subscription as string };
  }

  const eventsFor = (type: string, subId: string) =>
    receiver.deliveries
      .map((d) => JSON.parse(d.body) as Stripe.Event)
      .filter(
        (e) =>
          e.type === type &&
          ((e.data.object as { id: string }).id === subId ||
            (e.data.object as Stripe.Invoice).parent?.subscription_details?.subscription === subId),
      );

  it('declines 4000 0000 0000 0002 at Checkout with a 402 and leaves the session open', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'http://app.test/ok',
      customer_email: 'x@y.test',
      line_items: [{ price: catalog.starterMonthly.id, quantity: 1 }],
    });
    await expect(completeCheckout(h.stripe, session.id, 'pm_card_chargeDeclined')).rejects.toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'card_declined',
    });
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('goes past_due on the failed renewal, then canceled after the last retry', async () => {
    const { clock, subscriptionId } = await signUp('fails@later.test', 'pm_card_chargeCustomerFail');
    expect((await h.stripe.subscriptions.retrieve(subscriptionId)).status).toBe('active');

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    await h.emulator.waitForIdle();
    const sub = await h.stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] });
    expect(sub.status).toBe('past_due');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'open',
      attempt_count: 1,
      amount_remaining: 20_400,
      next_payment_attempt: FEB_1_2027 + 3600 + DAY,
    });
    expect(eventsFor('invoice.payment_failed', subscriptionId)).toHaveLength(1);
    const pastDue = eventsFor('customer.subscription.updated', subscriptionId).find(
      (e) => (e.data.object as Stripe.Subscription).status === 'past_due',
    );
    expect(pastDue?.data.previous_attributes).toEqual({ status: 'active' });

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 4 * DAY);
    await h.emulator.waitForIdle();
    expect((await h.stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
    expect(eventsFor('invoice.payment_failed', subscriptionId)).toHaveLength(3);
    expect(eventsFor('customer.subscription.deleted', subscriptionId)).toHaveLength(1);
    expect((await h.stripe.invoices.retrieve(invoice.id as string)).attempt_count).toBe(3);
  });

  it('is active again once the open invoice is paid with a working card', async () => {
    const { clock, subscriptionId } = await signUp('recovers@later.test', 'pm_card_chargeCustomerFail');
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const sub = await h.stripe.subscriptions.retrieve(subscriptionId);
    expect(sub.status).toBe('past_due');
    const paid = await h.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 20_400 });
    expect((await h.stripe.subscriptions.retrieve(subscriptionId)).status).toBe('active');
    await h.emulator.waitForIdle();
    expect(eventsFor('invoice.paid', subscriptionId).length).toBeGreaterThanOrEqual(2);
  });
});
