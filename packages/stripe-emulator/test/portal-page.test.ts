/**
 * The emulated billing portal, like Stripe's: cancelling asks for confirmation first, a scheduled cancellation can
 * be renewed, and the invoices are listed with links to their hosted pages.
 */
import { describe, expect, it } from 'vitest';
import { useHarnessWithCatalog } from './harness.ts';

const post = (url: string, fields: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('billing portal page', () => {
  const { h, catalog } = useHarnessWithCatalog();

  it('asks before cancelling, offers to renew a scheduled cancellation, and lists the invoices', async () => {
    const customer = await h.stripe.customers.create({ email: 'portal2@acme.test' });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      default_payment_method: 'pm_card_visa',
      items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
    });
    const invoice = await h.stripe.invoices.retrieve(sub.latest_invoice as string);
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://app.test/dashboard',
    });

    const first = await (await fetch(portal.url)).text();
    expect(first).toContain('Invoice history');
    expect(first).toContain(`href="${invoice.hosted_invoice_url}"`);
    expect(first).toContain(invoice.number!);
    expect(first).toContain('€204.00');

    const cancel = new URL(/action="([^"]*\/cancel\/[^"]+)"/.exec(first)![1]!, portal.url).href;
    const asked = await post(cancel);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('Cancel your subscription?');
    expect((await h.stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(false);
    expect((await post(cancel, { confirm: 'yes' })).status).toBe(303);
    expect(await h.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ cancel_at_period_end: true });

    const scheduled = await (await fetch(portal.url)).text();
    expect(scheduled).toContain('Cancels on');
    const renew = /action="([^"]*\/renew\/[^"]+)"/.exec(scheduled)?.[1];
    expect(renew).toBeDefined();
    expect((await post(new URL(renew!, portal.url).href)).status).toBe(303);
    expect(await h.stripe.subscriptions.retrieve(sub.id)).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
    });
    expect(await (await fetch(portal.url)).text()).toContain('Renews on');
  });
});
