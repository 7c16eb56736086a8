/**
 * Every object the emulator returns or delivers conforms to the `stripe` package's own types (`Stripe.*`, API
 * 2026-10-28.endive): no missing, extra or mistyped field. A full lifecycle runs through the SDK on a test clock —
 * catalog, Checkout, usage, updates, renewal, a failed payment, the portal, recovery, cancellation — while the raw
 * JSON of every response and every webhook delivery is kept and checked. Bumping the SDK shows here every place
 * the emulator must follow. A new object kind is one line in `conformance/stripe-kinds.ts`.
 */
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '../src/index.ts';
import { loadChecker, type ConformanceChecker } from './conformance/checker.ts';
import { lifecycle } from './conformance/lifecycle.ts';
import { recordingStripe, type Recorded } from './conformance/recording-stripe.ts';
import { startReceiver } from './receiver.ts';

const KINDS = fileURLToPath(new URL('./conformance/stripe-kinds.ts', import.meta.url));

describe('conformance to the SDK’s Stripe.* types', () => {
  let emulator: RunningStripeEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let checker: ConformanceChecker;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    checker = loadChecker(KINDS);
    emulator = await startStripeEmulator({ port: 0 });
    receiver = await startReceiver();
    await lifecycle(recordingStripe(emulator, recorded), receiver.url);
    await emulator.waitForIdle();
  });
  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  const delivered = () => receiver.deliveries.map((d) => ({ request: 'webhook', body: JSON.parse(d.body) as unknown }));

  /** Every object kind met, nested ones included, so the lifecycle cannot quietly stop covering one. */
  function kindsIn(value: unknown, into = new Set<string>()): Set<string> {
    if (Array.isArray(value)) for (const v of value) kindsIn(v, into);
    else if (value !== null && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      if (typeof obj.object === 'string') into.add(obj.object);
      for (const v of Object.values(obj)) kindsIn(v, into);
    }
    return into;
  }

  it('meets every object kind a billing integration reads, returned and delivered', () => {
    const kinds = kindsIn([...recorded, ...delivered()].map((r) => r.body));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'billing.meter',
        'billing.meter_event',
        'billing.meter_event_summary',
        'billing_portal.session',
        'checkout.session',
        'customer',
        'event',
        'invoice',
        'item',
        'line_item',
        'list',
        'payment_method',
        'price',
        'product',
        'subscription',
        'subscription_item',
        'test_helpers.test_clock',
        'webhook_endpoint',
        'subscription_schedule',
        'credit_note',
        'refund',
        'v2.billing.meter_event_session',
      ]),
    );
    const types = new Set(delivered().map((d) => (d.body as Stripe.Event).type));
    expect([...types]).toEqual(
      expect.arrayContaining([
        'checkout.session.completed',
        'customer.subscription.created',
        'customer.subscription.updated',
        'customer.subscription.deleted',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_failed',
      ]),
    );
  });

  it('returns and delivers no object with a missing, extra or mistyped field', () => {
    const problems = new Set<string>();
    for (const { request, body } of [...recorded, ...delivered()]) {
      const kind =
        (body as { object?: string; type?: string }).object === 'event'
          ? `event ${(body as Stripe.Event).type}`
          : request;
      for (const m of checker.check(body))
        problems.add(`${kind} ${m.path.replace(/\[\d+\]/g, '[]')}: ${m.problem} (${m.detail})`);
    }
    expect([...problems].sort()).toEqual([]);
  });
});
