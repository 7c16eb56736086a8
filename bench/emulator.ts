/**
 * Stripe emulator figures, all through the official SDK over HTTP as real callers use it:
 * - meter events accepted per second (8 concurrent callers), beside a trivial GET measured the same way in the
 *   same run, and their ratio (comparable across machines);
 * - Checkout-to-webhook latency: from completing a Checkout Session to `checkout.session.completed` arriving,
 *   signed, at a local endpoint (median and p95 of 30 signups).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeEmulator } from '@aisyst/stripe-emulator';

interface Figure {
  name: string;
  value: number;
  unit: string;
}

const CONCURRENCY = 8;

async function throughput(total: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await call(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;

export async function benchEmulator(): Promise<Figure[]> {
  // Limits off: this measures how fast the emulator itself takes meter events, from many workers for one customer;
  // with Stripe's one-in-flight-per-customer limit on (the default) most of them would be 429s.
  const emulator = await startStripeEmulator({ port: 0, meterEventLimits: false });
  const stripe = new Stripe('sk_test_bench', {
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const waiting = new Map<string, (t: number) => void>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Stripe.Event;
      const session = event.data.object as Stripe.Checkout.Session;
      waiting.get(session.id)?.(performance.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  try {
    const meter = await stripe.billing.meters.create({
      display_name: 'Minutes',
      event_name: 'bench_minutes',
      default_aggregation: { formula: 'sum' },
    });
    const customer = await stripe.customers.create({ email: 'bench@x.test' });
    // Warm-up so that JIT and keep-alive sockets are in place for both measurements.
    await throughput(200, () => stripe.customers.retrieve(customer.id));
    // The baseline is measured before and after the meter events and averaged, so that load from other
    // processes on a shared machine weighs on both figures alike.
    const getBefore = await throughput(2_000, () => stripe.customers.retrieve(customer.id));
    const eventsPerSecond = await throughput(5_000, (i) =>
      stripe.billing.meterEvents.create({
        event_name: meter.event_name,
        identifier: `bench_${i}`,
        payload: { stripe_customer_id: customer.id, value: '1' },
      }),
    );
    const getPerSecond = (getBefore + (await throughput(2_000, () => stripe.customers.retrieve(customer.id)))) / 2;

    const price = await stripe.prices.create({
      currency: 'eur',
      unit_amount: 20_400,
      recurring: { interval: 'month' },
      product_data: { name: 'Starter' },
    });
    await stripe.webhookEndpoints.create({
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      enabled_events: ['checkout.session.completed'],
    });
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer_email: `b${i}@x.test`,
        success_url: 'http://x.test/ok',
        line_items: [{ price: price.id, quantity: 1 }],
      });
      const arrived = new Promise<number>((resolve) => waiting.set(session.id, resolve));
      const started = performance.now();
      await stripe.rawRequest('POST', `/v1/test_helpers/checkout/sessions/${session.id}/complete`, {
        payment_method: 'pm_card_visa',
      });
      latencies.push((await arrived) - started);
    }
    return [
      { name: 'trivial GET (customers.retrieve), baseline', value: getPerSecond, unit: 'req/s' },
      { name: 'meter events accepted', value: eventsPerSecond, unit: 'events/s' },
      { name: 'meter events vs baseline GET', value: eventsPerSecond / getPerSecond, unit: '×' },
      { name: 'Checkout complete → webhook, median', value: percentile(latencies, 0.5), unit: 'ms' },
      { name: 'Checkout complete → webhook, p95', value: percentile(latencies, 0.95), unit: 'ms' },
    ];
  } finally {
    await emulator.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}
