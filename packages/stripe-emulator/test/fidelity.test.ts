/**
 * Every object kind the emulator hands out carries at least the top-level keys of Stripe's own sample object
 * (`resources.<object>` of `fixtures/stripe-fixtures3.json`: Stripe's sample objects, copied unchanged from Stripe's
 * public OpenAPI repository); values may differ. Objects are gathered by walking a realistic signup through the SDK,
 * so nested objects (subscription items, invoice lines, prices) count too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from './catalog.ts';
import { completeCheckout, startHarness, type Harness } from './harness.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/stripe-fixtures3.json', import.meta.url));
const samples = (JSON.parse(readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, Record<string, unknown>> })
  .resources;

/** Collects every object (anything with a string `object` other than 'list') by its kind. */
function collect(value: unknown, into: Map<string, Record<string, unknown>[]>): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (typeof obj.object === 'string' && obj.object !== 'list' && !obj.deleted) {
    into.set(obj.object, [...(into.get(obj.object) ?? []), obj]);
  }
  for (const [k, v] of Object.entries(obj)) if (k !== 'lastResponse') collect(v, into);
}

describe('fidelity to Stripe sample objects', () => {
  let h: Harness;
  const seen = new Map<string, Record<string, unknown>[]>();

  beforeAll(async () => {
    h = await startHarness();
    const s = h.stripe;
    const catalog = await createCatalog(s);
    collect(Object.values(catalog), seen);
    const clock = await s.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
    const customer = await s.customers.create({ email: 'f@x.test', test_clock: clock.id });
    const session = await s.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'http://x.test/ok',
      line_items: [
        { price: catalog.starterMonthly.id, quantity: 1 },
        { price: catalog.starterMetered.id },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
    });
    collect(session, seen);
    collect(await s.checkout.sessions.listLineItems(session.id), seen);
    await completeCheckout(s, session.id, 'pm_card_visa');
    const done = await s.checkout.sessions.retrieve(session.id);
    const sub = await s.subscriptions.retrieve(done.subscription as string, { expand: ['latest_invoice'] });
    collect(
      [done, sub, await s.customers.retrieve(customer.id), await s.testHelpers.testClocks.retrieve(clock.id)],
      seen,
    );
    collect(await s.paymentMethods.list({ customer: customer.id }), seen);
    collect(
      await s.billing.meterEvents.create({
        event_name: 'voice_call_minutes',
        payload: { stripe_customer_id: customer.id, value: '3' },
      }),
      seen,
    );
    const minute = Math.floor(Date.now() / 60_000) * 60;
    collect(
      await s.billing.meters.listEventSummaries(catalog.meter.id, {
        customer: customer.id,
        start_time: minute - 3600,
        end_time: minute + 60,
      }),
      seen,
    );
    collect(await s.events.list({ limit: 100 }), seen);
    collect(
      await s.webhookEndpoints.create({ url: 'http://127.0.0.1:9/none', enabled_events: ['invoice.paid'] }),
      seen,
    );
    collect(await s.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://x.test/' }), seen);
    collect(await s.subscriptionItems.list({ subscription: sub.id }), seen);
  });
  afterAll(() => h.emulator.close());

  // Keys Stripe itself omits on some objects of a kind: a metered subscription item has no `quantity`. The sample
  // invoice predates 2025-03-31.basil, which moved `subscription` to `parent.subscription_details` (the SDK's types,
  // checked field by field in conformance.test.ts, are the authority).
  const OPTIONAL: Record<string, string[]> = { subscription_item: ['quantity'], invoice: ['subscription'] };

  it('returns the object kinds a billing integration meets', () => {
    expect([...seen.keys()].sort()).toEqual(
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
        'payment_method',
        'price',
        'product',
        'subscription',
        'subscription_item',
        'test_helpers.test_clock',
        'webhook_endpoint',
      ]),
    );
  });

  it('gives every object at least the keys of Stripe’s sample', () => {
    const missing: Record<string, string[]> = {};
    for (const [kind, objects] of seen) {
      const sample = samples[kind];
      if (!sample) continue;
      for (const obj of objects) {
        const absent = Object.keys(sample).filter((k) => !(k in obj) && !(OPTIONAL[kind] ?? []).includes(k));
        if (absent.length) missing[kind] = [...new Set([...(missing[kind] ?? []), ...absent])];
      }
    }
    expect(missing).toEqual({});
    expect([...seen.values()].reduce((n, objs) => n + objs.length, 0)).toBeGreaterThan(20);
  });

  it('types the webhook endpoint secret only on creation', async () => {
    const endpoints = (await h.stripe.webhookEndpoints.list()).data as Stripe.WebhookEndpoint[];
    expect(endpoints.every((e) => e.secret === undefined)).toBe(true);
  });
});
