/** Checkout Session rules: metered lines without quantity, payment mode, line items, expiry. */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { completeCheckout, useHarnessWithCatalog } from './harness.ts';

describe('Checkout Sessions', () => {
  const { h, catalog } = useHarnessWithCatalog();

  it('refuses a quantity on a metered line and a missing quantity on a licensed one', async () => {
    await expect(
      h.stripe.checkout.sessions.create({
        mode: 'subscription',
        success_url: 'http://x.test',
        line_items: [{ price: catalog.starterMetered.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][quantity]' });
    await expect(
      h.stripe.checkout.sessions.create({
        mode: 'subscription',
        success_url: 'http://x.test',
        line_items: [{ price: catalog.starterMonthly.id }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'line_items[0][quantity]' });
    await expect(
      h.stripe.checkout.sessions.create({
        mode: 'payment',
        success_url: 'http://x.test',
        line_items: [{ price: catalog.starterMonthly.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
  });

  it('lists line items with their prices, paginated; a metered one has quantity null', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'http://x.test',
      line_items: [
        { price: catalog.starterMonthly.id, quantity: 2 },
        { price: catalog.starterMetered.id },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
    });
    expect(session.amount_total).toBe(2 * 20_400 + 24_900);
    const first = await h.stripe.checkout.sessions.listLineItems(session.id, { limit: 2 });
    expect(first.has_more).toBe(true);
    expect(first.data.map((l) => [l.price?.id, l.quantity, l.amount_total])).toEqual([
      [catalog.starterMonthly.id, 2, 40_800],
      [catalog.starterMetered.id, null, 0],
    ]);
  });

  it('completes a payment-mode session without a subscription and creates the customer from the email', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'payment',
      customer_email: 'buyer@x.test',
      success_url: 'http://x.test',
      line_items: [{ price: catalog.setupFee.id, quantity: 1 }],
    });
    await completeCheckout(h.stripe, session.id, 'pm_card_visa');
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['customer'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', subscription: null });
    expect((done.customer as Stripe.Customer).email).toBe('buyer@x.test');
    await expect(completeCheckout(h.stripe, session.id, 'pm_card_visa')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('expires an open session, which then cannot be paid', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      success_url: 'http://x.test',
      line_items: [{ price: catalog.starterMonthly.id, quantity: 1 }],
    });
    expect(await h.stripe.checkout.sessions.expire(session.id)).toMatchObject({ status: 'expired', url: null });
    await expect(completeCheckout(h.stripe, session.id, 'pm_card_visa')).rejects.toMatchObject({ statusCode: 400 });
    expect((await fetch(session.url as string)).status).toBe(410);
    await expect(h.stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('pays with 4000 0000 0000 0341 at Checkout and keeps that card for later charges', async () => {
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'late@x.test',
      success_url: 'http://x.test/ok',
      line_items: [{ price: catalog.starterMonthly.id, quantity: 1 }],
    });
    const res = await fetch(session.url as string, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=late%40x.test&cardnumber=4000000000000341&exp=12%2F30&cvc=123',
    });
    expect(res.status).toBe(303);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription.default_payment_method'],
    });
    const sub = done.subscription as Stripe.Subscription;
    expect(sub.status).toBe('active');
    expect((sub.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('0341');
  });
});
