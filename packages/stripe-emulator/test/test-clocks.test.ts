/** Test clocks as Stripe runs them: advancing → ready, forward only, at most two of the shortest intervals per call. */
import { describe, expect, it } from 'vitest';
import { advanceClock, DAY, FEB_1_2027, JAN_1_2027, useHarnessWithCatalog } from './harness.ts';

describe('test clocks', () => {
  const { h, catalog } = useHarnessWithCatalog();

  it('answers an advance with status advancing and becomes ready at the new time', async () => {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027, name: 'one' });
    expect(clock).toMatchObject({
      object: 'test_helpers.test_clock',
      status: 'ready',
      frozen_time: JAN_1_2027,
      name: 'one',
    });
    const advancing = await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_1_2027 + DAY });
    expect(advancing.status).toBe('advancing');
    await h.emulator.waitForIdle();
    expect(await h.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({
      status: 'ready',
      frozen_time: JAN_1_2027 + DAY,
    });
    const ready = (await h.stripe.events.list({ type: 'test_helpers.test_clock.ready' })).data;
    expect(ready.some((e) => (e.data.object as { id: string }).id === clock.id)).toBe(true);
  });

  it('only moves forward, and at most two intervals of the shortest subscription at a time', async () => {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    await expect(
      h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_1_2027 - 1 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'frozen_time' });
    const customer = await h.stripe.customers.create({ test_clock: clock.id });
    await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.starterMonthly.id }],
      default_payment_method: 'pm_card_visa',
    });
    await expect(
      h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_1_2027 + 70 * DAY }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'frozen_time' });
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 27 * DAY);
    expect((await h.stripe.invoices.list({ customer: customer.id })).data.map((i) => i.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_create',
    ]);
  });

  it('puts new customers at the clock time and deletes them with the clock', async () => {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ test_clock: clock.id });
    expect(customer).toMatchObject({ created: JAN_1_2027, test_clock: clock.id });
    expect(await h.stripe.testHelpers.testClocks.del(clock.id)).toMatchObject({ id: clock.id, deleted: true });
    await expect(h.stripe.testHelpers.testClocks.retrieve(clock.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(h.stripe.customers.retrieve(customer.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('an unpaid first invoice', () => {
  const { h, catalog } = useHarnessWithCatalog();

  async function incomplete() {
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 });
    const customer = await h.stripe.customers.create({ test_clock: clock.id });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: catalog.starterMonthly.id }],
      default_payment_method: 'pm_card_chargeDeclined',
      payment_behavior: 'allow_incomplete',
    });
    expect(sub.status).toBe('incomplete');
    return { clock, sub };
  }

  it('leaves the subscription incomplete, and incomplete_expired with a void invoice after 23 hours', async () => {
    const { clock, sub } = await incomplete();
    await advanceClock(h.stripe, clock.id, JAN_1_2027 + DAY);
    const expired = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(expired.status).toBe('incomplete_expired');
    expect((expired.latest_invoice as { status: string }).status).toBe('void');
  });

  it('becomes active when the invoice is paid within the window, and renews on the new default card', async () => {
    const { clock, sub } = await incomplete();
    await h.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_visa' });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    // Paying an invoice with a card does not make it the subscription's default: that is a separate update.
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: 'pm_card_visa' });
    await advanceClock(h.stripe, clock.id, FEB_1_2027 + 2 * 3600);
    expect(
      (await h.stripe.invoices.list({ subscription: sub.id })).data.map((i) => [i.billing_reason, i.status]),
    ).toEqual([
      ['subscription_cycle', 'paid'],
      ['subscription_create', 'paid'],
    ]);
  });
});
