/**
 * public.record_usage, the money-moving step of report-usage: a call is counted once, in the cycle containing
 * its end, with per-call rounding up; overage follows the graduated tiers (docs/design.md#plans-and-prices).
 */
import { describe, expect, it } from 'vitest';
import { closeCyclesBefore, ensureCycle } from '../../src/repositories/billing-cycles.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import {
  addBillingCycle,
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
} from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };
const DEC = { periodStart: new Date('2026-12-01T00:00:00Z'), periodEnd: new Date('2027-01-01T00:00:00Z') };
const JUST_AFTER_NOVEMBER = new Date('2026-12-01T00:00:30Z');

type CycleSketch = { period_start: string; period_end: string; status: string; minutes_used: number };

describeEachDatabase('record_usage', (db) => {
  it('adds a 61-second call as 2 minutes to the cycle containing its end and queues it for Stripe', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { cycleId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, stripeCustomerId: 'cus_acme' });

    const result = await recordUsage(db.sql, {
      orgId,
      callId: 'call-61s',
      durationSeconds: '61',
      billedMinutes: 2,
      endedAt: new Date('2026-11-10T12:00:00Z'),
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
      billing_cycle_id: cycleId,
      duration_seconds: '61.000',
      billed_minutes: 2,
      stripe_status: 'pending',
      stripe_customer_id: 'cus_acme',
      due: true,
    });
  });

  it('bills overage through the graduated tier: Starter at 1,234 minutes owes 734 minutes = €367.00', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const endedAt = new Date('2026-11-15T00:00:00Z');

    const first = await recordUsage(db.sql, {
      orgId,
      callId: 'a',
      durationSeconds: 500 * 60,
      billedMinutes: 500,
      endedAt,
    });
    expect(first.cycle).toMatchObject({ minutes_used: 500, overage_minutes: 0, overage_cost_cents: 0 });
    const second = await recordUsage(db.sql, {
      orgId,
      callId: 'b',
      durationSeconds: 60.001,
      billedMinutes: 2,
      endedAt,
    });
    expect(second.cycle).toMatchObject({ minutes_used: 502, overage_minutes: 2, overage_cost_cents: 100 });
    const third = await recordUsage(db.sql, {
      orgId,
      callId: 'c',
      durationSeconds: 732 * 60,
      billedMinutes: 732,
      endedAt,
    });
    expect(third.cycle).toMatchObject({ minutes_used: 1234, overage_minutes: 734, overage_cost_cents: 36_700 });
  });

  it('picks the cycle by the call end: the end instant of a period belongs to the next one', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId, cycleId: november } = await createSubscriptionWithCycle(db.sql, {
      orgId,
      ...NOV,
      cycleStatus: 'closed',
    });
    const december = await addBillingCycle(db.sql, {
      subscriptionId,
      orgId,
      ...DEC,
      includedMinutes: 500,
      overageRateCents: 50,
    });

    const late = await recordUsage(db.sql, {
      orgId,
      callId: 'late-november',
      durationSeconds: 30,
      billedMinutes: 1,
      endedAt: new Date('2026-11-30T23:59:59.999Z'),
    });
    const boundary = await recordUsage(db.sql, {
      orgId,
      callId: 'at-midnight',
      durationSeconds: 30,
      billedMinutes: 1,
      endedAt: new Date('2026-12-01T00:00:00Z'),
    });

    expect(late.cycle?.id).toBe(november); // a closed cycle still takes its own period's late calls
    expect(boundary.cycle?.id).toBe(december);
  });

  it('prefers the active cycle when an old subscription and a new one overlap', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, status: 'canceled', cycleStatus: 'closed' });
    const renewed = await createSubscriptionWithCycle(db.sql, {
      orgId,
      periodStart: new Date('2026-11-20T00:00:00Z'),
      periodEnd: new Date('2026-12-20T00:00:00Z'),
    });
    const result = await recordUsage(db.sql, {
      orgId,
      callId: 'overlap',
      durationSeconds: 10,
      billedMinutes: 1,
      endedAt: new Date('2026-11-25T00:00:00Z'),
    });
    expect(result.cycle?.id).toBe(renewed.cycleId);
  });

  it('counts a repeated call_id once and answers with the original figures', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const call = {
      orgId,
      callId: 'retry-me',
      durationSeconds: '125.5',
      billedMinutes: 3,
      endedAt: new Date('2026-11-02T00:00:00Z'),
    };

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

    const otherOrg = await recordUsage(db.sql, {
      orgId: other.orgId,
      callId: 'shared',
      durationSeconds: 60,
      billedMinutes: 1,
      endedAt,
    });
    const otherDuration = await recordUsage(db.sql, {
      orgId: acme.orgId,
      callId: 'shared',
      durationSeconds: 61,
      billedMinutes: 2,
      endedAt,
    });

    expect(otherOrg).toMatchObject({ outcome: 'conflict', cycle: null });
    expect(otherDuration).toMatchObject({ outcome: 'conflict', cycle: null });
    expect(await db.sql.query('select org_id, minutes_used from billing_cycles order by minutes_used desc')).toEqual([
      { org_id: acme.orgId, minutes_used: 1 },
      { org_id: other.orgId, minutes_used: 0 },
    ]);
  });

  it('keeps a call without a billing cycle as unbilled, and its repeat as a duplicate without a cycle', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const call = {
      orgId,
      callId: 'no-plan',
      durationSeconds: 90,
      billedMinutes: 2,
      endedAt: new Date('2026-11-02T00:00:00Z'),
    };

    expect(await recordUsage(db.sql, call)).toEqual({
      outcome: 'unbilled',
      callId: 'no-plan',
      billedMinutes: 2,
      orgId,
      cycle: null,
    });
    expect(await recordUsage(db.sql, call)).toEqual({
      outcome: 'duplicate',
      callId: 'no-plan',
      billedMinutes: 2,
      orgId,
      cycle: null,
    });
    expect(await db.sql.query('select stripe_status, billing_cycle_id from usage_records')).toEqual([
      { stripe_status: 'unbilled', billing_cycle_id: null },
    ]);
  });

  it('answers organisation_not_found for an unknown organisation and records nothing', async () => {
    const orgId = '00000000-0000-4000-8000-000000000000';
    const result = await recordUsage(db.sql, { orgId, callId: 'ghost', durationSeconds: 1, billedMinutes: 1 });
    expect(result).toEqual({
      outcome: 'organisation_not_found',
      callId: 'ghost',
      billedMinutes: 1,
      orgId,
      cycle: null,
    });
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
    await createSubscriptionWithCycle(db.sql, {
      orgId,
      periodStart: new Date(now - 86_400_000),
      periodEnd: new Date(now + 86_400_000),
    });
    const result = await recordUsage(db.sql, { orgId, callId: 'just-now', durationSeconds: 5, billedMinutes: 1 });
    expect(result.outcome).toBe('recorded');
  });
  describe('a call reported before the renewal webhook has opened the next cycle', () => {
    const cyclesOf = (subscriptionId: string) =>
      db.sql.query<CycleSketch>(
        `select to_char(period_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as period_start,
              to_char(period_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as period_end, status, minutes_used
         from billing_cycles where subscription_id = $1 order by period_start`,
        [subscriptionId],
      );
    const call = (orgId: string, callId: string, endedAt: Date, minutes = 1) =>
      recordUsage(db.sql, { orgId, callId, durationSeconds: minutes * 60, billedMinutes: minutes, endedAt });

    it('lands in the next period [old end, next end), opened with the same terms, and closes the old cycle', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, {
        orgId,
        ...NOV,
        stripeCustomerId: 'cus_renewing',
      });

      const result = await call(orgId, 'just-after-midnight', JUST_AFTER_NOVEMBER, 3);

      expect(result).toMatchObject({
        outcome: 'recorded',
        cycle: {
          period_start: '2026-12-01T00:00:00.000Z',
          period_end: '2027-01-01T00:00:00.000Z',
          minutes_used: 3,
          included_minutes: 500,
          currency: 'eur',
        },
      });
      expect(await cyclesOf(subscriptionId)).toEqual([
        { period_start: '2026-11-01T00:00:00Z', period_end: '2026-12-01T00:00:00Z', status: 'closed', minutes_used: 0 },
        { period_start: '2026-12-01T00:00:00Z', period_end: '2027-01-01T00:00:00Z', status: 'active', minutes_used: 3 },
      ]);
      const [row] = await db.sql.query('select billing_cycle_id, stripe_status, stripe_customer_id from usage_records');
      expect(row).toEqual({
        billing_cycle_id: result.cycle!.id,
        stripe_status: 'pending',
        stripe_customer_id: 'cus_renewing',
      });
    });

    it('puts a second call of the same window into the same opened cycle, and a late November call into November', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId, cycleId: november } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });

      const first = await call(orgId, 'dec-1', JUST_AFTER_NOVEMBER, 2);
      const second = await call(orgId, 'dec-2', new Date('2026-12-14T10:00:00Z'), 5);
      const lateNovember = await call(orgId, 'nov-late', new Date('2026-11-30T23:59:00Z'), 7);

      expect(second.cycle).toMatchObject({ id: first.cycle!.id, minutes_used: 7 });
      expect(lateNovember.cycle).toMatchObject({ id: november, minutes_used: 7 });
      expect((await cyclesOf(subscriptionId)).map((c) => [c.period_start, c.status, c.minutes_used])).toEqual([
        ['2026-11-01T00:00:00Z', 'closed', 7],
        ['2026-12-01T00:00:00Z', 'active', 7],
      ]);
    });

    it('computes the next end from the anchor as Stripe does: Jan 31 → Feb 28 → Mar 31 (Feb 29 in a leap year)', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const anchor = { periodStart: new Date('2027-01-31T09:30:00Z'), periodEnd: new Date('2027-02-28T09:30:00Z') };
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...anchor });
      const march = await call(orgId, 'into-march', new Date('2027-02-28T09:31:00Z'));
      const april = await call(orgId, 'into-april', new Date('2027-03-31T09:30:00Z'));
      expect(march.cycle).toMatchObject({
        period_start: '2027-02-28T09:30:00.000Z',
        period_end: '2027-03-31T09:30:00.000Z',
      });
      expect(april.cycle).toMatchObject({
        period_start: '2027-03-31T09:30:00.000Z',
        period_end: '2027-04-30T09:30:00.000Z',
      });
      expect((await cyclesOf(subscriptionId)).map((c) => c.status)).toEqual(['closed', 'closed', 'active']);

      const leap = await createUserAndOrganisation(db.sql);
      await createSubscriptionWithCycle(db.sql, {
        orgId: leap.orgId,
        periodStart: new Date('2028-01-31T00:00:00Z'),
        periodEnd: new Date('2028-02-29T00:00:00Z'),
      });
      const leapMarch = await call(leap.orgId, 'leap-march', new Date('2028-03-01T00:00:00Z'));
      expect(leapMarch.cycle).toMatchObject({
        period_start: '2028-02-29T00:00:00.000Z',
        period_end: '2028-03-31T00:00:00.000Z',
      });
    });

    it('keeps the anchor day after a short month: anchor Nov 25 → Dec 25 → Jan 25, and Jan 31 seen from Feb 28 → Mar 31', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, {
        orgId,
        periodStart: new Date('2026-11-25T13:45:12Z'),
        periodEnd: new Date('2026-12-25T13:45:12Z'),
      });
      const january = await call(orgId, 'boxing-day', new Date('2026-12-26T00:00:00Z'));
      expect(january.cycle).toMatchObject({
        period_start: '2026-12-25T13:45:12.000Z',
        period_end: '2027-01-25T13:45:12.000Z',
      });
      expect((await cyclesOf(subscriptionId)).map((c) => c.status)).toEqual(['closed', 'active']);

      // The webhook made February [Feb 28, …) already: the next boundary comes from the FIRST cycle's start (Jan 31).
      const other = await createUserAndOrganisation(db.sql);
      const jan31 = await createSubscriptionWithCycle(db.sql, {
        orgId: other.orgId,
        periodStart: new Date('2027-01-31T00:00:00Z'),
        periodEnd: new Date('2027-02-28T00:00:00Z'),
        cycleStatus: 'closed',
      });
      await addBillingCycle(db.sql, {
        subscriptionId: jan31.subscriptionId,
        orgId: other.orgId,
        periodStart: new Date('2027-02-28T00:00:00Z'),
        periodEnd: new Date('2027-03-31T00:00:00Z'),
        includedMinutes: 500,
        overageRateCents: 50,
      });
      const april = await call(other.orgId, 'april-fools', new Date('2027-04-01T00:00:00Z'));
      expect(april.cycle).toMatchObject({
        period_start: '2027-03-31T00:00:00.000Z',
        period_end: '2027-04-30T00:00:00.000Z',
      });
    });

    it('opens only the immediately next period: a call a whole period ahead stays unbilled', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });

      const farAhead = await call(orgId, 'next-year', new Date('2027-01-01T00:00:00Z'));
      expect(farAhead).toMatchObject({ outcome: 'unbilled', cycle: null });
      expect((await cyclesOf(subscriptionId)).map((c) => [c.period_start, c.status])).toEqual([
        ['2026-11-01T00:00:00Z', 'active'],
      ]);
    });

    it('opens nothing for a canceled subscription, one canceling before the call, or an organisation without one', async () => {
      const canceled = await createUserAndOrganisation(db.sql);
      await createSubscriptionWithCycle(db.sql, {
        orgId: canceled.orgId,
        ...NOV,
        status: 'canceled',
        cycleStatus: 'closed',
      });
      const leaving = await createUserAndOrganisation(db.sql);
      const leavingSub = await createSubscriptionWithCycle(db.sql, { orgId: leaving.orgId, ...NOV });
      await db.sql.query(
        `update subscriptions set cancel_at = '2026-12-01T00:00:00Z', cancel_at_period_end = true where id = $1`,
        [leavingSub.subscriptionId],
      );
      // Canceled (the status), even though its cycle still runs: nothing opens after it.
      const stopped = await createUserAndOrganisation(db.sql);
      const stoppedSub = await createSubscriptionWithCycle(db.sql, { orgId: stopped.orgId, ...NOV });
      await db.sql.query(
        `update subscriptions set status = 'canceled', canceled_at = '2026-11-20T00:00:00Z' where id = $1`,
        [stoppedSub.subscriptionId],
      );
      const nobody = await createUserAndOrganisation(db.sql);

      for (const org of [canceled, leaving, stopped, nobody]) {
        expect(await call(org.orgId, `after-the-end-${org.orgId}`, JUST_AFTER_NOVEMBER)).toMatchObject({
          outcome: 'unbilled',
          cycle: null,
        });
      }
      expect(
        await db.sql.query(`select count(*)::int as n from billing_cycles where period_start >= '2026-12-01'`),
      ).toEqual([{ n: 0 }]);
      expect(
        await db.sql.query(`select count(*)::int as n from usage_records where stripe_status = 'unbilled'`),
      ).toEqual([{ n: 4 }]);
    });

    it('opens the next cycle of a subscription whose cancellation is only scheduled (canceled_at set, cancel_at ahead)', async () => {
      // Stripe sets canceled_at when the cancellation is requested: a yearly customer who cancels in month 2 for
      // the end of the year keeps an active subscription, and its monthly cycles, until then.
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
      await db.sql.query(
        `update subscriptions set canceled_at = '2026-11-20T00:00:00Z', cancel_at = '2027-10-01T00:00:00Z' where id = $1`,
        [subscriptionId],
      );

      expect(await call(orgId, 'after-the-request', JUST_AFTER_NOVEMBER)).toMatchObject({
        outcome: 'recorded',
        cycle: { period_start: '2026-12-01T00:00:00.000Z', period_end: '2027-01-01T00:00:00.000Z' },
      });
      expect((await cyclesOf(subscriptionId)).map((c) => [c.period_start, c.status])).toEqual([
        ['2026-11-01T00:00:00Z', 'closed'],
        ['2026-12-01T00:00:00Z', 'active'],
      ]);
    });

    it('ends the opened period at cancel_at when the subscription is set to cancel inside it', async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
      await db.sql.query(`update subscriptions set cancel_at = '2026-12-10T00:00:00Z' where id = $1`, [subscriptionId]);
      expect(await call(orgId, 'before-cancel', JUST_AFTER_NOVEMBER)).toMatchObject({
        outcome: 'recorded',
        cycle: { period_start: '2026-12-01T00:00:00.000Z', period_end: '2026-12-10T00:00:00.000Z' },
      });
      expect(await call(orgId, 'after-cancel', new Date('2026-12-10T00:00:00Z'))).toMatchObject({
        outcome: 'unbilled',
      });
    });

    it("keeps the opened cycle when the webhook arrives: same row, its minutes, and Stripe's end", async () => {
      const { orgId } = await createUserAndOrganisation(db.sql);
      const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
      const early = await call(orgId, 'before-the-webhook', JUST_AFTER_NOVEMBER, 4);

      // What the renewal webhook does (sync-subscription's convergeCycles), with an end that differs from ours.
      await ensureCycle(db.sql, {
        subscriptionId,
        orgId,
        periodStart: DEC.periodStart,
        periodEnd: new Date('2027-01-01T00:00:05Z'),
        status: 'active',
        includedMinutes: 1000,
        overageRateCents: 40,
        currency: 'eur',
      });
      await closeCyclesBefore(db.sql, subscriptionId, DEC.periodStart);

      const [december] = await db.sql.query(
        'select id, period_end, minutes_used, included_minutes, overage_rate_cents, status from billing_cycles where period_start = $1',
        [DEC.periodStart],
      );
      expect(december).toEqual({
        id: early.cycle!.id,
        period_end: new Date('2027-01-01T00:00:05Z'),
        minutes_used: 4,
        included_minutes: 500,
        overage_rate_cents: 50,
        status: 'active',
      });
    });
  });
});
