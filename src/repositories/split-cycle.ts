/**
 * A plan change in the middle of a usage period splits its cycle in two. Stripe (flexible billing mode) bills the
 * usage BEFORE the change through the old metered price and the usage AFTER it through the new price, whose tiers
 * count from zero: "switch from price A to price B on January 16. On January 16, we create an invoice item billing
 * for usage from January 1 to January 16. When the subscription cycles on February 1, we bill for price B from
 * January 16 to February 1" (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle).
 * So the cycle ends at the change (closed, its terms and figures kept: that is what the old price bills) and a new
 * cycle with the new terms runs from the change to where the old one ended (Stripe's period end for the active
 * one), remembering the usage period both parts belong to (`usage_period_start`: Stripe bills them on one invoice).
 * Calls ending at or after the change that were already counted in the old cycle move to the new one, and both
 * cycles' figures are recomputed.
 *
 * Concurrency with record_usage (supabase/migrations/20261125000300_record_usage.sql): the first statement locks the
 * old cycle row, as record_usage does before it increments it, and keeps the lock to the end of the transaction.
 * A concurrent call waiting on that row re-checks its period after our commit, no longer matches (the row now ends
 * at the change) and looks again with a fresh snapshot, finding the new cycle. Calls counted before our lock are
 * committed and linked, so the move below sees them. Must run inside the caller's transaction.
 */
import type { Sql } from '../ports/sql.ts';

export interface PlanChange {
  subscriptionId: string;
  /** When Stripe replaced the metered price: the boundary between the two prices' usage windows. */
  changedAt: Date;
  /** The metered item's usage period the change happened in (as of the change): only cycles inside it may split. */
  periodStart: Date;
  /** Its end: the new cycle's end when the active cycle splits. */
  periodEnd: Date;
  includedMinutes: number;
  overageRateCents: number;
}

/**
 * Adds $2 minutes (negative: removes) and recomputes the overage under the cycle's own terms, with the one SQL
 * formula (supabase/migrations/20261201000700_one_overage_formula.sql) that record_usage uses too.
 */
const RECOMPUTE = `minutes_used = minutes_used + $2,
  overage_minutes = public.overage_minutes(included_minutes, minutes_used + $2),
  overage_cost_cents = public.overage_cost_cents(included_minutes, minutes_used + $2, overage_rate_cents)`;

/**
 * Splits the subscription's cycle that holds `changedAt` strictly inside it, from `changedAt` on under the new
 * terms. That is the active cycle, or a part of the change's usage period that a LATER change, handled first,
 * already closed (two changes in one period delivered in reverse order): the earlier change then splits that part,
 * so the minutes between the two changes take the middle plan's terms, as Stripe bills them. A cycle of another
 * period, or one an invoice was already recorded on, never changes.
 *
 * Idempotent: once split, `changedAt` is a boundary, inside no cycle, so nothing matches again. The terms are not
 * compared: Stripe restarts the tiers whenever the metered PRICE is replaced (A → B → A counts from zero twice),
 * and a change handled late must split even where the cycle happens to carry its terms already. Returns whether
 * it split.
 */
export async function splitCycleAtPlanChange(tx: Sql, c: PlanChange): Promise<boolean> {
  const [old] = await tx.query<{
    id: string;
    org_id: string;
    currency: string;
    status: 'active' | 'closed';
    old_end: Date;
    usage_period_start: Date;
  }>(
    `with target as (
       select id, status, period_end, coalesce(usage_period_start, period_start) as usage_period_start from billing_cycles
        where subscription_id = $1 and period_start < $2 and $2 < period_end
          and (status = 'active' or (period_start >= $3 and period_end <= $4 and stripe_invoice_id is null))
        order by (status = 'active') desc, period_start desc
        limit 1
        for update)
     update billing_cycles c set period_end = $2, status = 'closed'
       from target where c.id = target.id
     returning c.id, c.org_id, c.currency, target.status, target.period_end as old_end, target.usage_period_start`,
    [c.subscriptionId, c.changedAt, c.periodStart, c.periodEnd],
  );
  if (!old) return false;
  const [fresh] = await tx.query<{ id: string }>(
    `insert into billing_cycles (subscription_id, org_id, period_start, period_end, status, included_minutes,
       overage_rate_cents, currency, usage_period_start)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (subscription_id, period_start) do update set included_minutes = excluded.included_minutes,
       overage_rate_cents = excluded.overage_rate_cents, status = excluded.status,
       usage_period_start = excluded.usage_period_start
     returning id`,
    [
      c.subscriptionId,
      old.org_id,
      c.changedAt,
      old.status === 'active' ? c.periodEnd : old.old_end,
      old.status,
      c.includedMinutes,
      c.overageRateCents,
      old.currency,
      old.usage_period_start,
    ],
  );
  const [{ minutes }] = (await tx.query<{ minutes: number }>(
    `with moved as (
       update usage_records set billing_cycle_id = $2 where billing_cycle_id = $1 and ended_at >= $3 returning billed_minutes)
     select coalesce(sum(billed_minutes), 0)::bigint as minutes from moved`,
    [old.id, fresh!.id, c.changedAt],
  )) as [{ minutes: number }];
  if (minutes > 0) {
    await tx.query(`update billing_cycles set ${RECOMPUTE} where id = $1`, [old.id, -minutes]);
    await tx.query(`update billing_cycles set ${RECOMPUTE} where id = $1`, [fresh!.id, minutes]);
  }
  return true;
}
