/**
 * Stripe's meter-event limits (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api#rate-limits,
 * docs.stripe.com/rate-limits): one concurrent meter event per customer and meter, 1,000 calls per second per account
 * in live mode; a refused call is a 429 `rate_limit`. And the optional latency that keeps a call in flight.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseDelayMs } from '../src/latency.ts';
import { startHarness, type Harness } from './harness.ts';

const LATENCY_MS = 150;

async function meterAndCustomers(stripe: Stripe, n: number): Promise<string[]> {
  await stripe.billing.meters.create({
    display_name: 'Minutes',
    event_name: 'minutes',
    default_aggregation: { formula: 'sum' },
  });
  return Promise.all(Array.from({ length: n }, async () => (await stripe.customers.create()).id));
}

const send = (stripe: Stripe, customer: string, value = '1') =>
  stripe.billing.meterEvents.create({ event_name: 'minutes', payload: { stripe_customer_id: customer, value } });

describe('one concurrent meter event per customer and meter (on by default)', () => {
  let h: Harness;
  let customers: string[];
  beforeAll(async () => {
    h = await startHarness({ latencyMs: LATENCY_MS });
    customers = await meterAndCustomers(h.stripe, 2);
  });
  afterAll(() => h.emulator.close());

  it('answers a second request for the same customer, sent while the first is in flight, with Stripe’s 429', async () => {
    const [a, b] = await Promise.allSettled([send(h.stripe, customers[0]!), send(h.stripe, customers[0]!)]);
    const outcomes = [a, b].map((r) => r.status).sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const refused = ([a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(refused).toMatchObject({
      statusCode: 429,
      code: 'rate_limit',
      raw: { type: 'invalid_request_error', code: 'rate_limit' },
    });
  });

  it('lets different customers send at the same time, and the same customer again once answered', async () => {
    await Promise.all([send(h.stripe, customers[0]!), send(h.stripe, customers[1]!)]);
    await send(h.stripe, customers[0]!);
    await send(h.stripe, customers[0]!);
  });

  it('delays every answer by the latency, with at most 20 % jitter', async () => {
    expect(responseDelayMs(100, () => 0)).toBe(80);
    expect(responseDelayMs(100, () => 1)).toBe(120);
    expect(responseDelayMs(0, () => 1)).toBe(0);
    const started = performance.now();
    await h.stripe.customers.retrieve(customers[0]!);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LATENCY_MS * 0.8 - 1);
  });
});

describe('the per-account meter-event rate', () => {
  it('refuses live-mode calls beyond the configured rate with a 429, whatever the customer', async () => {
    const h = await startHarness({ meterEventLimits: { meterEventsPerSecond: 3 } });
    try {
      const live = new Stripe('sk_live_emulator', {
        host: h.emulator.host,
        port: h.emulator.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const customers = await meterAndCustomers(live, 6);
      const results = await Promise.allSettled(customers.map((c) => send(live, c)));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(4); // 3 + what refilled meanwhile
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const e of refused) expect(e).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    } finally {
      await h.emulator.close();
    }
  });

  it('applies a shared test-mode rate only when asked, and no limit at all when limits are off', async () => {
    const limited = await startHarness({ meterEventLimits: { testModePerSecond: 2 } });
    const off = await startHarness({ meterEventLimits: false, latencyMs: LATENCY_MS });
    try {
      const few = await meterAndCustomers(limited.stripe, 5);
      const limitedResults = await Promise.allSettled(few.map((c) => send(limited.stripe, c)));
      expect(limitedResults.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(2);
      const [customer] = await meterAndCustomers(off.stripe, 1);
      await Promise.all([send(off.stripe, customer!), send(off.stripe, customer!)]); // same customer, both in flight
    } finally {
      await Promise.all([limited.emulator.close(), off.emulator.close()]);
    }
  });
});
