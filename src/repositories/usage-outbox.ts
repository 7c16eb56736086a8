/**
 * The meter-event outbox: `usage_records` rows in stripe_status 'pending' (written by record_usage in the same
 * transaction as the usage). Claiming is ONE statement: `FOR UPDATE SKIP LOCKED` picks rows no other deliverer
 * is claiming right now, and pushing `stripe_next_attempt_at` forward by a lease hides them from every other
 * deliverer until the lease runs out — so two deliverers never send the same row at the same time, and a
 * deliverer that dies mid-send only delays the row by one lease. See src/usecases/usage/README.md.
 * A row recorded without a Stripe customer (an adopted database; the organisation got its customer later) gets
 * it in the claim: the cycle's subscription's customer, else the organisation's, stored on the row.
 */
import type { Sql } from '../ports/sql.ts';

export interface OutboxRow {
  id: string;
  call_id: string;
  billed_minutes: number;
  ended_at: Date;
  stripe_customer_id: string | null;
  /** Attempts including the one this claim starts. */
  stripe_attempts: number;
  stripe_last_error: string | null;
  /** Which idempotency key the next attempt uses (usage/idempotency-key.ts); 0 = `usage-<identifier>`. */
  stripe_key_generation: number;
}

export async function claimDueUsage(
  sql: Sql,
  opts: { limit: number; leaseSeconds: number; callId?: string | undefined; orgId?: string | undefined },
): Promise<OutboxRow[]> {
  const rows = await sql.query<OutboxRow>(
    `with due as (
       select id from usage_records
        where stripe_status = 'pending' and coalesce(stripe_next_attempt_at, created_at) <= now()
          and ($3::text is null or call_id = $3) and ($4::uuid is null or org_id = $4)
        order by stripe_next_attempt_at nulls first, created_at
        limit $1
        for update skip locked
     )
     update usage_records u
        set stripe_next_attempt_at = now() + make_interval(secs => $2::double precision),
            stripe_attempts = u.stripe_attempts + 1,
            stripe_customer_id = coalesce(
              u.stripe_customer_id,
              (select s.stripe_customer_id from billing_cycles c join subscriptions s on s.id = c.subscription_id
                where c.id = u.billing_cycle_id),
              (select o.stripe_customer_id from organisations o where o.id = u.org_id))
       from due where u.id = due.id
     returning u.id, u.call_id, u.billed_minutes, u.ended_at, u.stripe_customer_id, u.stripe_attempts, u.stripe_last_error,
               u.stripe_key_generation`,
    [opts.limit, opts.leaseSeconds, opts.callId ?? null, opts.orgId ?? null],
  );
  return rows.map((r) => ({
    ...r,
    billed_minutes: Number(r.billed_minutes),
    stripe_attempts: Number(r.stripe_attempts),
    stripe_key_generation: Number(r.stripe_key_generation),
    ended_at: new Date(r.ended_at),
  }));
}

/**
 * Zero-minute calls are recorded but never sent: a meter event of value 0 changes no invoice and costs a
 * request against Stripe's per-customer limit. They leave the outbox as 'sent' with no request made.
 */
export async function settleZeroMinuteUsage(sql: Sql): Promise<number> {
  const rows = await sql.query<{ id: string }>(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null
      where stripe_status = 'pending' and billed_minutes = 0 returning id`,
  );
  return rows.length;
}

export async function markUsageSent(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null
      where id = $1 and stripe_status = 'pending'`,
    [id],
  );
}

/** Keeps the row pending until `delayMs` from now; `keyGeneration` (when given) is the next attempt's key. */
export async function markUsageRetry(
  sql: Sql,
  id: string,
  delayMs: number,
  error: string,
  keyGeneration?: number,
): Promise<void> {
  await sql.query(
    `update usage_records
        set stripe_next_attempt_at = now() + make_interval(secs => $2::double precision), stripe_last_error = $3,
            stripe_key_generation = coalesce($4, stripe_key_generation)
      where id = $1 and stripe_status = 'pending'`,
    [id, delayMs / 1000, error.slice(0, 500), keyGeneration ?? null],
  );
}

export async function markUsageFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'failed', stripe_last_error = $2
      where id = $1 and stripe_status = 'pending'`,
    [id, error],
  );
}

/** Organisations with calls due for delivery now, most overdue first. */
export async function listOrganisationsWithDueUsage(sql: Sql, limit: number): Promise<string[]> {
  const rows = await sql.query<{ org_id: string }>(
    `select org_id from usage_records
      where stripe_status = 'pending' and coalesce(stripe_next_attempt_at, created_at) <= now()
      group by org_id order by min(coalesce(stripe_next_attempt_at, created_at)) limit $1`,
    [limit],
  );
  return rows.map((r) => r.org_id);
}

export async function countPendingUsage(sql: Sql): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `select count(*) as n from usage_records where stripe_status = 'pending'`,
  );
  return Number(rows[0]?.n ?? 0);
}
