/**
 * public.record_usage, the money-moving step of report-usage: a call is counted once, in the cycle containing
 * its end, with per-call rounding up; overage follows the graduated tiers (DESIGN §1).
 */
import { expect, it } from 'vitest';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import {
  addBillingCycle,
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
} from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };
const DEC = { periodStart: new Date('2026-12-01T00:00:00Z'), periodEnd: new Date('2027-01-01T00:00:00Z') };

describeEachDatabase('record_usage', (db) => {
  it('adds a 61-second call as 2 minutes to the cycle containing its end and queues it for Stripe', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { cycleId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, stripeCustomerId: 'cus_acme' });

    const result = await recordUsage(db.sql, {
      orgId, callId: 'call-61s', durationSeconds: '61', billedMinutes: 2, endedAt: new Date('2026-11-10T12:00:00Z'),
    });

    expect(result).toEqual({
      outcome: 'recorded',
      callId: 'call-61s',
      billedMinutes: 2,
      orgId,
      cycle: {
        id: cycleId,
        period_start: '2026-11-01T00:00:00.000Z',
        period_end: '2026-12-01T00:00:00.000Z',
        minutes_used: 2,
        included_minutes: 500,
        overage_minutes: 0,
        overage_cost_cents: 0,
        currency: 'eur',
      },
    });
    const [call] = await db.sql.query(
      `select billing_cycle_id, duration_seconds, billed_minutes, stripe_status, stripe_customer_id,
              stripe_next_attempt_at is not null as due
         from usage_records where call_id = 'call-61s'`,
    );
    expect(call).toEqual({
      billing_cycle_id: cycleId, duration_seconds: '61.000', billed_minutes: 2,
      stripe_status: 'pending', stripe_customer_id: 'cus_acme', due: true,
    });
  });

  it('bills overage through the graduated tier: Starter at 1,234 minutes owes 734 minutes = €367.00', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const endedAt = new Date('2026-11-15T00:00:00Z');

    const first = await recordUsage(db.sql, { orgId, callId: 'a', durationSeconds: 500 * 60, billedMinutes: 500, endedAt });
    expect(first.cycle).toMatchObject({ minutes_used: 500, overage_minutes: 0, overage_cost_cents: 0 });
    const second = await recordUsage(db.sql, { orgId, callId: 'b', durationSeconds: 60.001, billedMinutes: 2, endedAt });
    expect(second.cycle).toMatchObject({ minutes_used: 502, overage_minutes: 2, overage_cost_cents: 100 });
    const third = await recordUsage(db.sql, { orgId, callId: 'c', durationSeconds: 732 * 60, billedMinutes: 732, endedAt });
    expect(third.cycle).toMatchObject({ minutes_used: 1234, overage_minutes: 734, overage_cost_cents: 36_700 });
  });

  it('picks the cycle by the call end: the end instant of a period belongs to the next one', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId, cycleId: november } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, cycleStatus: 'closed' });
    const december = await addBillingCycle(db.sql, { subscriptionId, orgId, ...DEC, includedMinutes: 500, overageRateCents: 50 });

    const late = await recordUsage(db.sql, {
      orgId, callId: 'late-november', durationSeconds: 30, billedMinutes: 1, endedAt: new Date('2026-11-30T23:59:59.999Z'),
    });
    const boundary = await recordUsage(db.sql, {
      orgId, callId: 'at-midnight', durationSeconds: 30, billedMinutes: 1, endedAt: new Date('2026-12-01T00:00:00Z'),
    });

    expect(late.cycle?.id).toBe(november); // a closed cycle still takes its own period's late calls
    expect(boundary.cycle?.id).toBe(december);
  });

  it('prefers the active cycle when an old subscription and a new one overlap', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, status: 'canceled', cycleStatus: 'closed' });
    const renewed = await createSubscriptionWithCycle(db.sql, {
      orgId, periodStart: new Date('2026-11-20T00:00:00Z'), periodEnd: new Date('2026-12-20T00:00:00Z'),
    });
    const result = await recordUsage(db.sql, {
      orgId, callId: 'overlap', durationSeconds: 10, billedMinutes: 1, endedAt: new Date('2026-11-25T00:00:00Z'),
    });
    expect(result.cycle?.id).toBe(renewed.cycleId);
  });

  it('counts a repeated call_id once and answers with the original figures', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const call = { orgId, callId: 'retry-me', durationSeconds: '125.5', billedMinutes: 3, endedAt: new Date('2026-11-02T00:00:00Z') };

    const first = await recordUsage(db.sql, call);
    const again = await recordUsage(db.sql, { ...call, durationSeconds: '125.500' });

    expect(again).toEqual({ ...first, outcome: 'duplicate' });
    const [cycle] = await db.sql.query('select minutes_used from billing_cycles');
    expect(cycle).toEqual({ minutes_used: 3 });
    expect(await db.sql.query('select count(*)::int as n from usage_records')).toEqual([{ n: 1 }]);
  });

  it('refuses the same call_id for another organisation or another duration, changing nothing', async () => {
    const acme = await createUserAndOrganisation(db.sql);
    const other = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId: acme.orgId, ...NOV });
    await createSubscriptionWithCycle(db.sql, { orgId: other.orgId, ...NOV });
    const endedAt = new Date('2026-11-02T00:00:00Z');
    await recordUsage(db.sql, { orgId: acme.orgId, callId: 'shared', durationSeconds: 60, billedMinutes: 1, endedAt });

    const otherOrg = await recordUsage(db.sql, { orgId: other.orgId, callId: 'shared', durationSeconds: 60, billedMinutes: 1, endedAt });
    const otherDuration = await recordUsage(db.sql, { orgId: acme.orgId, callId: 'shared', durationSeconds: 61, billedMinutes: 2, endedAt });

    expect(otherOrg).toMatchObject({ outcome: 'conflict', cycle: null });
    expect(otherDuration).toMatchObject({ outcome: 'conflict', cycle: null });
    expect(await db.sql.query('select org_id, minutes_used from billing_cycles order by minutes_used desc')).toEqual([
      { org_id: acme.orgId, minutes_used: 1 },
      { org_id: other.orgId, minutes_used: 0 },
    ]);
  });

  it('keeps a call without a billing cycle as unbilled, and its repeat as a duplicate without a cycle', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const call = { orgId, callId: 'no-plan', durationSeconds: 90, billedMinutes: 2, endedAt: new Date('2026-11-02T00:00:00Z') };

    expect(await recordUsage(db.sql, call)).toEqual({ outcome: 'unbilled', callId: 'no-plan', billedMinutes: 2, orgId, cycle: null });
    expect(await recordUsage(db.sql, call)).toEqual({ outcome: 'duplicate', callId: 'no-plan', billedMinutes: 2, orgId, cycle: null });
    expect(await db.sql.query('select stripe_status, billing_cycle_id from usage_records')).toEqual([
      { stripe_status: 'unbilled', billing_cycle_id: null },
    ]);
  });

  it('answers organisation_not_found for an unknown organisation and records nothing', async () => {
    const orgId = '00000000-0000-4000-8000-000000000000';
    const result = await recordUsage(db.sql, { orgId, callId: 'ghost', durationSeconds: 1, billedMinutes: 1 });
    expect(result).toEqual({ outcome: 'organisation_not_found', callId: 'ghost', billedMinutes: 1, orgId, cycle: null });
    expect(await db.sql.query('select 1 from usage_records')).toEqual([]);
  });

  it('records a zero-second call as 0 minutes and refuses minutes that are not ceil(seconds / 60)', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const endedAt = new Date('2026-11-02T00:00:00Z');
    const zero = await recordUsage(db.sql, { orgId, callId: 'zero', durationSeconds: 0, billedMinutes: 0, endedAt });
    expect(zero).toMatchObject({ outcome: 'recorded', billedMinutes: 0, cycle: { minutes_used: 0 } });

    await expect(
      recordUsage(db.sql, { orgId, callId: 'rounded-down', durationSeconds: 61, billedMinutes: 1, endedAt }),
    ).rejects.toThrow(/usage_records_billed_minutes_check/);
    expect(await db.sql.query(`select 1 from usage_records where call_id = 'rounded-down'`)).toEqual([]);
  });

  it('defaults the end of the call to now', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const now = Date.now();
    await createSubscriptionWithCycle(db.sql, { orgId, periodStart: new Date(now - 86_400_000), periodEnd: new Date(now + 86_400_000) });
    const result = await recordUsage(db.sql, { orgId, callId: 'just-now', durationSeconds: 5, billedMinutes: 1 });
    expect(result.outcome).toBe('recorded');
  });
});
