/**
 * Replacing a metered price in place mid-period (flexible billing mode), as Stripe documents it
 * (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle): the usage so far
 * is billed through the OLD price (an invoice item; `proration_behavior` decides when, or whether), and the new
 * price bills only the usage from the change to the period end, its tiers counting from zero.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { advanceClock, DAY, FEB_1_2027, JAN_1_2027, useHarnessWithCatalog } from './harness.ts';

describe('replacing a metered price mid-period', () => {
  const { h, catalog } = useHarnessWithCatalog();

  async function growthPrices() {
    const product = await h.stripe.products.create({ name: 'AiSyst Growth' });
    const flat = await h.stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 36_600,
      recurring: { interval: 'month' },
    });
    const minutes = await h.stripe.products.create({ name: 'AiSyst Growth voice minutes' });
    const metered = await h.stripe.prices.create({
      product: minutes.id,
      currency: 'eur',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 1000, unit_amount: 0 },
        { up_to: 'inf', unit_amount: 50 },
      ],
      recurring: { interval: 'month', usage_type: 'metered', meter: catalog.meter.id },
    });
    return { flat, metered };
  }

  /** A Starter customer who used `minutes` by mid-January, then swapped to Growth's metered price in place. */
  async function swappedMidJanuary(
    minutes: number,
    proration_behavior: Stripe.SubscriptionUpdateParams.ProrationBehavior,
  ) {
    const growth = await growthPrices();
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ test_clock: clock.id, email: 'swap@x.test' });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      default_payment_method: 'pm_card_visa',
      items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
    });
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + 3 * DAY);
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      timestamp: JAN_1_2027 + 3 * DAY,
      payload: { stripe_customer_id: customer.id, value: String(minutes) },
    });
    const swapAt = JAN_1_2027 + 15 * DAY;
    await advanceClock(h.stripe, clock.id, swapAt);
    const meteredItem = sub.items.data.find((i) => i.price.id === catalog.starterMetered.id)!;
    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: meteredItem.id, price: growth.metered.id }],
      proration_behavior,
    });
    return { clock, customer, sub: updated, meteredItem, growth, swapAt };
  }

  const renewalOf = async (subId: string) => (await h.stripe.invoices.list({ subscription: subId, limit: 1 })).data[0]!;

  it('bills the usage before the swap through the old tiers on the next invoice, and the new tiers from the swap', async () => {
    const { clock, customer, sub, meteredItem, growth, swapAt } = await swappedMidJanuary(800, 'create_prorations');
    expect(sub.items.data.find((i) => i.id === meteredItem.id)?.price.id).toBe(growth.metered.id);
    // After the swap: 1,100 more minutes, counted through Growth's tiers from zero (100 above its 1,000).
    await advanceClock(h.stripe, clock.id, swapAt + 2 * DAY);
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      timestamp: swapAt + 2 * DAY,
      payload: { stripe_customer_id: customer.id, value: '1100' },
    });
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);

    const renewal = await renewalOf(sub.id);
    const usageLines = renewal.lines.data.filter(
      (l) => l.parent?.subscription_item_details?.subscription_item === meteredItem.id,
    );
    const byPrice = (price: string) => usageLines.find((l) => l.pricing?.price_details?.price === price);
    expect(byPrice(catalog.starterMetered.id)).toMatchObject({
      quantity: 800,
      amount: 15_000,
      period: { start: JAN_1_2027, end: swapAt },
    });
    expect(byPrice(growth.metered.id)).toMatchObject({
      quantity: 1100,
      amount: 5_000,
      period: { start: swapAt, end: FEB_1_2027 },
    });
  });

  it('with always_invoice the usage so far is invoiced at once, and not again at the renewal', async () => {
    const { clock, sub } = await swappedMidJanuary(800, 'always_invoice');
    const now = (await h.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!;
    expect(now).toMatchObject({ billing_reason: 'subscription_update', status: 'paid' });
    expect(now.lines.data.find((l) => l.pricing?.price_details?.price === catalog.starterMetered.id)).toMatchObject({
      quantity: 800,
      amount: 15_000,
    });

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const renewal = await renewalOf(sub.id);
    expect(renewal.billing_reason).toBe('subscription_cycle');
    expect(renewal.lines.data.filter((l) => l.pricing?.price_details?.price === catalog.starterMetered.id)).toEqual([]);
  });

  it('with proration_behavior none the usage before the swap is never billed, by either price', async () => {
    const { clock, sub, growth } = await swappedMidJanuary(1200, 'none');
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const renewal = await renewalOf(sub.id);
    expect(renewal.lines.data.filter((l) => l.pricing?.price_details?.price === catalog.starterMetered.id)).toEqual([]);
    expect(renewal.lines.data.find((l) => l.pricing?.price_details?.price === growth.metered.id)).toMatchObject({
      quantity: 0,
      amount: 0,
    });
  });
});
