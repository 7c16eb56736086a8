/**
 * One call's minutes as one Stripe meter event (docs.stripe.com/api/billing/meter-event/create):
 * - `identifier` = call_id: Stripe deduplicates it (≥ 24 h), so a resend after a lost answer counts nothing twice;
 *   the idempotency key `usage-<call_id>` makes the SDK's own retries replay the first answer.
 * - `value` a whole number as a string; `stripe_customer_id` the payload key our meter maps customers by.
 * - `timestamp` = the call's end, so usage lands in the period it belongs to. Stripe accepts only the past
 *   35 days to 5 minutes ahead, measured on the customer's clock (a test clock's frozen time in test mode), which
 *   we cannot see: when Stripe says `timestamp_out_of_range` we resend WITHOUT a timestamp, i.e. clamped to the
 *   customer's "now" (with its own idempotency key, as the parameters differ).
 */
import type Stripe from 'stripe';
import { METER } from '../../domain/catalog.ts';
import type { OutboxRow } from '../../repositories/usage-outbox.ts';

export interface SendOptions {
  /** Per-request timeout (the inline attempt keeps it short); undefined = the SDK's default. */
  timeoutMs?: number | undefined;
}

export async function sendMeterEvent(stripe: Stripe, row: OutboxRow & { stripe_customer_id: string }, opts: SendOptions = {}): Promise<void> {
  const base = {
    event_name: METER.eventName,
    payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.billed_minutes) },
    identifier: row.call_id,
  };
  const requestOptions = (key: string): Stripe.RequestOptions => ({
    idempotencyKey: key,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, maxNetworkRetries: 0 } : {}),
  });
  try {
    await stripe.billing.meterEvents.create(
      { ...base, timestamp: Math.floor(row.ended_at.getTime() / 1000) },
      requestOptions(`usage-${row.call_id}`),
    );
  } catch (error) {
    if (!isTimestampOutOfRange(error)) throw error;
    await stripe.billing.meterEvents.create(base, requestOptions(`usage-${row.call_id}-now`));
  }
}

function isTimestampOutOfRange(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: string; param?: string; statusCode?: number };
  return e.code === 'timestamp_out_of_range' || (e.statusCode === 400 && e.param === 'timestamp');
}
