/**
 * Webhook deliveries: signed like Stripe's (verified by the SDK's own constructEventAsync), filtered by
 * enabled_events, retried with backoff when the endpoint answers 5xx.
 */
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { startReceiver } from './receiver.ts';

describe('webhook endpoints', () => {
  let h: Harness;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
    await h.emulator.close();
  });

  it('returns the whsec_ secret only at creation and signs deliveries the SDK verifies', async () => {
    h = await startHarness();
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['customer.created', 'customer.updated'],
      api_version: Stripe.API_VERSION,
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await h.stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

    const customer = await h.stripe.customers.create({ email: 'a@b.test' });
    await h.stripe.customers.update(customer.id, { metadata: { org_id: 'org_9' } });
    await h.stripe.products.create({ name: 'not subscribed to' });
    await h.emulator.waitForIdle();

    expect(receiver.types().sort()).toEqual(['customer.created', 'customer.updated']);
    for (const d of receiver.deliveries) {
      const event = await h.stripe.webhooks.constructEventAsync(d.body, d.signature, endpoint.secret as string);
      expect(h.stripe.webhooks.constructEvent(d.body, d.signature, endpoint.secret as string).id).toBe(event.id);
      expect(event.api_version).toBe(Stripe.API_VERSION);
      expect((event.data.object as Stripe.Customer).id).toBe(customer.id);
    }
    const updated = receiver.deliveries
      .map((d) => JSON.parse(d.body) as Stripe.Event)
      .find((e) => e.type === 'customer.updated');
    expect(updated?.data.previous_attributes).toEqual({ metadata: {} });
    await expect(
      h.stripe.webhooks.constructEventAsync(
        receiver.deliveries[0]!.body,
        receiver.deliveries[0]!.signature,
        'whsec_wrong',
      ),
    ).rejects.toThrow(/signature/i);
    expect(updated?.request).toMatchObject({ id: expect.stringMatching(/^req_/) });
    const listed = await h.stripe.events.retrieve(updated!.id);
    expect(listed.type).toBe('customer.updated');
  });

  it('uses the configured secret for every endpoint (the local stack’s STRIPE_WEBHOOK_SECRET)', async () => {
    h = await startHarness({ webhookSecret: 'whsec_local_stack_secret' });
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const endpoint = await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    expect(endpoint.secret).toBe('whsec_local_stack_secret');
    await h.stripe.customers.create({});
    await h.emulator.waitForIdle();
    const d = receiver.deliveries[0]!;
    expect((await h.stripe.webhooks.constructEventAsync(d.body, d.signature, 'whsec_local_stack_secret')).type).toBe(
      'customer.created',
    );
  });

  it('retries a delivery answered with 500 until the endpoint accepts it', async () => {
    h = await startHarness({ webhookRetryScheduleMs: [20, 40, 80] });
    const receiver = await startReceiver((attempt) => (attempt < 2 ? 500 : 200));
    closers.push(receiver.close);
    await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
    const customer = await h.stripe.customers.create({});
    await h.emulator.waitForIdle();
    expect(receiver.deliveries).toHaveLength(3);
    const ids = receiver.deliveries
      .map((d) => (JSON.parse(d.body) as Stripe.Event).data.object as Stripe.Customer)
      .map((c) => c.id);
    expect(ids).toEqual([customer.id, customer.id, customer.id]);
    expect(new Set(receiver.deliveries.map((d) => d.signature)).size).toBeGreaterThanOrEqual(1);
  });

  it('gives up after the last retry of an endpoint that keeps failing', async () => {
    h = await startHarness({ webhookRetryScheduleMs: [10, 10] });
    const receiver = await startReceiver(() => 503);
    closers.push(receiver.close);
    await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    await h.stripe.customers.create({});
    await h.emulator.waitForIdle();
    expect(receiver.deliveries).toHaveLength(3);
  });
});
