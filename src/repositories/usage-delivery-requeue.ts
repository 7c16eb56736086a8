/**
 * "Retry now" from the operator console: every failed call goes back to pending, and every pending call waiting
 * out a backoff after an error is due at once. A call under a deliverer's lease for its first attempt (no error
 * yet) is left alone; one leased for a retry may be sent twice, which Stripe's identifier dedupe absorbs. Through the outbox's existing columns only; a call keeps its batch (`stripe_batch_id`), so the deliverer
 * resends the batch whole under its identifier and Stripe still deduplicates it (usecases/usage/README.md).
 * One statement: a second "retry now" at the same time finds nothing more to change.
 */
import type { Sql } from '../ports/sql.ts';

export async function requeueUsageDeliveries(sql: Sql): Promise<{ requeuedFailed: number; madeDue: number }> {
  const rows = await sql.query<{ was: string }>(
    `with changed as (
       select id, stripe_status as was from usage_records
        where stripe_status = 'failed'
           or (stripe_status = 'pending' and stripe_last_error is not null
               and coalesce(stripe_next_attempt_at, created_at) > now())
        for update
     )
     update usage_records u
        set stripe_status = 'pending', stripe_next_attempt_at = now()
       from changed c where u.id = c.id
     returning c.was`,
  );
  return {
    requeuedFailed: rows.filter((r) => r.was === 'failed').length,
    madeDue: rows.filter((r) => r.was === 'pending').length,
  };
}
