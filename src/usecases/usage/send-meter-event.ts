/**
 * One batch's minutes as one Stripe meter event over v1 (docs.stripe.com/api/billing/meter-event/create):
 * - `identifier` = the batch id (meter-batch.ts): Stripe deduplicates it (≥ 24 h), so a resend after a lost answer
 *   counts nothing twice; the idempotency key `usage-<identifier>` makes the SDK's own retries replay the first
 *   answer. After Stripe ANSWERED 5xx/429 the deliverer moves to a fresh key generation (`usage-<identifier>-a<n>`),
 *   because Stripe replays a saved 500 under the old key for 24 h: see idempotency-key.ts.
 * - `value` the calls' minutes summed, a whole number as a string; `stripe_customer_id` the payload key our meter
 *   maps customers by.
 * - `timestamp` = the latest end among the calls (all in one billing period), so usage lands in its period. Stripe accepts only the past
 *   35 days to 5 minutes ahead, measured on the customer's clock (a test clock's frozen time in test mode), which
 *   we cannot see. When Stripe says `timestamp_out_of_range` for a call that ended less than 35 days ago on OUR
 *   clock, it is the customer's clock that differs (a test clock): we resend WITHOUT a timestamp, i.e. clamped to
 *   the customer's "now" (with its own idempotency key, as the parameters differ). A call that ended longer ago
 *   than that (it waited out an outage, or was reported late) is NOT resent: stamped "now" it would be billed in
 *   the current period under the current tiers. It throws `OutsideStripeWindowError` and the row goes to an
 *   operator.
 */
import type Stripe from 'stripe';
import { METER } from '../../domain/catalog.ts';
import { keyStem } from './idempotency-key.ts';
import type { MeterBatch } from './meter-batch.ts';

export interface SendOptions {
  /** Per-request timeout (the inline attempt keeps it short); undefined = the SDK's default. */
  timeoutMs?: number | undefined;
  /** Our clock's now (ctx.clock), to tell a test clock's skew from a call older than Stripe's window. */
  now: Date;
  /** The idempotency-key generation of this attempt (0 = `usage-<identifier>`): see idempotency-key.ts. */
  keyGeneration?: number;
}

/** How far back Stripe takes a meter event's timestamp: "within the past 35 calendar days or up to 5 minutes in the
 * future" (docs.stripe.com/api/v2/billing-meter/object). */
export const STRIPE_PAST_WINDOW_MS = 35 * 24 * 3_600_000;

/** Stripe refused the batch's end as out of range and its calls are too old to be billed "now" instead. */
export class OutsideStripeWindowError extends Error {
  constructor(readonly stripeError: unknown) {
    super("ended_at is outside Stripe's 35-day window; bill it by hand");
    this.name = 'OutsideStripeWindowError';
  }
}

export async function sendMeterEvent(
  stripe: Stripe,
  batch: MeterBatch & { customer: string },
  opts: SendOptions,
): Promise<void> {
  const stem = keyStem(batch.id, opts.keyGeneration ?? 0);
  const base = {
    event_name: METER.eventName,
    payload: { stripe_customer_id: batch.customer, value: String(batch.minutes) },
    identifier: batch.id,
  };
  const requestOptions = (key: string): Stripe.RequestOptions => ({
    idempotencyKey: key,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, maxNetworkRetries: 0 } : {}),
  });
  try {
    await stripe.billing.meterEvents.create(
      { ...base, timestamp: Math.floor(batch.endedAt.getTime() / 1000) },
      requestOptions(stem),
    );
  } catch (error) {
    if (!isTimestampOutOfRange(error)) throw error;
    if (opts.now.getTime() - batch.endedAt.getTime() >= STRIPE_PAST_WINDOW_MS)
      throw new OutsideStripeWindowError(error);
    await stripe.billing.meterEvents.create(base, requestOptions(`${stem}-now`));
  }
}

function isTimestampOutOfRange(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: string; param?: string; statusCode?: number };
  return e.code === 'timestamp_out_of_range' || (e.statusCode === 400 && e.param === 'timestamp');
}
