/**
 * How the billing use cases read a failure of the official SDK. Its errors carry `type` (StripeConnectionError,
 * StripeAPIError, StripeRateLimitError, StripeInvalidRequestError, …) and `statusCode`
 * (docs.stripe.com/error-handling, docs.stripe.com/api/errors). Retrying is right for connection failures,
 * 409 (lock / idempotency in flight), 429 and 5xx; any other 4xx will fail the same way again.
 */
import { AppError } from '../../errors.ts';

interface StripeLikeError {
  type?: string;
  statusCode?: number;
  code?: string;
  param?: string;
  message?: string;
}

const asStripeError = (error: unknown): StripeLikeError =>
  typeof error === 'object' && error !== null ? (error as StripeLikeError) : {};

export function isStripeError(error: unknown): boolean {
  const type = asStripeError(error).type;
  return typeof type === 'string' && type.startsWith('Stripe');
}

export function isTransientStripeError(error: unknown): boolean {
  const { type, statusCode } = asStripeError(error);
  if (type === 'StripeConnectionError' || type === 'StripeAPIError' || type === 'StripeRateLimitError') return true;
  if (statusCode === undefined) return !isStripeError(error); // a bare network/timeout error
  return statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/**
 * Our Stripe setup is wrong, not the call: a bad or rotated secret key (401 StripeAuthenticationError), a restricted
 * key without the permission (403 StripePermissionError), or a meter / event name Stripe does not know
 * (docs.stripe.com/error-codes/resource-missing). Every call would fail the same way until an operator fixes the
 * configuration, so the meter-event outbox keeps such rows pending (with backoff) instead of failing them.
 */
export function isStripeConfigurationError(error: unknown): boolean {
  const { type, statusCode, code, param, message } = asStripeError(error);
  if (type === 'StripeAuthenticationError' || type === 'StripePermissionError') return true;
  if (isStripeError(error) && (statusCode === 401 || statusCode === 403)) return true;
  if (param === 'event_name') return true; // the meter's event name is ours, the same for every call
  const text = typeof message === 'string' ? message : '';
  return (code === 'resource_missing' && /meter|event_name/i.test(text)) || /no active meter/i.test(text);
}

/**
 * Stripe says this meter event identifier was already accepted (a retry after a lost response, or a second
 * deliverer after the 24 h idempotency-key window): the usage IS at Stripe, so the outbox row counts as sent.
 */
export function isDuplicateMeterEvent(error: unknown): boolean {
  const { code, message } = asStripeError(error);
  if (code === 'duplicate_meter_event' || code === 'resource_already_exists') return true;
  return typeof message === 'string' && /identifier/i.test(message) && /(already|duplicate)/i.test(message);
}

/** A short, secret-free description of a failure for logs and `stripe_last_error`. */
export function describeStripeError(error: unknown): string {
  const { type, statusCode, code, message } = asStripeError(error);
  const text = [type, statusCode, code, message ?? (error instanceof Error ? error.message : String(error))]
    .filter((p) => p !== undefined && p !== '')
    .join(' ');
  return text.slice(0, 500);
}

/** Wraps a Stripe failure for the HTTP caller: 503 when retrying may help, 502 when Stripe refused. */
export function stripeUnavailable(error: unknown, what: string): AppError {
  return new AppError(
    'stripe_unavailable',
    `Stripe could not ${what}; please try again`,
    {},
    {
      cause: error,
      status: isTransientStripeError(error) ? 503 : 502,
    },
  );
}
