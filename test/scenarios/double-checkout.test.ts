/**
 * A customer opens Checkout twice (two tabs, a double click, the back button) and tries to pay both: only one
 * subscription may come out of it, at Stripe and here. The same plan twice is the same session; another plan
 * expires the first; and should two sessions still both be paid (one made outside the app), the webhook cancels
 * the newer subscription at Stripe and refunds its invoice through a credit note, once (issue 8, defect 1).
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  payAtCheckout,
  planId,
  settled,
  signUpWithOrganisation,
  startWorld,
  summaryOf,
  type Customer,
} from './world.ts';

describe('a customer opens Checkout twice', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const openCheckout = async (c: Customer, plan = 'Starter') => {
    const res = await stack.call<{ session_id: string }>('create-checkout-session', {
      token: c.token,
      body: { plan_id: await planId(stack, plan), billing_period: 'monthly' },
    });
    expect(res.status).toBe(200);
    return res.json.session_id;
  };
  const subscriptionsAtStripe = async (c: Customer) =>
    (await stack.stripe.subscriptions.list({ customer: c.customerId, status: 'all' })).data.map((s) => s.status);
  const localSubscriptions = async (c: Customer) =>
    (await stack.sql.query<{ status: string }>('select status from subscriptions where org_id = $1', [c.orgId])).map(
      (r) => r.status,
    );

  it('the same plan in two tabs is one session: paying it twice subscribes once', async () => {
    const acme = await signUpWithOrganisation(stack, 'Same Plan Tabs Ltd');
    const firstTab = await openCheckout(acme);
    expect(await openCheckout(acme)).toBe(firstTab);
    expect(await payAtCheckout(stack, firstTab)).toBe(200);
    expect(await payAtCheckout(stack, firstTab)).toBe(400);
    expect(await subscriptionsAtStripe(acme)).toEqual(['active']);
  });

  it("another plan in the second tab expires the first tab's session: paying it fails, paying the second subscribes once", async () => {
    const acme = await signUpWithOrganisation(stack, 'Two Tabs Ltd');
    const firstTab = await openCheckout(acme, 'Growth');
    const secondTab = await openCheckout(acme);

    expect((await stack.stripe.checkout.sessions.retrieve(firstTab)).status).toBe('expired');
    expect(await payAtCheckout(stack, firstTab)).toBe(400);
    expect(await payAtCheckout(stack, secondTab)).toBe(200);

    expect(await subscriptionsAtStripe(acme)).toEqual(['active']);
    expect(await localSubscriptions(acme)).toEqual(['active']);
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({ plan: { name: 'Starter' }, status: 'active' });
  });

  it('two sessions paid anyway (one made outside the app): the newer subscription is canceled and refunded once, even with every webhook delivered twice', async () => {
    const racer = await signUpWithOrganisation(stack, 'Racing Tabs Ltd');
    const first = await openCheckout(racer);
    // The second checkout listed the open sessions before the first was created: both stay payable.
    const starter = (
      await stack.sql.query<{ p: string; m: string }>(
        `select stripe_price_id as p, stripe_metered_price_id as m from billing_plans where name = 'Starter'`,
      )
    )[0]!;
    const metadata = { org_id: racer.orgId, plan_id: await planId(stack, 'Starter'), billing_period: 'monthly' };
    const second = await stack.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: racer.customerId,
      client_reference_id: racer.orgId,
      line_items: [
        { price: starter.p, quantity: 1 },
        { price: starter.m },
        { price: stack.config.stripe.setupFeePriceId!, quantity: 1 },
      ],
      subscription_data: { metadata },
      metadata,
      success_url: 'http://x/ok',
      cancel_url: 'http://x/no',
    });

    expect(await payAtCheckout(stack, first)).toBe(200);
    expect(await payAtCheckout(stack, second.id)).toBe(200);
    await settled(stack);

    const kept = (await stack.stripe.checkout.sessions.retrieve(first)).subscription as string;
    const subs = (await stack.stripe.subscriptions.list({ customer: racer.customerId, status: 'all' })).data;
    expect(subs.map((s) => [s.id === kept ? 'first' : 'second', s.status]).sort()).toEqual([
      ['first', 'active'],
      ['second', 'canceled'],
    ]);
    expect((await localSubscriptions(racer)).sort()).toEqual(['active', 'canceled']);

    // Stripe delivers every event once more: nothing is refunded twice.
    for (const e of (await stack.stripe.events.list({ limit: 100 })).data) await deliverAgain(e);
    await settled(stack);

    const secondSub = subs.find((s) => s.id !== kept)!;
    const paidInvoice = (await stack.stripe.invoices.list({ subscription: secondSub.id, status: 'paid' })).data[0]!;
    const notes = (await stack.stripe.creditNotes.list({ invoice: paidInvoice.id })).data;
    expect(notes.map((n) => [n.reason, n.amount, n.refunds.map((r) => r.amount_refunded)])).toEqual([
      ['duplicate', 45_300, [45_300]],
    ]);
    expect((await stack.stripe.refunds.retrieve(notes[0]!.refunds[0]!.refund as string)).status).toBe('succeeded');
    expect(
      await stack.sql.query(
        'select stripe_invoice_id, canceled_subscription_id, kept_subscription_id, amount_refunded_cents, currency from duplicate_subscription_refunds where org_id = $1',
        [racer.orgId],
      ),
    ).toEqual([
      {
        stripe_invoice_id: paidInvoice.id,
        canceled_subscription_id: secondSub.id,
        kept_subscription_id: kept,
        amount_refunded_cents: 45_300,
        currency: 'eur',
      },
    ]);
    const keptInvoice = (await stack.stripe.invoices.list({ subscription: kept, status: 'paid' })).data[0]!;
    expect(keptInvoice.post_payment_credit_notes_amount).toBe(0);
    expect(stack.logs.filter((l) => l.includes('refunded through Stripe'))).toHaveLength(1);
    expect(stack.logs.join('\n')).not.toContain('by hand:');
    const stuck = await stack.sql.query(`select id from stripe_events where processed_at is null`);
    expect(stuck).toEqual([]);
  });

  async function deliverAgain(event: Stripe.Event): Promise<void> {
    const body = JSON.stringify(event);
    const header = await stack.stripe.webhooks.generateTestHeaderStringAsync({
      payload: body,
      secret: stack.config.stripe.webhookSecret!,
    });
    const res = await fetch(`${stack.url}/functions/v1/stripe-webhook-handler`, {
      method: 'POST',
      headers: { 'stripe-signature': header, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBeLessThan(300);
    await res.arrayBuffer();
  }
});
