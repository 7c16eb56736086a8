/**
 * What Checkout charges and says (issue 8, item 14): a yearly Checkout discloses the monthly overage terms by its
 * submit button (a monthly one shows its metered line), the emulated hosted page renders it; the €249 setup fee
 * comes with an organisation's first subscription only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { planId, settled, signUpWithOrganisation, startWorld, subscribe } from './world.ts';

describe('Checkout terms', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const checkout = async (token: string, plan: string, period: 'monthly' | 'yearly') => {
    const res = await stack.call<{ checkout_url: string; session_id: string }>('create-checkout-session', {
      token,
      body: { plan_id: await planId(stack, plan), billing_period: period },
    });
    expect(res.status).toBe(200);
    return res.json;
  };

  it('yearly Checkout says €0.50 per minute over the included minutes, billed monthly, on the hosted page too', async () => {
    const acme = await signUpWithOrganisation(stack, 'Yearly Terms');
    const { session_id, checkout_url } = await checkout(acme.token, 'Growth', 'yearly');
    const session = await stack.stripe.checkout.sessions.retrieve(session_id);
    expect(session.custom_text.submit?.message).toBe(
      'Includes 1,000 call minutes every month. Each minute over that costs €0.50, billed monthly in arrears.',
    );
    const html = await (await fetch(checkout_url)).text();
    expect(html).toContain('Each minute over that costs €0.50, billed monthly in arrears.');
    const monthly = await stack.stripe.checkout.sessions.retrieve(
      (await checkout(acme.token, 'Growth', 'monthly')).session_id,
    );
    expect(monthly.custom_text.submit).toBeNull(); // its metered line says it
  });

  it('the setup fee comes with the first subscription only: after a canceled one, Checkout has no setup fee line', async () => {
    const beta = await signUpWithOrganisation(stack, 'Returning Co');
    const feePrice = stack.config.stripe.setupFeePriceId;
    const first = await checkout(beta.token, 'Starter', 'monthly');
    expect(
      (await stack.stripe.checkout.sessions.listLineItems(first.session_id)).data.map((l) => l.price?.id),
    ).toContain(feePrice);
    const { subscriptionId } = await subscribe(stack, beta, 'Starter', 'monthly');
    await stack.stripe.subscriptions.cancel(subscriptionId);
    await settled(stack);
    const again = await checkout(beta.token, 'Starter', 'monthly');
    const lines = await stack.stripe.checkout.sessions.listLineItems(again.session_id);
    expect(lines.data.map((l) => l.price?.id)).not.toContain(feePrice);
    expect(lines.data).toHaveLength(2);
  });
});
