/**
 * The hosted pages a person sees: the Checkout page at the session's url (lines, €453.00 total, labelled card
 * fields; 4242 pays and redirects to success_url, 0002 shows the decline and stays, Back goes to cancel_url)
 * and the billing portal, where the customer can cancel.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { useHarnessWithCatalog } from './harness.ts';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('hosted Checkout and portal pages', () => {
  const { h, catalog } = useHarnessWithCatalog();

  const newSession = (customer?: string) =>
    h.stripe.checkout.sessions.create({
      mode: 'subscription',
      ...(customer ? { customer } : { customer_email: 'page@acme.test' }),
      line_items: [
        { price: catalog.starterMonthly.id, quantity: 1 },
        { price: catalog.starterMetered.id },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
      success_url: 'http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://app.test/billing/cancel',
    });

  it('shows the plan lines, the €453.00 total and labelled card fields', async () => {
    const session = await newSession();
    const res = await fetch(session.url as string);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('€453.00');
    expect(html).toContain('€204.00');
    expect(html).toContain('€249.00');
    expect(html).toContain('first 500 included');
    for (const id of ['email', 'cardnumber', 'exp', 'cvc'])
      expect(html).toMatch(new RegExp(`<label for="${id}">[^<]+</label><input id="${id}"`));
    expect(html).toContain('href="http://app.test/billing/cancel"');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });

  it('declines 4000 0000 0000 0002 on the page and keeps the session open', async () => {
    const session = await newSession();
    const res = await fetch(
      session.url as string,
      form({ email: 'page@acme.test', cardnumber: '4000 0000 0000 0002', exp: '12 / 30', cvc: '123' }),
    );
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('Your card was declined');
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('pays with 4242 4242 4242 4242 and redirects (303) to success_url with the session id', async () => {
    const session = await newSession();
    const res = await fetch(
      session.url as string,
      form({ email: 'page@acme.test', cardnumber: '4242 4242 4242 4242', exp: '12 / 30', cvc: '123', name: 'Ada' }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://app.test/billing/success?session_id=${session.id}`);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'customer'] });
    expect(done.status).toBe('complete');
    expect((done.customer as Stripe.Customer).email).toBe('page@acme.test');
    expect((done.subscription as Stripe.Subscription).status).toBe('active');
    const invoice = await h.stripe.invoices.retrieve(done.invoice as string);
    const page = await (await fetch(invoice.hosted_invoice_url as string)).text();
    expect(page).toContain(`Invoice ${invoice.number}`);
    expect(page).toContain('€453.00');
  });

  it('lets the customer cancel in the billing portal, at the end of the period', async () => {
    const session = await newSession();
    await fetch(
      session.url as string,
      form({ email: 'portal@acme.test', cardnumber: '4242424242424242', exp: '01/31', cvc: '999' }),
    );
    const done = await h.stripe.checkout.sessions.retrieve(session.id);
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: done.customer as string,
      return_url: 'http://app.test/account',
    });
    expect(portal).toMatchObject({ object: 'billing_portal.session', return_url: 'http://app.test/account' });
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain('AiSyst Starter');
    const action = /action="([^"]+)"/.exec(page)?.[1];
    expect(action).toBeDefined();
    const asked = await fetch(new URL(action as string, portal.url), { method: 'POST', redirect: 'manual' });
    expect(await asked.text()).toContain('Cancel your subscription?'); // nothing canceled before the confirmation
    expect((await h.stripe.subscriptions.retrieve(done.subscription as string)).cancel_at_period_end).toBe(false);
    const res = await fetch(new URL(action as string, portal.url), form({ confirm: 'yes' }));
    expect(res.status).toBe(303);
    const sub = await h.stripe.subscriptions.retrieve(done.subscription as string);
    expect(sub).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect(sub.cancel_at).toBe(sub.items.data[0]!.current_period_end);
  });
});
