/**
 * Whether we have processed a Stripe event, read without recording it (the replay's dry run and its skip check);
 * recording stays with recordStripeEvent, on the one path that applies events.
 */
import type { Sql } from '../ports/sql.ts';

export type StripeEventStatus = 'unknown' | 'recorded' | 'processed';

export async function stripeEventStatus(sql: Sql, eventId: string): Promise<StripeEventStatus> {
  const rows = await sql.query<{ processed_at: Date | null }>(`select processed_at from stripe_events where id = $1`, [
    eventId,
  ]);
  if (rows.length === 0) return 'unknown';
  return rows[0]!.processed_at == null ? 'recorded' : 'processed';
}
