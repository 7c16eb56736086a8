/**
 * Stripe's clock per subscription (supabase/migrations/20261201000300_subscription_clock.sql): the test clock a
 * subscription lives on and the frozen time last read from Stripe, and the cycle that clock's "now" falls in.
 */
import type { Sql } from '../ports/sql.ts';
import type { CycleRow } from './billing-cycles.ts';
import { LIVE_STATUSES } from './subscriptions.ts';

export interface SubscriptionClock {
  subscriptionId: string;
  testClockId: string;
  /** The clock's frozen time as last read (a lower bound: the clock may have advanced since). */
  clockTime: Date;
  /** The end of the organisation's cycle containing `clockTime`; null when none does (a webhook behind). */
  cycleEnd: Date | null;
}

/** Stores what a re-read of the subscription said about its clock; the time never moves back. */
export async function saveSubscriptionClock(
  sql: Sql,
  stripeSubscriptionId: string,
  testClockId: string | null,
  frozenTime: Date | null,
): Promise<void> {
  await sql.query(
    `update subscriptions
        set stripe_test_clock_id = $2::text,
            stripe_clock_time = case when $2::text is null then null
              when stripe_test_clock_id is distinct from $2::text then $3::timestamptz
              else greatest(stripe_clock_time, $3::timestamptz) end
      where stripe_subscription_id = $1`,
    [stripeSubscriptionId, testClockId, frozenTime],
  );
}

/** A fresh read of the test clock itself: every subscription on it moves forward. */
export async function advanceTestClockTime(sql: Sql, testClockId: string, frozenTime: Date): Promise<void> {
  await sql.query(
    `update subscriptions set stripe_clock_time = $2
      where stripe_test_clock_id = $1 and (stripe_clock_time is null or stripe_clock_time < $2)`,
    [testClockId, frozenTime],
  );
}

/**
 * The organisation's live subscription when it lives on a test clock. Without a live one a call is not billed
 * (record_usage answers no_active_subscription), so no meter event can disagree with the ledger: no bound.
 */
export async function findSubscriptionClock(sql: Sql, orgId: string): Promise<SubscriptionClock | undefined> {
  const rows = await sql.query<{
    id: string;
    stripe_test_clock_id: string | null;
    stripe_clock_time: Date | null;
    cycle_end: Date | null;
  }>(
    `select s.id, s.stripe_test_clock_id, s.stripe_clock_time,
            (select c.period_end from billing_cycles c
              where c.subscription_id = s.id and c.period_start <= s.stripe_clock_time and s.stripe_clock_time < c.period_end
              order by (c.status = 'active') desc, c.period_start desc limit 1) as cycle_end
       from subscriptions s where s.org_id = $1 and s.status = any($2::text[])
      order by s.current_period_start desc nulls last, s.created_at desc limit 1`,
    [orgId, [...LIVE_STATUSES]],
  );
  const row = rows[0];
  if (!row?.stripe_test_clock_id || !row.stripe_clock_time) return undefined;
  return {
    subscriptionId: row.id,
    testClockId: row.stripe_test_clock_id,
    clockTime: new Date(row.stripe_clock_time),
    cycleEnd: row.cycle_end ? new Date(row.cycle_end) : null,
  };
}

const CYCLE_COLUMNS = `id, subscription_id, org_id, period_start, period_end, status, included_minutes, overage_rate_cents,
  minutes_used, overage_minutes, overage_cost_cents, currency, stripe_invoice_id, usage_period_start`;

/**
 * The cycle the dashboard shows at `now` (Stripe's clock for the subscription): the one containing it, before any
 * other — a call ending just after the period end may have opened (and made active) the next one already — then
 * the active one, then the latest (a canceled subscription's last month).
 */
export async function findCycleShownAt(sql: Sql, subscriptionId: string, now: Date): Promise<CycleRow | undefined> {
  const rows = await sql.query<CycleRow>(
    `select ${CYCLE_COLUMNS} from billing_cycles where subscription_id = $1
      order by (period_start <= $2 and $2 < period_end) desc, (status = 'active') desc, period_start desc
      limit 1`,
    [subscriptionId, now],
  );
  return rows[0];
}

/** Stripe's "now" for a subscription row: its test clock's time when it has one, else `wallClock`. */
export async function subscriptionNow(sql: Sql, subscriptionId: string, wallClock: Date): Promise<Date> {
  const rows = await sql.query<{ stripe_clock_time: Date | null }>(
    `select stripe_clock_time from subscriptions where id = $1 and stripe_test_clock_id is not null`,
    [subscriptionId],
  );
  const time = rows[0]?.stripe_clock_time;
  return time ? new Date(time) : wallClock;
}
