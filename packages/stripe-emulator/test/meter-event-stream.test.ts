/**
 * The v2 meter event session and stream through the official SDK, as `stripe` 23.1.0 calls them
 * (docs.stripe.com/api/v2/billing/meter-event-session/create, docs.stripe.com/api/v2/billing/meter-event-stream/create).
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StripeEmulatorOptions } from '../src/index.ts';
import { startHarness, type Harness } from './harness.ts';

const MINUTE = 60;
type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];

/** A client on the session's token, pointed at the emulator as the app's client is (the `host` setting covers the stream). */
function streamClient(h: Harness, token: string): Stripe {
  return new Stripe(token, { host: h.emulator.host, port: h.emulator.port, protocol: 'http', maxNetworkRetries: 0 });
}

async function setUp(options: StripeEmulatorOptions) {
  const h = await startHarness(options);
  const meter = await h.stripe.billing.meters.create({
    display_name: 'Minutes',
    event_name: 'minutes',
    default_aggregation: { formula: 'sum' },
  });
  const customer = (await h.stripe.customers.create()).id;
  const session = await h.stripe.v2.billing.meterEventSession.create();
  const total = async () => {
    const now = Math.floor(Date.now() / 1000);
    const start = Math.floor(now / MINUTE) * MINUTE - 60 * MINUTE;
    const summaries = await h.stripe.billing.meters.listEventSummaries(meter.id, {
      customer,
      start_time: start,
      end_time: start + 120 * MINUTE,
    });
    return summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
  };
  const event = (value: string, extra: { identifier?: string; timestamp?: string } = {}) => ({
    event_name: 'minutes',
    payload: { stripe_customer_id: customer, value },
    ...extra,
  });
  const v1 = (value: string, identifier: string) =>
    h.stripe.billing.meterEvents.create({
      event_name: 'minutes',
      payload: { stripe_customer_id: customer, value },
      identifier,
    });
  return { h, customer, session, total, event, v1, stream: streamClient(h, session.authentication_token) };
}

describe('meter event session and stream', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp({ meterEventStreamVisibilityMs: 1_500 });
  });
  afterAll(() => s.h.emulator.close());

  it('creates a session whose token is valid for 15 minutes', () => {
    expect(s.session).toMatchObject({ object: 'v2.billing.meter_event_session', livemode: false });
    expect(s.session.id).toMatch(/^mes_/);
    expect(typeof s.session.authentication_token).toBe('string');
    expect(Date.parse(s.session.expires_at) - Date.parse(s.session.created)).toBe(15 * 60_000);
  });

  it('accepts up to 100 events with the session token; they count in summaries after the processing delay', async () => {
    const before = await s.total();
    const events = Array.from({ length: 100 }, (_, i) => s.event('2', { identifier: `stream-batch-${i}` }));
    await s.stream.v2.billing.meterEventStream.create({ events });
    expect(await s.total()).toBe(before); // processed asynchronously, as Stripe's
    await vi.waitFor(async () => expect(await s.total()).toBe(before + 200), { timeout: 10_000, interval: 100 });
  });

  it('refuses a request of the wrong shape at once, with nothing recorded', async () => {
    const before = await s.total();
    const tooMany = Array.from({ length: 101 }, () => s.event('1'));
    await expect(s.stream.v2.billing.meterEventStream.create({ events: tooMany })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(s.stream.v2.billing.meterEventStream.create({ events: [] })).rejects.toMatchObject({
      statusCode: 400,
    });
    const noPayload = { event_name: 'minutes' } as unknown as StreamEvent;
    await expect(
      s.stream.v2.billing.meterEventStream.create({ events: [s.event('1'), noPayload] }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'invalid_fields' });
    await expect(
      s.stream.v2.billing.meterEventStream.create({ events: [s.event('1', { timestamp: 'yesterday' })] }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await s.h.emulator.waitForIdle();
    expect(await s.total()).toBe(before);
  });

  it('drops an event that fails validation when processed (a timestamp outside the window), keeping the others', async () => {
    const before = await s.total();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await s.stream.v2.billing.meterEventStream.create({ events: [s.event('5', { timestamp: old }), s.event('3')] });
    await s.h.emulator.waitForIdle();
    expect(await s.total()).toBe(before + 3);
  });

  it('refuses the secret key on the stream and an unknown token', async () => {
    await expect(s.h.stripe.v2.billing.meterEventStream.create({ events: [s.event('1')] })).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(
      streamClient(s.h, 'mets_test_nope').v2.billing.meterEventStream.create({ events: [s.event('1')] }),
    ).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('meter event stream: expiry, de-duplication with v1, rate', () => {
  it('answers an expired token with 401 billing_meter_event_session_expired', async () => {
    const s = await setUp({ meterEventSessionTtlMs: 1 });
    try {
      await new Promise((r) => setTimeout(r, 5));
      const err = await s.stream.v2.billing.meterEventStream
        .create({ events: [s.event('1')] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Stripe.errors.TemporarySessionExpiredError);
      expect(err).toMatchObject({ statusCode: 401, code: 'billing_meter_event_session_expired' });
    } finally {
      await s.h.emulator.close();
    }
  });

  it('counts an identifier once across v1 and the stream, whichever comes first', async () => {
    const s = await setUp({ meterEventStreamVisibilityMs: 0 });
    try {
      await s.v1('5', 'shared-1');
      await s.stream.v2.billing.meterEventStream.create({
        events: [s.event('7', { identifier: 'shared-1' }), s.event('1', { identifier: 'stream-only' })],
      });
      expect(await s.total()).toBe(6);
      await s.stream.v2.billing.meterEventStream.create({ events: [s.event('2', { identifier: 'shared-2' })] });
      await expect(s.v1('9', 'shared-2')).rejects.toMatchObject({ statusCode: 400, param: 'identifier' });
      await s.stream.v2.billing.meterEventStream.create({ events: [s.event('4', { identifier: 'stream-only' })] });
      expect(await s.total()).toBe(8);
    } finally {
      await s.h.emulator.close();
    }
  });

  it('refuses stream requests beyond the account rate with a 429', async () => {
    const s = await setUp({ meterEventLimits: { streamRequestsPerSecond: 2 }, meterEventStreamVisibilityMs: 0 });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => s.stream.v2.billing.meterEventStream.create({ events: [s.event('1')] })),
      );
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const e of refused) expect(e).toMatchObject({ statusCode: 429, code: 'rate_limit' });
      expect(await s.total()).toBe(5 - refused.length);
    } finally {
      await s.h.emulator.close();
    }
  });
});
