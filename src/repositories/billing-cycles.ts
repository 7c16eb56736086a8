/**
 * Monthly usage cycles (also on yearly plans: docs/design.md#billing-cycles-and-periods). Created and closed by the
 * webhook handler from the METERED item's period; `minutes_used` is only ever changed by `record_usage`, under the
 * cycle's row lock. One exception to "created by the webhook": a call ending after the last cycle of a live
 * subscription, before the renewal webhook arrived, makes `record_usage` open the immediately next period itself
 * (src/adapters/db/README.md).
 */
import type { Sql } from '../ports/sql.ts';

export interface CycleRow {
  id: string;
  subscription_id: string;
  org_id: string;
  period_start: Date;
  period_end: Date;
  status: 'active' | 'closed';
  included_minutes: number;
  overage_rate_cents: number;
  /** The three counters are bigint columns; both drivers read int8 as a number (a bigint only past 2^53). */
  minutes_used: number;
  overage_minutes: number;
  overage_cost_cents: number;
  currency: string;
  stripe_invoice_id: string | null;
  /** Set on a part a plan change split off: the start of the Stripe usage period it belongs to. */
  usage_period_start: Date | null;
}

export interface CycleTerms {
  subscriptionId: string;
  orgId: string;
  periodStart: Date;
  periodEnd: Date;
  status: 'active' | 'closed';
  includedMinutes: number;
  overageRateCents: number;
  currency: string;
}

const COLUMNS = `id, subscription_id, org_id, period_start, period_end, status, included_minutes, overage_rate_cents,
  minutes_used, overage_minutes, overage_cost_cents, currency, stripe_invoice_id, usage_period_start`;

/**
 * Inserts the cycle of this period, or (unique (subscription_id, period_start)) converges the existing one on
 * Stripe's `period_end`: Stripe is the source of truth for a period. The existing cycle keeps its status, terms
 * and figures: the plan's terms are frozen when its period starts, and its minutes are counted calls.
 *
 * The existing row may be one `record_usage` opened itself, when a call ending just after a renewal was reported
 * before this webhook (`open_next_billing_cycle` in supabase/migrations/20261125000300_record_usage.sql): we
 * keep that row (same id, its minutes) and only correct its end should our anchor arithmetic differ from
 * Stripe's. Lock order: this row, then the earlier ones (closeCyclesBefore) — as record_usage does.
 * A cycle whose successor already starts at its end keeps that end: it was split at a plan change (Stripe's period
 * runs on, but this cycle's usage stops there: repositories/split-cycle.ts).
 */
export async function ensureCycle(sql: Sql, c: CycleTerms): Promise<void> {
  await sql.query(
    `insert into billing_cycles (subscription_id, org_id, period_start, period_end, status, included_minutes,
       overage_rate_cents, currency)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (subscription_id, period_start) do update set period_end = excluded.period_end
       where billing_cycles.period_end is distinct from excluded.period_end
         and not exists (select 1 from billing_cycles n
                          where n.subscription_id = billing_cycles.subscription_id and n.period_start = billing_cycles.period_end)`,
    [
      c.subscriptionId,
      c.orgId,
      c.periodStart,
      c.periodEnd,
      c.status,
      c.includedMinutes,
      c.overageRateCents,
      c.currency,
    ],
  );
}

/**
 * Counts the organisation's calls recorded 'unbilled' (no cycle yet when they were reported) that ended inside
 * the cycle of this period: `attach_unbilled_usage` in supabase/migrations/20261125000300_record_usage.sql.
 * Returns how many it attached; 0 when there were none or the cycle does not exist.
 */
export async function attachUnbilledUsage(sql: Sql, subscriptionId: string, periodStart: Date): Promise<number> {
  const rows = await sql.query<{ attached: number }>(
    `select public.attach_unbilled_usage(c.id) as attached from billing_cycles c
      where c.subscription_id = $1 and c.period_start = $2`,
    [subscriptionId, periodStart],
  );
  return rows[0]?.attached ?? 0;
}

/** Closes the subscription's cycles that started before `periodStart` (every one when it is undefined). */
export async function closeCyclesBefore(
  sql: Sql,
  subscriptionId: string,
  periodStart: Date | undefined,
): Promise<void> {
  await sql.query(
    `update billing_cycles set status = 'closed'
      where subscription_id = $1 and status = 'active' and ($2::timestamptz is null or period_start < $2)`,
    [subscriptionId, periodStart ?? null],
  );
}

export async function setCycleInvoice(
  sql: Sql,
  subscriptionId: string,
  periodStart: Date,
  invoiceId: string,
): Promise<void> {
  await sql.query(
    `update billing_cycles set stripe_invoice_id = $3
      where subscription_id = $1 and period_start = $2 and stripe_invoice_id is distinct from $3`,
    [subscriptionId, periodStart, invoiceId],
  );
}

/**
 * The subscription's current cycle: the one the webhook handler keeps active (Stripe's current period of the
 * metered item — Stripe's clock decides, which also makes test clocks work), else the one containing `at`,
 * else the latest (a canceled subscription's last month).
 */
export async function findCurrentCycle(sql: Sql, subscriptionId: string, at: Date): Promise<CycleRow | undefined> {
  const rows = await sql.query<CycleRow>(
    `select ${COLUMNS} from billing_cycles where subscription_id = $1
     order by (status = 'active') desc, (period_start <= $2 and $2 < period_end) desc, period_start desc
     limit 1`,
    [subscriptionId, at],
  );
  return rows[0];
}

/** The subscription's cycle whose period contains `at` (the earliest, should two overlap). */
export async function findCycleContaining(sql: Sql, subscriptionId: string, at: Date): Promise<CycleRow | undefined> {
  const rows = await sql.query<CycleRow>(
    `select ${COLUMNS} from billing_cycles where subscription_id = $1 and period_start <= $2 and $2 < period_end
     order by period_start limit 1`,
    [subscriptionId, at],
  );
  return rows[0];
}

/**
 * The parts of `cycle`'s usage period before it: what a plan change closed earlier in the period (split-cycle.ts).
 * Stripe bills them with the period, so their overage is still to come though the current part counts from zero.
 */
export async function findEarlierPartsOfPeriod(sql: Sql, cycle: CycleRow): Promise<CycleRow[]> {
  return sql.query<CycleRow>(
    `select ${COLUMNS} from billing_cycles
      where subscription_id = $1 and coalesce(usage_period_start, period_start) = $2 and period_start < $3
      order by period_start`,
    [cycle.subscription_id, cycle.usage_period_start ?? cycle.period_start, cycle.period_start],
  );
}

export async function listCycles(sql: Sql, subscriptionId: string): Promise<CycleRow[]> {
  return sql.query<CycleRow>(`select ${COLUMNS} from billing_cycles where subscription_id = $1 order by period_start`, [
    subscriptionId,
  ]);
}
