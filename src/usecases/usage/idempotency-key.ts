/**
 * Which idempotency key a meter event attempt is sent under. Stripe (API v1) saves the status code and body of
 * the first request made with a key once the endpoint began executing, and a retry with the same key returns
 * that saved response, INCLUDING 500 errors, for at least 24 h (docs.stripe.com/api/idempotent_requests,
 * docs.stripe.com/idempotency). So:
 * - after a timeout or connection error (no answer received) the next attempt keeps the key: Stripe may hold
 *   the request, and the key makes a resend replay it instead of counting the call twice;
 * - after a RECEIVED 5xx or 429 answer the next attempt takes a fresh key, `usage-<identifier>-a<attempt>`:
 *   with the old key the call could not be delivered for a day (the saved 500 would be replayed), missing its
 *   invoice's grace period. A double count is still prevented by the meter event `identifier`, which stays the
 *   same and which Stripe deduplicates for 24 h (an "identifier already exists" answer marks the row sent).
 * The generation in use is kept on the row (usage_records.stripe_key_generation; 0 = the original
 * `usage-<identifier>`).
 */

/** The idempotency-key stem of a generation; the `-now` resend appends `-now` to it. */
export function keyStem(identifier: string, generation: number): string {
  return generation === 0 ? `usage-${identifier}` : `usage-${identifier}-a${generation}`;
}

/** Stripe answered with an error it saved under the key (5xx) or a rate limit (429): the request was not lost. */
export function isReceivedRetryableAnswer(error: unknown): boolean {
  const statusCode =
    typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof statusCode === 'number' && (statusCode === 429 || statusCode >= 500);
}

/**
 * The generation for the attempt after `attempt` (1-based, as stripe_attempts) failed with `error`: a fresh one
 * (the next attempt's number, higher than any earlier) after a received 5xx/429, else the same.
 */
export function nextKeyGeneration(current: number, attempt: number, error: unknown): number {
  return isReceivedRetryableAnswer(error) ? attempt + 1 : current;
}
