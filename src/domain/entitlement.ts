/**
 * "May a new call start?" (docs/http-api.md#entitlement), decided from what the ledger says. Pure: the caller reads
 * the facts and Stripe's "now" for the subscription (a test clock's time in test mode).
 *
 * - no subscription (none, `incomplete`, `incomplete_expired`, or `paused`: nothing is billing) → refused;
 * - `canceled` → refused;
 * - `past_due` → allowed during the grace period (the time Stripe's retries take), counted from the first failure
 *   of the invoice it waits on; refused after it. `unpaid` (Stripe gave up retrying) is `past_due` past its grace;
 * - the cycle's overage reached the spend cap → refused (`spend_cap_reached`); a finished call is still recorded;
 * - otherwise `ok`.
 */
export type EntitlementReason = 'ok' | 'no_subscription' | 'canceled' | 'past_due' | 'spend_cap_reached';

export const DEFAULT_PAST_DUE_GRACE_DAYS = 3;
const DAY_MS = 86_400_000;

export interface EntitlementInput {
  status: string | null;
  /** The first failure of the invoice a past_due subscription waits on; null when unknown (then: failing now). */
  paymentFailedAt: Date | null;
  capReached: boolean;
  /** Stripe's "now" for the subscription. */
  now: Date;
  graceDays: number;
}

export interface EntitlementDecision {
  allowed: boolean;
  reason: EntitlementReason;
  /** For past_due: when the grace ends (a test clock moving past it changes the answer). */
  graceEndsAt: Date | null;
}

export function decideEntitlement(input: EntitlementInput): EntitlementDecision {
  const { status } = input;
  if (status === null || status === 'incomplete' || status === 'incomplete_expired' || status === 'paused')
    return { allowed: false, reason: 'no_subscription', graceEndsAt: null };
  if (status === 'canceled') return { allowed: false, reason: 'canceled', graceEndsAt: null };
  if (status === 'unpaid') return { allowed: false, reason: 'past_due', graceEndsAt: null };
  if (status === 'past_due') {
    const failedAt = input.paymentFailedAt ?? input.now;
    const graceEndsAt = new Date(failedAt.getTime() + input.graceDays * DAY_MS);
    if (input.now.getTime() >= graceEndsAt.getTime()) return { allowed: false, reason: 'past_due', graceEndsAt };
    if (input.capReached) return { allowed: false, reason: 'spend_cap_reached', graceEndsAt };
    return { allowed: true, reason: 'past_due', graceEndsAt };
  }
  if (input.capReached) return { allowed: false, reason: 'spend_cap_reached', graceEndsAt: null };
  return { allowed: true, reason: 'ok', graceEndsAt: null };
}
