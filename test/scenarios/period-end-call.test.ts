/**
 * Test mode: a voice agent reports a call that ends at the very end of the billing period while the customer's
 * test clock is still mid-month. Stripe takes meter events at most 5 minutes ahead of the customer's clock, so
 * such a call would land in December in our ledger and in November at Stripe, and it used to open December and
 * close November: the dashboard then showed December (1 minute) instead of November's thousands. Now the call is
 * refused (400 invalid_request, field ended_at) relative to the test clock; within 5 minutes of the clock it is
 * taken, counted in December by both ledger and meter, and the dashboard keeps showing the month the clock is in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  at,
  invoicesOf,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
  type Customer,
} from './world.ts';

describe('a test-mode call ending at the period end, reported mid-month', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const ledger = (c: Customer) =>
    stack.sql.query<{ period_start: Date; minutes_used: number }>(
      'select period_start, minutes_used from billing_cycles where org_id = $1 order by period_start',
      [c.orgId],
    );

  async function meteredMinutes(c: Customer, from: string, to: string): Promise<number> {
    const meter = (await stack.stripe.billing.meters.list()).data.find((m) => m.event_name === 'voice_call_minutes')!;
    const summaries = await stack.stripe.billing.meters.listEventSummaries(meter.id, {
      customer: c.customerId,
      start_time: at(from),
      end_time: at(to),
    });
    return summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
  }

  it('is refused against the test clock; the dashboard stays on this month; ledger and meter agree per period', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Month End');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-20T10:00:00Z');
    for (const day of [10, 15, 20])
      expect((await reportCall(stack, acme, `busy-${day}`, 1_000, `2026-11-${day}T09:00:00Z`)).status).toBe(200);

    // Ten days before the period end on the customer's clock: a call "ending" at the period end is refused.
    const early = await reportCall(stack, acme, 'at-the-period-end', 1, '2026-12-01T00:00:00Z');
    expect(early.status).toBe(400);
    expect(early.json).toMatchObject({ error: 'invalid_request', field: 'ended_at' });
    expect(
      await stack.sql.query('select call_id from usage_records where call_id = $1', ['at-the-period-end']),
    ).toEqual([]);
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      period_start: '2026-11-01T00:00:00.000Z',
      minutes_used: 3_000,
    });

    // Two minutes before the end (no event about the subscription since the 20th: the clock is read from Stripe),
    // the same call is within Stripe's 5 minutes: taken, counted in December.
    await advanceTo(stack, acme, '2026-11-30T23:58:00Z');
    const taken = await reportCall(stack, acme, 'at-the-period-end', 1, '2026-12-01T00:00:00Z');
    expect(taken.status).toBe(200);
    expect(taken.json.cycle).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', minutes_used: 1 });

    // The dashboard still shows November, the month the customer's clock is in.
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      minutes_used: 3_000,
      overage_cost_cents: 125_000,
    });

    // Ledger and Stripe's meter agree, period by period.
    await usageDelivered(stack);
    expect((await ledger(acme)).map((c) => [c.period_start.toISOString(), c.minutes_used])).toEqual([
      ['2026-11-01T00:00:00.000Z', 3_000],
      ['2026-12-01T00:00:00.000Z', 1],
    ]);
    expect(await meteredMinutes(acme, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe(3_000);
    expect(await meteredMinutes(acme, '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z')).toBe(1);

    // The renewal bills November's 2,500 minutes over at €0.50; December is then the month shown.
    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    const renewal = (await invoicesOf(stack, acme)).at(-1)!;
    expect([renewal.billing_reason, renewal.total]).toEqual(['subscription_cycle', 20_400 + 125_000]);
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      period_start: '2026-12-01T00:00:00.000Z',
      minutes_used: 1,
    });
  });
});
