/**
 * Changing a subscription mid-period: an upgrade with prorations on the next invoice or invoiced at once,
 * items added and removed through subscription items, and cancel_at in the future.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type TestCatalog } from './catalog.ts';
import { advanceClock, DAY, FEB_1_2027, JAN_1_2027, MAR_1_2027, startHarness, type Harness } from './harness.ts';

describe('subscription changes', () => {
  let h: Harness;
  let catalog: TestCatalog;
  let growth: Stripe.Price;
  beforeAll(async () => {
    h = await startHarness();
    catalog = await createCatalog(h.stripe);
    growth = await h.stripe.prices.create({
      currency: 'eur',
      unit_amount: 36_600,
      recurring: { interval: 'month' },
      product_data: { name: 'AiSyst Growth' },
    });
  });
  afterAll(() => h.emulator.close());

  async function subscribed() {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ test_clock: clock.id, email: 'change@x.test' });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      default_payment_method: 'pm_card_visa',
      items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
    });
    expect(sub.status).toBe('active');
    return { clock, customer, sub };
  }

  it('upgrades half-way with create_prorations: the difference lands on the next invoice', async () => {
    const { clock, sub } = await subscribed();
    const monthLength = FEB_1_2027 - JAN_1_2027;
    const half = JAN_1_2027 + monthLength / 2;
    await advanceClock(h.stripe, clock.id, half);
    const flat = sub.items.data.find((i) => i.price.id === catalog.starterMonthly.id)!;
    const updated = await h.stripe.subscriptions.update(sub.id, { items: [{ id: flat.id, price: growth.id }] });
    expect(updated.items.data.find((i) => i.id === flat.id)?.price.id).toBe(growth.id);
    const changed = (await h.stripe.events.list({ type: 'customer.subscription.updated' })).data[0]!;
    const before = changed.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem> };
    expect(before.items.data.find((i) => i.id === flat.id)?.price.id).toBe(catalog.starterMonthly.id);

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const renewal = (await h.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!;
    const amounts = renewal.lines.data.map((l) => l.amount).sort((a, b) => a - b);
    expect(amounts).toEqual([-10_200, 0, 18_300, 36_600]);
    expect(renewal).toMatchObject({ total: 44_700, status: 'paid' });
  });

  it('upgrades with always_invoice: an invoice for the difference right away', async () => {
    const { clock, sub } = await subscribed();
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + (FEB_1_2027 - JAN_1_2027) / 2);
    const flat = sub.items.data.find((i) => i.price.id === catalog.starterMonthly.id)!;
    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: flat.id, price: growth.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    expect(updated.latest_invoice).toMatchObject({
      billing_reason: 'subscription_update',
      total: 8_100,
      status: 'paid',
    });
  });

  it('adds and removes items through subscription items', async () => {
    const { sub } = await subscribed();
    const listed = await h.stripe.subscriptionItems.list({ subscription: sub.id });
    expect(listed.data).toHaveLength(2);
    const metered = listed.data.find((i) => i.price.id === catalog.starterMetered.id)!;
    await h.stripe.subscriptionItems.del(metered.id, { proration_behavior: 'none' });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).items.data.map((i) => i.price.id)).toEqual([
      catalog.starterMonthly.id,
    ]);
    const added = await h.stripe.subscriptionItems.create({
      subscription: sub.id,
      price: catalog.starterMetered.id,
      proration_behavior: 'none',
    });
    expect(added).toMatchObject({ object: 'subscription_item', subscription: sub.id, current_period_end: FEB_1_2027 });
    await expect(
      h.stripe.subscriptionItems.create({ subscription: sub.id, price: catalog.starterMetered.id }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('cancels at a chosen moment with cancel_at, billing the usage up to then', async () => {
    const { clock, customer, sub } = await subscribed();
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const at = FEB_1_2027 + 10 * DAY;
    await h.stripe.subscriptions.update(sub.id, { cancel_at: at });
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      payload: { stripe_customer_id: customer.id, value: '600' },
    });
    await advanceClock(h.stripe, clock.id, MAR_1_2027);
    const ended = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(ended).toMatchObject({ status: 'canceled', ended_at: at });
    expect(ended.latest_invoice).toMatchObject({ total: 5_000, status: 'paid' });
  });

  it('refuses to update a canceled subscription or cancel it twice', async () => {
    const { sub } = await subscribed();
    await h.stripe.subscriptions.cancel(sub.id);
    await expect(h.stripe.subscriptions.update(sub.id, { metadata: { a: 'b' } })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(h.stripe.subscriptions.cancel(sub.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('cancels the subscriptions of a deleted customer', async () => {
    const { customer, sub } = await subscribed();
    expect(await h.stripe.customers.del(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
  });
});
