/**
 * One call's minutes as one Stripe meter event (docs.stripe.com/api/billing/meter-event/create):
 * - `identifier` = the call's meter identifier (the call_id itself, or a hash of it when Stripe could not take
 *   it: see meter-identifier.ts): Stripe deduplicates it (≥ 24 h), so a resend after a lost answer counts nothing
 *   twice; the idempotency key `usage-<identifier>` makes the SDK's own retries replay the first answer. After
 *   Stripe ANSWERED 5xx/429 the deliverer moves to a fresh key generation (`usage-<identifier>-a<n>`), because
 *   Stripe replays a saved 500 under the old key for 24 h: see idempotency-key.ts.
 * - `value` a whole number as a string; `stripe_customer_id` the payload key our meter maps customers by.
 * - `timestamp` = the call's end, so usage lands in the period it belongs to. Stripe accepts only the past
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
import type { OutboxRow } from '../../repositories/usage-outbox.ts';
import { keyStem } from './idempotency-key.ts';
import { meterIdentifier } from './meter-identifier.ts';

export interface SendOptions {
  /** Per-request timeout (the inline attempt keeps it short); undefined = the SDK's default. */
  timeoutMs?: number | undefined;
  /** Our clock's now (ctx.clock), to tell a test clock's skew from a call older than Stripe's window. */
  now: Date;
  /** The idempotency-key generation of this attempt (0 = `usage-<identifier>`): see idempotency-key.ts. */
  keyGeneration?: number;
}

/** How far back Stripe takes a meter event's timestamp. */
export const STRIPE_PAST_WINDOW_MS = 35 * 24 * 3_600_000;

/** Stripe refused the call's end as out of range and the call is too old to be billed "now" instead. */
export class OutsideStripeWindowError extends Error {
  constructor(readonly stripeError: unknown) {
    super("ended_at is outside Stripe's 35-day window; bill it by hand");
    this.name = 'OutsideStripeWindowError';
  }
}

export async function sendMeterEvent(
  stripe: Stripe,
  row: OutboxRow & { stripe_customer_id: string },
  opts: SendOptions,
): Promise<void> {
  const identifier = await meterIdentifier(row.call_id);
  const stem = keyStem(identifier, opts.keyGeneration ?? 0);
  const base = {
    event_name: METER.eventName,
    payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.billed_minutes) },
    identifier,
  };
  const requestOptions = (key: string): Stripe.RequestOptions => ({
    idempotencyKey: key,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, maxNetworkRetries: 0 } : {}),
  });
  try {
    await stripe.billing.meterEvents.create(
      { ...base, timestamp: Math.floor(row.ended_at.getTime() / 1000) },
      requestOptions(stem),
    );
  } catch (error) {
    if (!isTimestampOutOfRange(error)) throw error;
    if (opts.now.getTime() - row.ended_at.getTime() >= STRIPE_PAST_WINDOW_MS) throw new OutsideStripeWindowError(error);
    await stripe.billing.meterEvents.create(base, requestOptions(`${stem}-now`));
  }
}

function isTimestampOutOfRange(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: string; param?: string; statusCode?: number };
  return e.code === 'timestamp_out_of_range' || (e.statusCode === 400 && e.param === 'timestamp');
}
