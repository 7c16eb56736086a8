/**
 * Events carry their delivery state as Stripe's do: `pending_webhooks` counts the endpoints that have not yet
 * answered 2xx (docs.stripe.com/api/events/object), so a reader can tell a delivered event from one still retried.
 * Also: webhook endpoints are listed, updated and deleted through the SDK.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness.ts';
import { startReceiver } from './receiver.ts';

describe('emulator: event delivery state and webhook endpoints', () => {
  const h = useHarness({ webhookRetryScheduleMs: [] });

  it('counts down pending_webhooks as endpoints accept the event, and keeps it for one that refused', async () => {
    const ok = await startReceiver(() => 200);
    const refusing = await startReceiver(() => 500);
    const a = await h.stripe.webhookEndpoints.create({ url: ok.url, enabled_events: ['customer.created'] });
    const b = await h.stripe.webhookEndpoints.create({ url: refusing.url, enabled_events: ['customer.created'] });
    try {
      const customer = await h.stripe.customers.create({ email: 'a@example.test' });
      await h.emulator.waitForIdle();
      const [event] = (await h.stripe.events.list({ type: 'customer.created' })).data.filter(
        (e) => (e.data.object as { id: string }).id === customer.id,
      );
      expect(event!.pending_webhooks).toBe(1); // the refusing endpoint still owes a 2xx
      expect(ok.deliveries).toHaveLength(1);
      expect(refusing.deliveries).toHaveLength(1);

      await h.stripe.webhookEndpoints.del(b.id);
      const second = await h.stripe.customers.create({ email: 'b@example.test' });
      await h.emulator.waitForIdle();
      const [delivered] = (await h.stripe.events.list({ type: 'customer.created' })).data.filter(
        (e) => (e.data.object as { id: string }).id === second.id,
      );
      expect(delivered!.pending_webhooks).toBe(0);
    } finally {
      await h.stripe.webhookEndpoints.del(a.id).catch(() => undefined);
      await ok.close();
      await refusing.close();
    }
  });

  it('lists, updates (events, disabled) and deletes endpoints', async () => {
    const e = await h.stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['invoice.paid'],
    });
    expect((await h.stripe.webhookEndpoints.list()).data.map((x) => x.id)).toContain(e.id);
    const updated = await h.stripe.webhookEndpoints.update(e.id, {
      enabled_events: ['invoice.paid', 'invoice.payment_failed'],
      disabled: true,
    });
    expect(updated).toMatchObject({ enabled_events: ['invoice.paid', 'invoice.payment_failed'], status: 'disabled' });
    expect((await h.stripe.webhookEndpoints.update(e.id, { disabled: false })).status).toBe('enabled');
    expect(await h.stripe.webhookEndpoints.del(e.id)).toMatchObject({ id: e.id, deleted: true });
    await expect(h.stripe.webhookEndpoints.retrieve(e.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
