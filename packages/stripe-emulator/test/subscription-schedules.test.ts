/**
 * A downgrade at the period end through a subscription schedule, as Stripe documents it
 * (docs.stripe.com/billing/subscriptions/subscription-schedules): create from the subscription, add a phase with
 * the cheaper prices; at the renewal the ended month's usage is billed through the OLD metered price and the new
 * month's fee at the new one; after the last phase the schedule releases the subscription. Release and cancel.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { advanceClock, DAY, FEB_1_2027, JAN_1_2027, MAR_1_2027, useHarnessWithCatalog } from './harness.ts';

describe('subscription schedules', () => {
  const { h, catalog } = useHarnessWithCatalog();

  async function cheaperPrices() {
    const product = await h.stripe.products.create({ name: 'AiSyst Mini' });
    const flat = await h.stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 10_000,
      recurring: { interval: 'month' },
    });
    const minutes = await h.stripe.products.create({ name: 'AiSyst Mini voice minutes' });
    const metered = await h.stripe.prices.create({
      product: minutes.id,
      currency: 'eur',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 100, unit_amount: 0 },
        { up_to: 'inf', unit_amount: 50 },
      ],
      recurring: { interval: 'month', usage_type: 'metered', meter: catalog.meter.id },
    });
    return { flat, metered };
  }

  async function starterCustomer() {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ test_clock: clock.id });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      default_payment_method: 'pm_card_visa',
      items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
    });
    return { clock, customer, sub };
  }

  async function scheduleDowngrade(sub: Stripe.Subscription, to: { flat: Stripe.Price; metered: Stripe.Price }) {
    const created = await h.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    const current = created.phases[0]!;
    return h.stripe.subscriptionSchedules.update(created.id, {
      phases: [
        {
          items: current.items.map((i) => ({
            price: i.price as string,
            ...(i.quantity ? { quantity: i.quantity } : {}),
          })),
          start_date: current.start_date,
          end_date: current.end_date,
        },
        {
          items: [{ price: to.flat.id, quantity: 1 }, { price: to.metered.id }],
          duration: { interval: 'month', interval_count: 1 },
          metadata: { plan: 'mini' },
        },
      ],
    });
  }

  it('enters the next phase at the period end: January usage on the old tiers, February on the new prices, then releases', async () => {
    const mini = await cheaperPrices();
    const { clock, customer, sub } = await starterCustomer();
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + 10 * DAY);
    const schedule = await scheduleDowngrade(sub, mini);
    expect(schedule).toMatchObject({
      object: 'subscription_schedule',
      status: 'active',
      subscription: sub.id,
      end_behavior: 'release',
      current_phase: { start_date: JAN_1_2027, end_date: FEB_1_2027 },
    });
    expect(schedule.phases.map((p) => [p.start_date, p.end_date])).toEqual([
      [JAN_1_2027, FEB_1_2027],
      [FEB_1_2027, MAR_1_2027],
    ]);
    expect((await h.stripe.subscriptions.retrieve(sub.id, { expand: ['schedule'] })).schedule).toMatchObject({
      id: schedule.id,
    });
    // Nothing changes before the boundary: no proration, still Starter.
    expect((await h.stripe.subscriptions.retrieve(sub.id)).items.data.map((i) => i.price.id).sort()).toEqual(
      [catalog.starterMonthly.id, catalog.starterMetered.id].sort(),
    );
    await h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      timestamp: JAN_1_2027 + 10 * DAY,
      payload: { stripe_customer_id: customer.id, value: '616' },
    });

    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    const renewal = (await h.stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!;
    // 116 Starter minutes over 500 at €0.50 = €58.00 + February on Mini €100.00; no proration lines.
    expect(renewal.total).toBe(5_800 + 10_000);
    expect(renewal.lines.data.some((l) => l.parent?.subscription_item_details?.proration)).toBe(false);
    const after = await h.stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data.map((i) => i.price.id).sort()).toEqual([mini.flat.id, mini.metered.id].sort());
    expect(after.metadata).toMatchObject({ plan: 'mini' });
    expect((await h.stripe.subscriptionSchedules.retrieve(schedule.id)).current_phase).toEqual({
      start_date: FEB_1_2027,
      end_date: MAR_1_2027,
    });
    const updates = await h.stripe.events.list({ type: 'customer.subscription.updated', limit: 5 });
    const phaseEvent = updates.data.find(
      (e) => (e.data.object as Stripe.Subscription).id === sub.id && e.created === FEB_1_2027,
    )!;
    expect(
      (phaseEvent.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem> }).items.data.map(
        (i) => i.price.id,
      ),
    ).toContain(catalog.starterMetered.id);

    await advanceClock(h.stripe, clock.id, MAR_1_2027 + 2 * 3600);
    const released = await h.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(released).toMatchObject({
      status: 'released',
      subscription: null,
      released_subscription: sub.id,
      current_phase: null,
    });
    expect(await h.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ status: 'active', schedule: null });
    expect(
      (await h.stripe.events.list({ type: 'subscription_schedule.released', limit: 5 })).data.map(
        (e) => (e.data.object as Stripe.SubscriptionSchedule).id,
      ),
    ).toContain(schedule.id);
  });

  it('release cancels the pending phase: the subscription renews unchanged', async () => {
    const mini = await cheaperPrices();
    const { clock, sub } = await starterCustomer();
    const schedule = await scheduleDowngrade(sub, mini);
    const released = await h.stripe.subscriptionSchedules.release(schedule.id);
    expect(released).toMatchObject({ status: 'released', released_subscription: sub.id });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).schedule).toBeNull();
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).items.data.map((i) => i.price.id).sort()).toEqual(
      [catalog.starterMonthly.id, catalog.starterMetered.id].sort(),
    );
    await expect(h.stripe.subscriptionSchedules.release(schedule.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('refuses a second schedule, a moved current phase, and cancel ends the subscription too', async () => {
    const mini = await cheaperPrices();
    const { sub } = await starterCustomer();
    const schedule = await scheduleDowngrade(sub, mini);
    await expect(h.stripe.subscriptionSchedules.create({ from_subscription: sub.id })).rejects.toMatchObject({
      statusCode: 400,
      param: 'from_subscription',
    });
    await expect(
      h.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          {
            items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
            start_date: JAN_1_2027 + DAY,
            end_date: FEB_1_2027,
          },
        ],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'phases[0][start_date]' });
    expect(await h.stripe.subscriptionSchedules.cancel(schedule.id)).toMatchObject({ status: 'canceled' });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
  });
});
