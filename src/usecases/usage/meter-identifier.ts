/**
 * The meter event identifier (and idempotency-key stem) Stripe can take for a call_id. report-usage accepts any
 * 1–255 printable Unicode characters (docs/http-api.md#report-usage), but Stripe does not:
 * - a meter event `identifier` is at most 100 characters (docs.stripe.com/api/billing/meter-event/create);
 * - the idempotency key travels as the `Idempotency-Key` HTTP header, where a character outside Latin-1 makes
 *   the SDK fail before sending (StripeConnectionError) and a non-ASCII one is not portable anyway
 *   (docs.stripe.com/api/idempotent_requests: keys up to 255 characters).
 * So a call_id of 1–100 visible ASCII characters is used as is (readable in the Dashboard), and any other one as
 * `h_` + the first 64 hex digits of its SHA-256: stable (every retry, every deliverer derives the same value, so
 * Stripe's dedupe still works) and 66 ASCII characters. Pure and web-standard (crypto.subtle).
 */
const PLAIN = /^[\x21-\x7e]{1,100}$/;

export async function meterIdentifier(callId: string): Promise<string> {
  if (PLAIN.test(callId)) return callId;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(callId));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return `h_${hex.slice(0, 64)}`;
}
