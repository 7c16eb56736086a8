/**
 * Meter event adjustments (docs.stripe.com/api/billing/meter-event-adjustment/create), through the official SDK:
 * a cancelled event leaves the summaries; only an event received within 24 hours can be cancelled; a repeat of an
 * identifier is refused while it is remembered, and accepted again after (`meterEventIdentifierTtlMs`), when a
 * cancel takes the most recent of the two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, JAN_1_2027, startHarness, type Harness } from './harness.ts';

const NOW = JAN_1_2027 + 10 * DAY;

async function setUp(h: Harness) {
  const meter = await h.stripe.billing.meters.create({
    display_name: 'Voice Call Minutes',
    event_name: 'voice_call_minutes',
    default_aggregation: { formula: 'sum' },
  });
  const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: NOW });
  const customer = await h.stripe.customers.create({ test_clock: clock.id });
  const send = (identifier: string, value: string) =>
    h.stripe.billing.meterEvents.create({
      event_name: 'voice_call_minutes',
      identifier,
      timestamp: NOW - 3600,
      payload: { stripe_customer_id: customer.id, value },
    });
  const total = async () =>
    (
      await h.stripe.billing.meters.listEventSummaries(meter.id, {
        customer: customer.id,
        start_time: JAN_1_2027,
        end_time: NOW + 60,
      })
    ).data.reduce((sum, s) => sum + s.aggregated_value, 0);
  const cancel = (identifier: string) =>
    h.stripe.billing.meterEventAdjustments.create({
      event_name: 'voice_call_minutes',
      type: 'cancel',
      cancel: { identifier },
    });
  return { send, total, cancel };
}

describe('meter event adjustments', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.emulator.close());

  it('cancels one event by identifier: summaries no longer count it, a second cancel is refused', async () => {
    const { send, total, cancel } = await setUp(h);
    await send('call-a', '7');
    await send('call-b', '5');
    expect(await total()).toBe(12);

    const adjustment = await cancel('call-a');
    expect(adjustment).toMatchObject({
      object: 'billing.meter_event_adjustment',
      event_name: 'voice_call_minutes',
      type: 'cancel',
      cancel: { identifier: 'call-a' },
    });
    expect(await total()).toBe(5);
    await expect(cancel('call-a')).rejects.toMatchObject({ statusCode: 400, param: 'cancel[identifier]' });
    await expect(cancel('never-sent')).rejects.toMatchObject({ statusCode: 400, param: 'cancel[identifier]' });
    expect(await total()).toBe(5);
  });

  it('refuses a type other than cancel and a missing identifier', async () => {
    await expect(
      h.stripe.billing.meterEventAdjustments.create({ event_name: 'voice_call_minutes', type: 'other' as 'cancel' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'type' });
    await expect(
      h.stripe.billing.meterEventAdjustments.create({ event_name: 'voice_call_minutes', type: 'cancel' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'cancel[identifier]' });
  });
});

describe('an identifier accepted twice once Stripe forgot it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ meterEventIdentifierTtlMs: 0 });
  });
  afterAll(() => h.emulator.close());

  it('counts both, and a cancel takes one of them', async () => {
    const { send, total, cancel } = await setUp(h);
    await send('call-twice', '4');
    await send('call-twice', '4');
    expect(await total()).toBe(8);
    await cancel('call-twice');
    expect(await total()).toBe(4);
    await cancel('call-twice');
    expect(await total()).toBe(0);
  });
});

describe('the default identifier memory', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.emulator.close());

  it('refuses a repeat within 24 hours', async () => {
    const { send, total } = await setUp(h);
    await send('call-once', '3');
    await expect(send('call-once', '3')).rejects.toMatchObject({ statusCode: 400 });
    expect(await total()).toBe(3);
  });
});
