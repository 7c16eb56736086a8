/**
 * The meter-event outbox: `usage_records` rows in stripe_status 'pending' (written by record_usage in the same
 * transaction as the usage). Delivery claims ONE BATCH at a time (plpgsql `claim_usage_batch`, migration
 * 20261201001300): a customer's due calls of one billing cycle, tagged with a batch id (the meter event
 * identifier) and leased (`stripe_next_attempt_at` pushed forward) in one transaction — `FOR UPDATE SKIP LOCKED`
 * keeps two deliverers' new batches disjoint, an advisory lock makes a retried batch claimed whole or not at all,
 * and a deliverer that dies mid-send only delays its batch by one lease. Every call of a batch is settled together,
 * by batch id. See src/usecases/usage/README.md.
 */
import type { Sql } from '../ports/sql.ts';

export interface OutboxRow {
  id: string;
  org_id: string;
  call_id: string;
  billed_minutes: number;
  ended_at: Date;
  stripe_customer_id: string | null;
  /** Attempts including the one this claim starts. */
  stripe_attempts: number;
  /** Which idempotency key the next attempt uses (usage/idempotency-key.ts); 0 = `usage-<identifier>`. */
  stripe_key_generation: number;
  /** The batch (= meter event identifier) this call was claimed into. */
  stripe_batch_id: string;
  /** Its subscription lives on a Stripe test clock (test mode): Stripe judges timestamps on that clock. */
  on_test_clock: boolean;
}

export async function claimUsageBatch(
  sql: Sql,
  opts: {
    maxCalls: number;
    leaseSeconds: number;
    /** Used when a new batch is formed; a retried batch keeps its own. */
    newBatchId: string;
    /** Calls ended before this never share a batch with newer ones (Stripe's 35-day window on our clock). */
    oldestEndedAt: Date;
    orgId?: string | undefined;
  },
): Promise<OutboxRow[]> {
  const rows = await sql.query<OutboxRow>(
    `select ${OUTBOX_COLUMNS}
       from claim_usage_batch($1::uuid, $2::integer, $3::double precision, $4::text, $5::timestamptz)`,
    [opts.orgId ?? null, opts.maxCalls, opts.leaseSeconds, opts.newBatchId, opts.oldestEndedAt],
  );
  return rows.map(toOutboxRow);
}

/**
 * The next batch of each of `orgIds` (at most one each; none for an organisation with nothing due), claimed in ONE
 * round trip (plpgsql `claim_usage_batches`, migration 20261201001800): the batch `claimUsageBatch` would give each.
 * `newBatchIds[i]` is the id a new batch of `orgIds[i]` gets; each organisation comes once.
 */
export async function claimUsageBatches(
  sql: Sql,
  opts: { orgIds: string[]; newBatchIds: string[]; maxCalls: number; leaseSeconds: number; oldestEndedAt: Date },
): Promise<OutboxRow[]> {
  const rows = await sql.query<OutboxRow>(
    `select ${OUTBOX_COLUMNS}
       from claim_usage_batches($1::uuid[], $2::text[], $3::integer, $4::double precision, $5::timestamptz)`,
    [opts.orgIds, opts.newBatchIds, opts.maxCalls, opts.leaseSeconds, opts.oldestEndedAt],
  );
  return rows.map(toOutboxRow);
}

const OUTBOX_COLUMNS = `id, org_id, call_id, billed_minutes, ended_at, stripe_customer_id, stripe_attempts,
            stripe_key_generation, stripe_batch_id, on_test_clock`;

const toOutboxRow = (r: OutboxRow): OutboxRow => ({
  ...r,
  billed_minutes: Number(r.billed_minutes),
  stripe_attempts: Number(r.stripe_attempts),
  stripe_key_generation: Number(r.stripe_key_generation),
  ended_at: new Date(r.ended_at),
});

/**
 * Zero-minute calls are recorded but never sent: a meter event of value 0 changes no invoice and costs a
 * request against Stripe's per-customer limit. They leave the outbox as 'sent' with no request made.
 */
export async function settleZeroMinuteUsage(sql: Sql): Promise<number> {
  const rows = await sql.query<{ id: string }>(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null
      where stripe_status = 'pending' and billed_minutes = 0 and stripe_batch_id is null returning id`,
  );
  return rows.length;
}

/** Stripe holds the batch: every call of it is sent. */
export async function markBatchSent(sql: Sql, batchId: string): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null
      where stripe_batch_id = $1 and stripe_status = 'pending'`,
    [batchId],
  );
}

/** Stripe took the v2 stream request `streamRequestId` that carried these batches: every call of them is sent. */
export async function markStreamedBatchesSent(sql: Sql, batchIds: string[], streamRequestId: string): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'sent', stripe_sent_at = now(), stripe_last_error = null,
            stripe_stream_request_id = $2
      where stripe_batch_id = any ($1::text[]) and stripe_status = 'pending'`,
    [batchIds, streamRequestId],
  );
}

/** Keeps the batch pending until `delayMs` from now; `keyGeneration` (when given) is the next attempt's key. */
export async function markBatchRetry(
  sql: Sql,
  batchId: string,
  delayMs: number,
  error: string,
  keyGeneration?: number,
): Promise<void> {
  await sql.query(
    `update usage_records
        set stripe_next_attempt_at = now() + make_interval(secs => $2::double precision), stripe_last_error = $3,
            stripe_key_generation = coalesce($4, stripe_key_generation)
      where stripe_batch_id = $1 and stripe_status = 'pending'`,
    [batchId, delayMs / 1000, error.slice(0, 500), keyGeneration ?? null],
  );
}

export async function markBatchFailed(sql: Sql, batchId: string, error: string): Promise<void> {
  await sql.query(
    `update usage_records set stripe_status = 'failed', stripe_last_error = $2
      where stripe_batch_id = $1 and stripe_status = 'pending'`,
    [batchId, error.slice(0, 500)],
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

/** Calls due for delivery now across every organisation (what picks the v2 stream: usage/delivery-route.ts). */
export async function countDueUsage(sql: Sql): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `select count(*) as n from usage_records
      where stripe_status = 'pending' and coalesce(stripe_next_attempt_at, created_at) <= now()`,
  );
  return Number(rows[0]?.n ?? 0);
}

export async function countPendingUsage(sql: Sql): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `select count(*) as n from usage_records where stripe_status = 'pending'`,
  );
  return Number(rows[0]?.n ?? 0);
}
