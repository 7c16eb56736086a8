/**
 * Stripe events we have received (delivery is at-least-once: docs.stripe.com/webhooks#handle-duplicate-events).
 * The row is written before the event is applied and marked processed after, so a delivery that failed half way
 * is applied again on Stripe's retry, and one that succeeded is acknowledged without work.
 */
import type { Sql } from '../ports/sql.ts';

export async function recordStripeEvent(
  sql: Sql,
  event: { id: string; type: string; created: number },
): Promise<{ processed: boolean }> {
  await sql.query(
    `insert into stripe_events (id, type, created) values ($1, $2, to_timestamp($3)) on conflict (id) do nothing`,
    [event.id, event.type, event.created],
  );
  const rows = await sql.query<{ processed_at: Date | null }>(`select processed_at from stripe_events where id = $1`, [
    event.id,
  ]);
  return { processed: rows[0]?.processed_at != null };
}

export async function markStripeEventProcessed(sql: Sql, eventId: string): Promise<void> {
  await sql.query(`update stripe_events set processed_at = now() where id = $1 and processed_at is null`, [eventId]);
}
