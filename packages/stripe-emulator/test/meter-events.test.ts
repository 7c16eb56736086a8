/**
 * Meter event rules (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api): whole-number values,
 * an active meter for the event name, timestamps within 35 days back and 5 minutes ahead of the customer's own
 * clock, and summaries over minute-aligned windows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, DAY, JAN_1_2027, startHarness, type Harness } from './harness.ts';

describe('meter events and summaries', () => {
  let h: Harness;
  let meterId: string;
  let customerId: string;
  let clockId: string;
  const send = (value: string, extra: { timestamp?: number; identifier?: string; event_name?: string } = {}) =>
    h.stripe.billing.meterEvents.create({
      event_name: extra.event_name ?? 'voice_call_minutes',
      payload: { stripe_customer_id: customerId, value },
      ...(extra.timestamp ? { timestamp: extra.timestamp } : {}),
      ...(extra.identifier ? { identifier: extra.identifier } : {}),
    });

  beforeAll(async () => {
    h = await startHarness();
    meterId = (
      await h.stripe.billing.meters.create({
        display_name: 'Voice Call Minutes',
        event_name: 'voice_call_minutes',
        default_aggregation: { formula: 'sum' },
      })
    ).id;
    clockId = (await h.stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027 + 40 * DAY })).id;
    customerId = (await h.stripe.customers.create({ test_clock: clockId })).id;
  });
  afterAll(() => h.emulator.close());

  it('accepts a whole number and answers with the event, an identifier made up when none is given', async () => {
    const event = await send('12', { timestamp: JAN_1_2027 + 40 * DAY - 60 });
    expect(event).toMatchObject({
      object: 'billing.meter_event',
      event_name: 'voice_call_minutes',
      payload: { stripe_customer_id: customerId, value: '12' },
      timestamp: JAN_1_2027 + 40 * DAY - 60,
    });
    expect(event.identifier).toBeTruthy();
  });

  it('refuses values that are not whole numbers and event names without a meter', async () => {
    await expect(send('1.5')).rejects.toMatchObject({ statusCode: 400, param: 'payload[value]' });
    await expect(send('ten')).rejects.toMatchObject({ statusCode: 400, param: 'payload[value]' });
    await expect(send('1', { event_name: 'no_such_meter' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'event_name',
    });
  });

  it('measures the timestamp window on the customer’s test clock, not the wall clock', async () => {
    const now = JAN_1_2027 + 40 * DAY;
    await expect(send('1', { timestamp: now - 36 * DAY })).rejects.toMatchObject({
      statusCode: 400,
      param: 'timestamp',
    });
    await expect(send('1', { timestamp: now + 6 * 60 })).rejects.toMatchObject({ statusCode: 400, param: 'timestamp' });
    await send('1', { timestamp: now - 34 * DAY });
    await send('1', { timestamp: now + 4 * 60 });
    await advanceClock(h.stripe, clockId, now + DAY);
    await send('1', { timestamp: now + DAY - 60 });
  });

  it('refuses an identifier longer than 100 characters, as Stripe does, and takes one of exactly 100', async () => {
    const now = JAN_1_2027 + 40 * DAY;
    await expect(send('1', { timestamp: now, identifier: 'x'.repeat(101) })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'identifier',
    });
    expect((await send('1', { timestamp: now, identifier: 'y'.repeat(100) })).identifier).toBe('y'.repeat(100));
  });

  it('deduplicates an identifier and sums into minute-aligned, optionally hourly, summaries', async () => {
    const base = JAN_1_2027 + 41 * DAY - 6 * 3600;
    await send('5', { timestamp: base + 10, identifier: 'once' });
    await expect(send('5', { timestamp: base + 10, identifier: 'once' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'identifier',
    });
    await send('7', { timestamp: base + 3600 + 5 });
    const total = await h.stripe.billing.meters.listEventSummaries(meterId, {
      customer: customerId,
      start_time: base,
      end_time: base + 7200,
    });
    expect(total.data.map((s) => s.aggregated_value)).toEqual([12]);
    const hourly = await h.stripe.billing.meters.listEventSummaries(meterId, {
      customer: customerId,
      start_time: base,
      end_time: base + 7200,
      value_grouping_window: 'hour',
    });
    expect(hourly.data.map((s) => [s.start_time - base, s.aggregated_value])).toEqual([
      [0, 5],
      [3600, 7],
    ]);
    await expect(
      h.stripe.billing.meters.listEventSummaries(meterId, {
        customer: customerId,
        start_time: base + 1,
        end_time: base + 7200,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'start_time' });
  });
});
