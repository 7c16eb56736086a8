/**
 * The ONE place where a failure becomes an HTTP response (docs/conventions.md#errors, as in hono's errorHandler and
 * lago's api_errors): an AppError shows its code, message and details; a Stripe outage becomes
 * `stripe_unavailable`; a lost or momentarily busy database (deadlock, timeout…) becomes `database_unavailable`;
 * anything else is a bare 500 whose cause goes to the log only. Nothing but the code and a human message ever
 * reaches the client.
 */
import { AppError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import { jsonResponse } from './json.ts';

export const INTERNAL_MESSAGE =
  'Something went wrong on our side. Please try again; if it keeps happening, contact support.';

/** Classifies any thrown value as an AppError (for the client) — the original stays the cause (for the log). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const stripe = stripeFailure(err);
  if (stripe)
    return new AppError(
      'stripe_unavailable',
      'Our payment provider is not reachable right now. Please try again in a moment.',
      {},
      { cause: err, status: stripe },
    );
  if (isDatabaseUnavailable(err))
    return new AppError(
      'database_unavailable',
      'The service is temporarily unavailable. Please try again in a moment.',
      {},
      { cause: err },
    );
  return new AppError('internal', INTERNAL_MESSAGE, {}, { cause: err });
}

export function errorResponse(err: unknown, logger: Logger, fields: Record<string, unknown> = {}): Response {
  const appError = toAppError(err);
  if (appError.status >= 500) {
    logger.error('request failed', { ...fields, error: appError.code, cause: describeCause(appError.cause ?? err) });
  }
  // A 503 says when to come back (RFC 9110 §10.2.3), as the start-up 503 does: the failures it stands for pass quickly.
  const headers = appError.status === 503 ? { 'retry-after': RETRY_AFTER_SECONDS } : undefined;
  return jsonResponse(
    { error: appError.code, message: appError.message, ...appError.details },
    appError.status,
    headers,
  );
}

export const RETRY_AFTER_SECONDS = '1';

/**
 * Errors the stripe SDK throws carry `type` (StripeConnectionError, StripeAPIError, …) and `statusCode`
 * (https://docs.stripe.com/api/errors). Only the ones that mean "Stripe is unreachable or overloaded" are 502/503;
 * a StripeInvalidRequestError escaping a use case is our bug, hence a plain 500.
 */
function stripeFailure(err: unknown): 502 | 503 | undefined {
  if (!isObject(err) || typeof err.type !== 'string' || !err.type.startsWith('Stripe')) return undefined;
  if (err.type === 'StripeConnectionError' || err.type === 'StripeRateLimitError') return 503;
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (err.type === 'StripeAPIError' || (status !== undefined && status >= 500)) return 502;
  if (status === 429) return 503;
  return undefined;
}

/**
 * Failures that go away on a retry, so callers get 503 `database_unavailable` and retry (report-usage is
 * idempotent on call_id). SQLSTATEs from https://www.postgresql.org/docs/15/errcodes-appendix.html.
 */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure (SERIALIZABLE / REPEATABLE READ conflict)
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout, NOWAIT)
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
]);
/** The client-side codes postgres.js and Node's sockets use when the server cannot be reached. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/** SQLSTATE class 08 (connection exception), the transient codes above, the client-side connection codes, and
 * "PGlite is closed". The cause chain is followed a little, in case a caller wrapped the driver's error. */
function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!isObject(err)) return false;
  const code = typeof err.code === 'string' ? err.code : '';
  if (/^08[0-9A-Z]{3}$/.test(code) || TRANSIENT_SQLSTATES.has(code) || CONNECTION_CODES.has(code)) return true;
  if (typeof err.message === 'string' && /PGlite is closed/i.test(err.message)) return true;
  return depth < 3 && err.cause !== undefined && isDatabaseUnavailable(err.cause, depth + 1);
}

/** For the log: name, message and code of the cause chain — never the request. `redact` in the logger masks keys. */
export function describeCause(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; type?: unknown; statusCode?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.type !== undefined ? { type: e.type } : {}),
    ...(e.statusCode !== undefined ? { status: e.statusCode } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: describeCause(e.cause, depth + 1) } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
