/**
 * A customer opens Checkout twice (two tabs, a double click, the back button) and tries to pay both: only one
 * subscription may come out of it, at Stripe and here. Opening the second session expires the first; and should
 * two sessions still both be paid (two checkouts racing), the webhook cancels the newer subscription at Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { payAtCheckout, planId, settled, signUpWithOrganisation, startWorld, summaryOf, type Customer } from './world.ts';

describe('a customer opens Checkout twice', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startWorld(); });
  afterAll(async () => { await stack?.close(); });

  const openCheckout = async (c: Customer) => {
    const res = await stack.call<{ session_id: string }>('create-checkout-session', {
      token: c.token, body: { plan_id: await planId(stack, 'Starter'), billing_period: 'monthly' },
    });
    expect(res.status).toBe(200);
    return res.json.session_id;
  };
  const subscriptionsAtStripe = async (c: Customer) =>
    (await stack.stripe.subscriptions.list({ customer: c.customerId, status: 'all' })).data.map((s) => s.status);
  const localSubscriptions = async (c: Customer) =>
    (await stack.sql.query<{ status: string }>('select status from subscriptions where org_id = $1', [c.orgId])).map((r) => r.status);

  it('the first tab\'s session is expired: paying it fails, paying the second subscribes once', async () => {
    const acme = await signUpWithOrganisation(stack, 'Two Tabs Ltd');
    const firstTab = await openCheckout(acme);
    const secondTab = await openCheckout(acme);

    expect((await stack.stripe.checkout.sessions.retrieve(firstTab)).status).toBe('expired');
    expect(await payAtCheckout(stack, firstTab)).toBe(400);
    expect(await payAtCheckout(stack, secondTab)).toBe(200);

    expect(await subscriptionsAtStripe(acme)).toEqual(['active']);
    expect(await localSubscriptions(acme)).toEqual(['active']);
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({ plan: { name: 'Starter' }, status: 'active' });
  });

  it('two sessions paid anyway (two checkouts racing): the newer subscription is canceled at Stripe, the older kept', async () => {
    const racer = await signUpWithOrganisation(stack, 'Racing Tabs Ltd');
    const first = await openCheckout(racer);
    // The second checkout listed the open sessions before the first was created: both stay payable.
    const starter = (await stack.sql.query<{ p: string; m: string }>(
      `select stripe_price_id as p, stripe_metered_price_id as m from billing_plans where name = 'Starter'`))[0]!;
    const metadata = { org_id: racer.orgId, plan_id: await planId(stack, 'Starter'), billing_period: 'monthly' };
    const second = await stack.stripe.checkout.sessions.create({
      mode: 'subscription', customer: racer.customerId, client_reference_id: racer.orgId,
      line_items: [{ price: starter.p, quantity: 1 }, { price: starter.m }, { price: stack.config.stripe.setupFeePriceId!, quantity: 1 }],
      subscription_data: { metadata }, metadata, success_url: 'http://x/ok', cancel_url: 'http://x/no',
    });

    expect(await payAtCheckout(stack, first)).toBe(200);
    expect(await payAtCheckout(stack, second.id)).toBe(200);
    await settled(stack);

    const kept = (await stack.stripe.checkout.sessions.retrieve(first)).subscription as string;
    const subs = (await stack.stripe.subscriptions.list({ customer: racer.customerId, status: 'all' })).data;
    expect(subs.map((s) => [s.id === kept ? 'first' : 'second', s.status]).sort()).toEqual([['first', 'active'], ['second', 'canceled']]);
    expect((await localSubscriptions(racer)).sort()).toEqual(['active', 'canceled']);
    const stuck = await stack.sql.query(`select id from stripe_events where processed_at is null`);
    expect(stuck).toEqual([]);
  });
});
