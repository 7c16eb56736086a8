/**
 * The Checkout Sessions handed to each organisation (migration 20261201000100), and the organisation's checkout
 * lock: one request at a time may find, expire and create an organisation's sessions (issue 8, defect 1).
 */
import type { Sql } from '../ports/sql.ts';

export interface RecordedCheckoutSession {
  stripeSessionId: string;
  planId: string;
  billingPeriod: 'monthly' | 'yearly';
}

/**
 * Holds the organisation's checkout lock until `tx` ends. Transaction-scoped advisory locks live in the database,
 * so they serialise every process and every Edge Function isolate alike, and are released by a commit, a rollback
 * or a dropped connection (a crashed process never leaves one behind); they work through Supabase's transaction
 * pooler (postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). `lock_timeout` bounds the wait:
 * past it PostgreSQL answers 55P03, which the error mapper turns into a 503 to retry.
 */
export async function lockOrganisationCheckout(tx: Sql, orgId: string): Promise<void> {
  await tx.query(`select set_config('lock_timeout', '20s', true)`);
  await tx.query(`select pg_advisory_xact_lock(hashtext('checkout:' || $1::text))`, [orgId]);
}

/** The last session handed to the organisation, and how many it was handed in all. */
export async function latestCheckoutSession(
  tx: Sql,
  orgId: string,
): Promise<{ latest: RecordedCheckoutSession | undefined; count: number }> {
  const rows = await tx.query<{
    stripe_session_id: string;
    plan_id: string;
    billing_period: 'monthly' | 'yearly';
    count: number;
  }>(
    `select stripe_session_id, plan_id, billing_period, count(*) over ()::int as count
       from public.checkout_sessions where org_id = $1 order by created_at desc, stripe_session_id limit 1`,
    [orgId],
  );
  const row = rows[0];
  return {
    latest: row
      ? { stripeSessionId: row.stripe_session_id, planId: row.plan_id, billingPeriod: row.billing_period }
      : undefined,
    count: row?.count ?? 0,
  };
}

/**
 * Records a session handed out (again, when a repeat reuses it: then it becomes the latest once more). The wall
 * clock, not now(): a transaction that waited for the lock started earlier than the one it waited for.
 */
export async function recordCheckoutSession(tx: Sql, orgId: string, session: RecordedCheckoutSession): Promise<void> {
  await tx.query(
    `insert into public.checkout_sessions (stripe_session_id, org_id, plan_id, billing_period, created_at) values ($1, $2, $3, $4, clock_timestamp())
     on conflict (stripe_session_id) do update set created_at = clock_timestamp()`,
    [session.stripeSessionId, orgId, session.planId, session.billingPeriod],
  );
}
