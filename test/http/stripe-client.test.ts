/** The Stripe client factory: where it points, what version it pins, and what an outage becomes for a caller. */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/adapters/stripe/client.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { toAppError } from '../../src/http/error-response.ts';
import { startStripeEmulator } from '@aisyst/stripe-emulator';

describe('createStripeClient', () => {
  it('talks to the base URL it is given (STRIPE_API_BASE or the embedded emulator)', async () => {
    const emulator = await startStripeEmulator({ port: 0 });
    try {
      const stripe = createStripeClient(parseConfig({ STRIPE_API_BASE: emulator.url }));
      const customer = await stripe.customers.create({ email: 'base@example.com' });
      expect(customer.id).toMatch(/^cus_/);
    } finally {
      await emulator.close();
    }
  });

  it('pins the SDK’s API version', () => {
    const stripe = createStripeClient(parseConfig({}), { apiBase: 'http://127.0.0.1:12111' });
    expect(stripe.getApiField('version')).toBe(Stripe.API_VERSION);
  });

  it('turns an unreachable Stripe into 503 stripe_unavailable for the caller', async () => {
    const stripe = createStripeClient(parseConfig({}), {
      apiBase: 'http://127.0.0.1:1',
      maxNetworkRetries: 0,
      timeoutMs: 2_000,
    });
    const error = await stripe.customers.create({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    const appError = toAppError(error);
    expect([appError.code, appError.status]).toEqual(['stripe_unavailable', 503]);
  });
});
