/**
 * An owner manages billing on Stripe's customer portal: the dashboard's "Manage billing" opens a portal session
 * for the organisation's customer. A cancellation there reaches our rows through the webhook as an end date, the
 * plan running to the end of the paid period; a replaced card is what Stripe's next retry of a failed renewal uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { advanceTo, invoicesOf, settled, signUpWithOrganisation, startWorld, subscribe, summaryOf } from './world.ts';

describe("managing billing on Stripe's portal", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a Starter owner opens the portal, cancels, and the dashboard shows the plan ending with its period', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Portal');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');

    const opened = await stack.call<{ portal_url: string }>('create-portal-session', { token: acme.token, body: {} });
    expect(opened.status).toBe(200);
    const portal = await (await fetch(opened.json.portal_url)).text();
    expect(portal).toContain('Starter');
    expect(portal).toContain(`href="${stack.config.websiteUrl}/dashboard"`); // the way back

    const cancel = /action="([^"]*\/cancel\/[^"]+)"/.exec(portal)?.[1];
    expect(cancel).toBeDefined();
    // The portal asks first, as Stripe's does; the confirmation posts `confirm=yes`.
    const asked = await fetch(new URL(cancel!, opened.json.portal_url), { method: 'POST', redirect: 'manual' });
    expect(await asked.text()).toContain('Cancel your subscription?');
    const res = await fetch(new URL(cancel!, opened.json.portal_url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirm=yes',
    });
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    await settled(stack);

    const { subscription } = await summaryOf(stack, acme);
    expect(subscription).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: '2026-12-01T00:00:00.000Z',
    });

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({ status: 'canceled' });
  });

  it("a past-due owner replaces the failing card on the portal; Stripe's next retry pays and the plan is active again", async () => {
    const late = await signUpWithOrganisation(stack, 'Acme Card Swap');
    await subscribe(stack, late, 'Starter', 'monthly', 'pm_card_chargeCustomerFail');
    await advanceTo(stack, late, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, late)).subscription.status).toBe('past_due');

    const { json } = await stack.call<{ portal_url: string }>('create-portal-session', { token: late.token, body: {} });
    const updateCard = async (cardnumber: string) => {
      const res = await fetch(`${json.portal_url}/payment_method`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ cardnumber }).toString(),
      });
      return { status: res.status, html: await res.text() };
    };
    const defaultCard = async () => {
      const customer = await stack.stripe.customers.retrieve(late.customerId, {
        expand: ['invoice_settings.default_payment_method'],
      });
      return (customer as { invoice_settings: { default_payment_method: { card: { last4: string } } } })
        .invoice_settings.default_payment_method.card.last4;
    };
    const declined = await updateCard('4000 0000 0000 0002');
    expect(declined.status).toBe(400);
    expect(declined.html).toContain('Your card was declined');
    expect(await defaultCard()).toBe('0341');

    expect((await updateCard('4242 4242 4242 4242')).status).toBe(303);
    expect(await defaultCard()).toBe('4242');
    expect((await invoicesOf(stack, late)).at(-1)!.status).toBe('open'); // not charged on the spot: the retry does

    await advanceTo(stack, late, '2026-12-02T03:00:00Z'); // past the first Smart Retry (a day later)
    expect((await invoicesOf(stack, late)).at(-1)!.status).toBe('paid');
    expect((await summaryOf(stack, late)).subscription.status).toBe('active');
  });
});
