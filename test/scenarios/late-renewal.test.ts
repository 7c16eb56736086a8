/**
 * A billing system must never lose a call. At a renewal, a call that ends just after midnight can be reported
 * before Stripe's renewal webhook has reached us. Here Stripe's clock stands two minutes before the end of
 * November (the renewal has not happened, so no webhook can have arrived) when the agent reports a call that
 * ended at 00:00:30 on December 1 — Stripe accepts meter events up to 5 minutes ahead of its clock. We open
 * December ourselves; the renewal webhook later finds that very cycle and keeps its minutes, and the minutes
 * reach Stripe's meter in December, so January's invoice bills them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  at,
  invoicesOf,
  linesOf,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
  type Customer,
} from './world.ts';

interface CycleRow {
  id: string;
  period_start: Date;
  period_end: Date;
  status: string;
  minutes_used: number;
  stripe_invoice_id: string | null;
}

describe('a call ending just after the renewal, reported before the renewal webhook', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const cyclesOf = (c: Customer) =>
    stack.sql.query<CycleRow>(
      'select id, period_start, period_end, status, minutes_used, stripe_invoice_id from billing_cycles where org_id = $1 order by period_start',
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

  it("is billed in December: the webhook keeps our December cycle, and January's invoice carries the minutes", async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Midnight');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-30T23:58:00Z');
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({
      current_period_end: '2026-12-01T00:00:00.000Z',
    });

    // A ten-hour call ends 30 seconds into December; Stripe has not renewed yet, so we have no December cycle.
    const call = await reportCall(stack, acme, 'the-midnight-call', 600, '2026-12-01T00:00:30Z');
    expect(call.status).toBe(200);
    expect(call.json.cycle).toMatchObject({
      period_start: '2026-12-01T00:00:00.000Z',
      period_end: '2027-01-01T00:00:00.000Z',
      minutes_used: 600,
      included_minutes: 500,
      overage_minutes: 100,
      overage_cost_cents: 5_000,
    });
    const before = await cyclesOf(acme);
    expect(before.map(({ id: _id, ...c }) => c)).toEqual([
      {
        period_start: new Date('2026-11-01T00:00:00Z'),
        period_end: new Date('2026-12-01T00:00:00Z'),
        status: 'closed',
        minutes_used: 0,
        stripe_invoice_id: null,
      },
      {
        period_start: new Date('2026-12-01T00:00:00Z'),
        period_end: new Date('2027-01-01T00:00:00Z'),
        status: 'active',
        minutes_used: 600,
        stripe_invoice_id: null,
      },
    ]);
    const december = before[1]!.id;

    // The meter counts the minutes in December (the event carries the call's end), none in November.
    await usageDelivered(stack);
    expect(await meteredMinutes(acme, '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z')).toBe(600);
    expect(await meteredMinutes(acme, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe(0);

    // Stripe renews; its webhooks arrive and converge on the cycle we opened: same row, minutes kept.
    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    const renewal = (await invoicesOf(stack, acme)).at(-1)!;
    expect([renewal.billing_reason, renewal.status, renewal.total]).toEqual(['subscription_cycle', 'paid', 20_400]);
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({
      current_period_start: '2026-12-01T00:00:00.000Z',
      current_period_end: '2027-01-01T00:00:00.000Z',
    });
    expect(await cyclesOf(acme)).toEqual([
      {
        id: before[0]!.id,
        period_start: new Date('2026-11-01T00:00:00Z'),
        period_end: new Date('2026-12-01T00:00:00Z'),
        status: 'closed',
        minutes_used: 0,
        stripe_invoice_id: renewal.id,
      },
      {
        id: december,
        period_start: new Date('2026-12-01T00:00:00Z'),
        period_end: new Date('2027-01-01T00:00:00Z'),
        status: 'active',
        minutes_used: 600,
        stripe_invoice_id: null,
      },
    ]);
    const later = await reportCall(stack, acme, 'december-call', 5, '2026-12-02T10:00:00Z');
    expect(later.json.cycle).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', minutes_used: 605 });
    await usageDelivered(stack);

    // January's invoice bills December's usage: 605 minutes, 105 over the 500 included = €52.50.
    await advanceTo(stack, acme, '2027-01-01T02:00:00Z');
    const january = (await invoicesOf(stack, acme)).at(-1)!;
    expect(linesOf(january)).toEqual(
      expect.arrayContaining([
        '1 × AiSyst Starter (at 204.00 EUR / month): €204.00',
        '605 × AiSyst Starter (at tiered / month): €52.50',
      ]),
    );
    expect(january.total).toBe(20_400 + 5_250);
    expect((await cyclesOf(acme)).find((c) => c.id === december)).toMatchObject({
      status: 'closed',
      minutes_used: 605,
      stripe_invoice_id: january.id,
    });
  });

  it('handled every webhook on its first delivery (no 5xx for Stripe to retry)', () => {
    const deliveries = stack.logs.filter((l) => l.includes('"path":"/functions/v1/stripe-webhook-handler"'));
    expect(deliveries.filter((l) => l.includes('"status":200')).length).toBeGreaterThan(0);
    expect(deliveries.filter((l) => /"status":5\d\d/.test(l))).toEqual([]);
  });
});
