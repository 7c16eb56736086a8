/**
 * public.attach_unbilled_usage: a call that ended after Checkout but before the first subscription webhook is
 * recorded unbilled (no cycle yet); when the webhook creates its cycle, the call is counted there, once, and
 * queued for Stripe (docs/design.md#usage-ledger-and-meter-delivery: usage is never lost).
 */
import { expect, it } from 'vitest';
import { attachUnbilledUsage } from '../../src/repositories/billing-cycles.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

describeEachDatabase('attach_unbilled_usage', (db) => {
  const report = (orgId: string, callId: string, endedAt: string, minutes: number) =>
    recordUsage(db.sql, {
      orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(endedAt),
    });
  const callsOf = (orgId: string) =>
    db.sql.query<{
      call_id: string;
      stripe_status: string;
      billing_cycle_id: string | null;
      stripe_customer_id: string | null;
      due: boolean;
    }>(
      `select call_id, stripe_status, billing_cycle_id, stripe_customer_id, stripe_next_attempt_at is not null as due
       from usage_records where org_id = $1 order by call_id`,
      [orgId],
    );

  it('counts the calls recorded unbilled before the cycle existed, once, and queues them for Stripe', async () => {
    // Calls ending between Checkout and the first subscription webhook: no cycle yet, so unbilled (409).
    const { orgId } = await createUserAndOrganisation(db.sql);
    const neighbour = await createUserAndOrganisation(db.sql);
    expect(await report(orgId, 'a-before-webhook', '2026-11-01T00:05:00Z', 498)).toMatchObject({ outcome: 'unbilled' });
    expect(await report(orgId, 'b-before-webhook', '2026-11-01T00:06:00Z', 1)).toMatchObject({ outcome: 'unbilled' });
    expect(await report(orgId, 'c-before-the-period', '2026-10-31T23:59:59Z', 7)).toMatchObject({
      outcome: 'unbilled',
    });
    expect(await report(neighbour.orgId, 'd-other-organisation', '2026-11-01T00:05:00Z', 9)).toMatchObject({
      outcome: 'unbilled',
    });

    // The webhook makes the cycle; a call after it is counted as usual.
    const { subscriptionId, cycleId } = await createSubscriptionWithCycle(db.sql, {
      orgId,
      ...NOV,
      stripeCustomerId: 'cus_late',
    });
    expect(await report(orgId, 'e-after-webhook', '2026-11-02T00:00:00Z', 3)).toMatchObject({
      outcome: 'recorded',
      cycle: { minutes_used: 3 },
    });

    expect(await attachUnbilledUsage(db.sql, subscriptionId, NOV.periodStart)).toBe(2);
    const [cycle] = await db.sql.query(
      'select minutes_used, overage_minutes, overage_cost_cents from billing_cycles where id = $1',
      [cycleId],
    );
    expect(cycle).toEqual({ minutes_used: 502, overage_minutes: 2, overage_cost_cents: 100 });
    expect(await callsOf(orgId)).toEqual([
      {
        call_id: 'a-before-webhook',
        stripe_status: 'pending',
        billing_cycle_id: cycleId,
        stripe_customer_id: 'cus_late',
        due: true,
      },
      {
        call_id: 'b-before-webhook',
        stripe_status: 'pending',
        billing_cycle_id: cycleId,
        stripe_customer_id: 'cus_late',
        due: true,
      },
      {
        call_id: 'c-before-the-period',
        stripe_status: 'unbilled',
        billing_cycle_id: null,
        stripe_customer_id: null,
        due: false,
      },
      {
        call_id: 'e-after-webhook',
        stripe_status: 'pending',
        billing_cycle_id: cycleId,
        stripe_customer_id: 'cus_late',
        due: true,
      },
    ]);
    expect(await callsOf(neighbour.orgId)).toEqual([
      expect.objectContaining({ stripe_status: 'unbilled', billing_cycle_id: null }),
    ]);

    // The webhook again (a redelivery, the next event): nothing is attached or counted twice.
    expect(await attachUnbilledUsage(db.sql, subscriptionId, NOV.periodStart)).toBe(0);
    expect(await db.sql.query('select minutes_used from billing_cycles where id = $1', [cycleId])).toEqual([
      { minutes_used: 502 },
    ]);

    // The call's reporter retrying now hears it is counted, in that cycle.
    expect(await report(orgId, 'a-before-webhook', '2026-11-01T00:05:00Z', 498)).toMatchObject({
      outcome: 'duplicate',
      cycle: { id: cycleId, minutes_used: 502 },
    });
  });

  it('attaches nothing for a cycle that does not exist', async () => {
    const [row] = await db.sql.query<{ n: number }>(
      `select public.attach_unbilled_usage('00000000-0000-4000-8000-000000000000') as n`,
    );
    expect(row).toEqual({ n: 0 });
  });
});
