/**
 * The stack against a separately started Stripe-compatible API (STRIPE_API_BASE, e.g. `aisyst-billing
 * stripe-emulator`): it syncs the catalog there, registers its webhook endpoint and learns the signing secret from
 * it — so a completed Checkout reaches the handler, verified, with no STRIPE_WEBHOOK_SECRET configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { startTestStack, type TestStack } from '../support/stack.ts';

let emulator: RunningStripeEmulator;
let stack: TestStack;

beforeAll(async () => {
  emulator = await startStripeEmulator({ port: 0 });
  stack = await startTestStack({ env: { STRIPE_API_BASE: emulator.url } });
});
afterAll(async () => {
  await stack?.close();
  await emulator?.close();
});

describe('a stack on STRIPE_API_BASE', () => {
  it('embeds no emulator of its own and learns the webhook secret from the endpoint it registered', async () => {
    expect(stack.emulator).toBeUndefined();
    expect(stack.config.stripe.webhookSecret).toMatch(/^whsec_/);
    const endpoints = (await stack.stripe.webhookEndpoints.list()).data;
    expect(endpoints.map((e) => e.url)).toEqual([`${stack.url}/functions/v1/stripe-webhook-handler`]);
  });

  it('receives the signed events of a completed Checkout and shows the subscription', async () => {
    const { accessToken } = await stack.signUp();
    const org = await stack.createOrganisation(accessToken, 'External Ltd');
    const planId = (await stack.call('plans')).json.plans[0].id;
    const checkout = await stack.call('create-checkout-session', {
      token: accessToken,
      body: { plan_id: planId, billing_period: 'monthly' },
    });
    expect(checkout.status).toBe(200);
    const completed = await fetch(
      `${emulator.url}/v1/test_helpers/checkout/sessions/${checkout.json.session_id}/complete`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.config.stripe.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'payment_method=pm_card_visa',
      },
    );
    expect(completed.status).toBe(200);
    await emulator.waitForIdle();
    const summary = await stack.call(`billing-summary?org_id=${org.id}`, { token: accessToken });
    expect(summary.json.subscription).toMatchObject({
      status: 'active',
      billing_period: 'monthly',
      plan: { name: 'Starter' },
    });
    expect(stack.logs.join('\n')).not.toMatch(/invalid_signature/);
  });
});
