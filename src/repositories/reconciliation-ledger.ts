/**
 * What the ledger says about a customer's usage in a time window, for reconciliation with Stripe's meter
 * (src/usecases/reconcile/README.md). Reads `usage_records` through the outbox's existing columns only
 * (stripe_status, stripe_sent_at, stripe_attempts, stripe_key_generation), so the deliverer's internals may change.
 * Windows are [from, to) on `ended_at`: the meter event's timestamp is the call's end (usage/send-meter-event.ts).
 */
import type { Sql } from '../ports/sql.ts';

export interface CycleToReconcile {
  id: string;
  org_id: string;
  period_start: Date;
  period_end: Date;
  status: 'active' | 'closed';
  stripe_invoice_id: string | null;
  stripe_customer_id: string | null;
}

/**
 * Every cycle that ends after `window.since`, or — without one — within `window.days` before its subscription's
 * own "now" (its test clock's time when it lives on one, as Stripe sees it; else `window.now`). Oldest first.
 */
export async function listCyclesToReconcile(
  sql: Sql,
  window: { since?: Date | undefined; now: Date; days: number },
): Promise<CycleToReconcile[]> {
  const rows = await sql.query<CycleToReconcile>(
    `select c.id, c.org_id, c.period_start, c.period_end, c.status, c.stripe_invoice_id,
            coalesce(s.stripe_customer_id, o.stripe_customer_id) as stripe_customer_id
       from billing_cycles c
       join subscriptions s on s.id = c.subscription_id
       join organisations o on o.id = c.org_id
      where c.period_end > coalesce($1::timestamptz,
              coalesce(case when s.stripe_test_clock_id is not null then s.stripe_clock_time end, $2::timestamptz)
                - make_interval(days => $3::integer))
      order by c.period_start, c.id`,
    [window.since ?? null, window.now, window.days],
  );
  return rows.map((r) => ({ ...r, period_start: new Date(r.period_start), period_end: new Date(r.period_end) }));
}

/** The metered prices of every plan, to find the metered lines on an invoice. */
export async function listMeteredPriceIds(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `select stripe_metered_price_id as id from billing_plans where stripe_metered_price_id is not null`,
  );
  return rows.map((r) => r.id);
}

export interface LedgerFigures {
  /** Billed minutes of every call that should reach Stripe: sent, pending or failed. */
  ledgerMinutes: number;
  pendingMinutes: number;
  failedMinutes: number;
  /** Sent within the last `settleSeconds`: Stripe may not show them in its summaries yet. */
  recentlySentMinutes: number;
}

export async function ledgerFigures(
  sql: Sql,
  w: { orgId: string; from: Date; to: Date; settleSeconds: number },
): Promise<LedgerFigures> {
  const rows = await sql.query<Record<string, number | string | null>>(
    `select coalesce(sum(billed_minutes), 0) as ledger,
            coalesce(sum(billed_minutes) filter (where stripe_status = 'pending'), 0) as pending,
            coalesce(sum(billed_minutes) filter (where stripe_status = 'failed'), 0) as failed,
            coalesce(sum(billed_minutes) filter (where stripe_status = 'sent'
              and stripe_sent_at > now() - make_interval(secs => $4::double precision)), 0) as recent
       from usage_records
      where org_id = $1 and ended_at >= $2 and ended_at < $3 and stripe_status in ('sent', 'pending', 'failed')`,
    [w.orgId, w.from, w.to, w.settleSeconds],
  );
  const r = rows[0] ?? {};
  return {
    ledgerMinutes: Number(r.ledger ?? 0),
    pendingMinutes: Number(r.pending ?? 0),
    failedMinutes: Number(r.failed ?? 0),
    recentlySentMinutes: Number(r.recent ?? 0),
  };
}

/**
 * The calls of the meter events a repair may touch, each with the batch that carried it: one meter event per
 * batch (`stripe_batch_id`, usecases/usage/meter-batch.ts) or, for a call sent alone before batching, per call.
 * A batch is returned whole (all its calls, wherever they ended), as only the whole batch is one meter event.
 */
export interface LedgerCall {
  id: string;
  call_id: string;
  billed_minutes: number;
  ended_at: Date;
  stripe_status: 'sent' | 'failed';
  stripe_batch_id: string | null;
}

// The batch that carried the call (migration 20261201001300); null = the call was its own meter event.
const BATCH_ID = (t: string) => `${t}.stripe_batch_id`;
const CALL_COLUMNS = `u.id, u.call_id, u.billed_minutes, u.ended_at, u.stripe_status, ${BATCH_ID('u')}`;
const toCall = (r: LedgerCall): LedgerCall => ({
  ...r,
  billed_minutes: Number(r.billed_minutes),
  ended_at: new Date(r.ended_at),
});
const EVENT_KEY = (t: string) => `coalesce(${BATCH_ID(t)}, 'call:' || ${t}.call_id)`;

async function callsOfEvents(sql: Sql, orgId: string, picked: string, params: readonly unknown[]) {
  const rows = await sql.query<LedgerCall>(
    `with picked as (${picked})
     select ${CALL_COLUMNS} from usage_records u join picked p on p.k = ${EVENT_KEY('u')}
      where u.org_id = $1 and u.stripe_status in ('sent', 'failed')
      order by ${EVENT_KEY('u')}, u.ended_at, u.id`,
    [orgId, ...params],
  );
  return rows.map(toCall);
}

/**
 * Meter events it is safe to send again to fill a gap at Stripe: refused ones (the ledger says Stripe never
 * accepted them), and ones sent within the last `dedupeSeconds`, while Stripe still rejects a repeated identifier.
 */
export async function listResendableCalls(
  sql: Sql,
  w: { orgId: string; from: Date; to: Date; dedupeSeconds: number },
): Promise<LedgerCall[]> {
  return callsOfEvents(
    sql,
    w.orgId,
    `select distinct ${EVENT_KEY('r')} as k from usage_records r
      where r.org_id = $1 and r.ended_at >= $2 and r.ended_at < $3 and r.billed_minutes > 0
        and (r.stripe_status = 'failed'
             or (r.stripe_status = 'sent' and r.stripe_sent_at > now() - make_interval(secs => $4::double precision)))`,
    [w.from, w.to, w.dedupeSeconds],
  );
}

/**
 * Sent meter events whose delivery was retried (an attempt before the successful one may have reached Stripe)
 * and that Stripe received within the last `windowSeconds` (its meter event adjustment window): the only ones a
 * double count can be cancelled for.
 */
export async function listRetriedRecentCalls(
  sql: Sql,
  w: { orgId: string; from: Date; to: Date; windowSeconds: number },
): Promise<LedgerCall[]> {
  return callsOfEvents(
    sql,
    w.orgId,
    `select distinct ${EVENT_KEY('r')} as k from usage_records r
      where r.org_id = $1 and r.ended_at >= $2 and r.ended_at < $3 and r.billed_minutes > 0
        and r.stripe_status = 'sent' and (r.stripe_attempts > 1 or r.stripe_key_generation > 0)
        and r.stripe_sent_at > now() - make_interval(secs => $4::double precision)`,
    [w.from, w.to, w.windowSeconds],
  );
}

/** Refused calls that a repair got Stripe to accept (or found already there) are sent. */
export async function markCallsResent(sql: Sql, ids: string[]): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null
      where id = any($1::uuid[]) and stripe_status = 'failed'`,
    [ids],
  );
}
